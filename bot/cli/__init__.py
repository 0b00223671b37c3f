"""The `hilal` command: the composition root and the only place that reads the environment.

Sub-commands: run, db upgrade, keys generate|rotate|status, sync, purge, sandbox, teams, local reset.
Any error an operator can cause ends in one line on stderr that says what to do (exit status 2).

Modules: `root` (the group, `run`, and `main`, which turns operator errors into one line), `database`
(db, keys), `ops` (purge, sandbox), `sync`, `local` (local reset, teams, and the `--local-dir` option).
"""

from __future__ import annotations

from bot.cli.root import main

__all__ = ["main"]
