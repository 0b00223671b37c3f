"""Block Kit as pure functions: view-models (``bot.viewmodels``) in, plain dicts out.

Modules: ``ids`` (action/callback/block ids, button metadata), ``limits`` (Slack limits and checkers),
``common`` (small builders, ``Message`` and ``View`` types), ``format`` (money and numbers) and one
renderer module per surface. This package imports only ``bot.viewmodels`` and the standard library.
"""

from __future__ import annotations

from bot.blocks.common import Block, Message, View

__all__ = ["Block", "Message", "View"]
