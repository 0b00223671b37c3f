"""``slack_file`` references in image blocks and elements, checked against the workspace's uploads.

Slack shows an uploaded file in a block only when the file exists in the workspace, its upload was
completed (files.completeUploadExternal, shared or not: the bot that uploaded it has access) and it is
a PNG, JPEG or GIF. Otherwise it answers ``invalid_blocks`` with ``invalid slack file`` and the block's
JSON pointer, as in python-slack-sdk issue #1658. The file may be named by ``id`` or by ``url`` (its
``url_private`` or ``permalink``); the shape itself (exactly one of the two) is checked in
``limits_elements``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sandbox.slack.limits import Problem, Verdict
from sandbox.slack.model import Upload
from sandbox.slack.state import SlackState

__all__ = ["IMAGE_EXTENSIONS", "check_slack_files"]

IMAGE_EXTENSIONS = frozenset({"png", "jpg", "jpeg", "gif"})


def _references(blocks: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    """(json pointer, slack_file object) for every image block, accessory and context element."""
    if not isinstance(blocks, list):
        return
    for index, block in enumerate(blocks):
        if not isinstance(block, dict):
            continue
        at = f"/blocks/{index}"
        candidates = [(at, block), (f"{at}/accessory", block.get("accessory"))]
        elements = block.get("elements") if block.get("type") == "context" else None
        candidates += [(f"{at}/elements/{i}", e) for i, e in enumerate(elements or [])]
        for pointer, obj in candidates:
            ref = obj.get("slack_file") if isinstance(obj, dict) and obj.get("type") == "image" else None
            if isinstance(ref, dict):
                yield f"{pointer}/slack_file", ref


def _find(state: SlackState, team_id: str, ref: dict[str, Any]) -> Upload | None:
    file_id = ref.get("id")
    if file_id is None and isinstance(ref.get("url"), str):
        parts = str(ref["url"]).split("/files/", 1)
        file_id = parts[1].split("/", 1)[0] if len(parts) == 2 else None
    upload = state.uploads.get(str(file_id)) if file_id is not None else None
    return upload if upload is not None and upload.team_id == team_id else None


def _usable(upload: Upload | None) -> bool:
    if upload is None or not upload.completed or upload.data is None:
        return False
    return upload.filename.rsplit(".", 1)[-1].lower() in IMAGE_EXTENSIONS


def check_slack_files(state: SlackState, team_id: str, blocks: Any) -> Verdict | None:
    """The ``invalid_blocks`` verdict for the first unusable ``slack_file``, or None when all are usable.

    Args:
        state: The stand-in's state (caller holds the lock, as for every Web API method).
        team_id: The workspace posting the blocks.
        blocks: The blocks array (already decoded and checked by ``check_message``).
    """
    problems = [
        Problem(pointer, "invalid slack file")
        for pointer, ref in _references(blocks)
        if not _usable(_find(state, team_id, ref))
    ]
    return Verdict("invalid_blocks", tuple(problems)) if problems else None
