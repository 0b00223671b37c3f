"""Open a modal while Slack's trigger is fresh, then fill it.

A ``trigger_id`` is honoured for 3 seconds. Building a view may read the database and ask Slack
(``users.info``), which under load can spend those seconds, so `open_then_fill` opens a small
"Loading…" modal first and replaces it with ``views.update`` once the real view is built. An error the
user can act on is shown in the same modal rather than leaving it loading.

Not for the subscribe forms: their channel picker starts on the conversation the modal was opened from
(``default_to_current_conversation``), which only the trigger's ``views.open`` carries.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient

from bot.blocks.common import View
from bot.blocks.errors import UNEXPECTED_DETAIL, UNEXPECTED_TITLE, render_user_error
from bot.blocks.modals import render_loading_modal, render_notice_modal
from bot.errors import UserFacingError

__all__ = ["open_then_fill"]


def open_then_fill(client: WebClient, trigger_id: str, *, title: str, build: Callable[[], View]) -> None:
    """Open a loading modal titled ``title`` with ``trigger_id``, then show ``build()``'s view in it.

    A `UserFacingError` from ``build`` is shown in the modal; anything else propagates to the error
    handler (which answers with a reference id) after the modal says it could not be loaded.
    """
    opened: Any = client.views_open(trigger_id=trigger_id, view=render_loading_modal(title))
    view_id = str(opened["view"]["id"])
    try:
        view = build()
    except UserFacingError as error:
        notice = render_user_error(error.title, error.detail, hint=error.hint)
        client.views_update(view_id=view_id, view=render_notice_modal(title, notice))
        return
    except Exception:
        notice = render_user_error(UNEXPECTED_TITLE, UNEXPECTED_DETAIL)
        client.views_update(view_id=view_id, view=render_notice_modal(title, notice))
        raise
    client.views_update(view_id=view_id, view=view)
