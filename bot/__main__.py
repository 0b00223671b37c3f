"""`python -m bot` runs the `hilal` command."""

from bot.cli import main

main()
