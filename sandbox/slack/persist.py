"""The Slack stand-in's lasting world as JSON, so local mode's console resumes where it stopped.

What lasts: workspaces (users, channels, DMs opened since), messages and ephemerals (the app edits its
own messages by ts later, so they must still be there), the console's command echoes, Home tabs, uploaded
files, scheduled messages, response URLs still within their 30 minutes, revoked tokens, and the id
sequence (so new ids never collide with saved ones). What does not: recorded calls, webhook posts,
notices, faults, open modals, trigger ids (3 s) and unsent input in the console.
"""

from __future__ import annotations

import base64
import dataclasses
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sandbox.slack.model import Message, ResponseUrl, Upload, View, Workspace
from sandbox.slack.state import RESPONSE_URL_TTL, Scheduled, SlackState
from sandbox.statefile import AutoSaver, StateFile, StateFileError

__all__ = ["FORMAT_VERSION", "KIND", "load", "restore", "snapshot"]

KIND = "slack-standin"
FORMAT_VERSION = 1


def _upload(upload: Upload) -> dict[str, Any]:
    data = dataclasses.asdict(upload)
    data["data"] = base64.b64encode(upload.data).decode("ascii") if upload.data is not None else None
    return data


def _load_upload(data: Mapping[str, Any]) -> Upload:
    fields = dict(data)
    raw = fields.pop("data")
    return Upload(**fields, data=base64.b64decode(raw) if raw is not None else None)


def _load_response_url(data: Mapping[str, Any]) -> ResponseUrl:
    fields = dict(data)
    original = fields.pop("original")
    return ResponseUrl(**fields, original=tuple(original) if original else None)


def snapshot(state: SlackState) -> dict[str, Any]:
    """Everything that must outlive the process, as JSON-ready data (takes the state's lock)."""
    with state.lock:
        now = state.now()
        return {
            "next_id": state.peek_ids(),
            "workspaces": [dataclasses.asdict(w) for w in state.workspaces.values()],
            "messages": [dataclasses.asdict(m) for m in state.messages],
            "echoes": [dataclasses.asdict(m) for m in state.echoes],
            "homes": [dataclasses.asdict(view) for view in state.homes.values()],
            "uploads": [_upload(u) for u in state.uploads.values()],
            "scheduled": [
                {"id": s.id, "post_at": s.post_at, "message": dataclasses.asdict(s.message)}
                for s in state.scheduled
            ],
            "response_urls": [
                dataclasses.asdict(r)
                for r in state.response_urls.values()
                if now - r.created_at < RESPONSE_URL_TTL
            ],
            "revoked_tokens": sorted(state.revoked_tokens),
        }


def restore(state: SlackState, data: Mapping[str, Any]) -> None:
    """Load a `snapshot` into a fresh state (before the stand-in serves anything).

    Raises:
        ValueError: the data is not a snapshot this version understands.
    """
    try:
        _restore(state, data)
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"the saved Slack stand-in state is damaged ({type(exc).__name__}: {exc})") from None


def _restore(state: SlackState, data: Mapping[str, Any]) -> None:
    with state.lock:
        workspaces = [Workspace(**w) for w in data["workspaces"]]
        state.workspaces = {w.team_id: w for w in workspaces}
        state.messages = [Message(**m) for m in data["messages"]]
        state.echoes = [Message(**m) for m in data["echoes"]]
        homes = [View(**v) for v in data["homes"]]
        state.homes = {(v.team_id, v.user_id): v for v in homes}
        state.views = {v.id: v for v in homes}
        state.uploads = {u.id: u for u in (_load_upload(u) for u in data["uploads"])}
        state.scheduled = [
            Scheduled(s["id"], int(s["post_at"]), Message(**s["message"])) for s in data["scheduled"]
        ]
        state.response_urls = {r.id: r for r in (_load_response_url(r) for r in data["response_urls"])}
        state.revoked_tokens = set(data["revoked_tokens"])
        state.continue_ids(int(data["next_id"]))
        state.touch()


def load(state: SlackState, path: Path) -> AutoSaver:
    """Restore ``state`` from ``path`` when the file exists; return the saver that keeps it up to date.

    Raises:
        StateFileError: the file exists but cannot be loaded.
    """
    file = StateFile(path, kind=KIND, version=FORMAT_VERSION)
    saved = file.read()
    if saved is not None:
        try:
            restore(state, saved)
        except ValueError as exc:
            raise StateFileError(f"{path}: {exc}") from None
    return AutoSaver(file, lambda: snapshot(state))
