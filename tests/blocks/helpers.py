"""Shared checks for rendered Block Kit: Hilal's limits, slack_sdk round trips, golden files."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot.blocks.limits import check_message, check_view

# Read at import: the root conftest clears HILAL_* variables around every test.
UPDATE_GOLDENS = os.environ.get("HILAL_UPDATE_GOLDENS") == "1"
GOLDEN_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "blocks"


def roundtrip_blocks(blocks: Any) -> None:
    """Every block survives slack_sdk's parser and validators unchanged (catches key typos)."""
    for block in blocks:
        parsed = Block.parse(block)
        assert parsed is not None, block
        assert parsed.to_dict() == block


def assert_valid_message(msg: Mapping[str, Any]) -> None:
    """No limit problems, a text fallback, and a clean slack_sdk round trip."""
    assert set(msg) == {"text", "blocks"}
    assert isinstance(msg["text"], str) and msg["text"].strip()
    assert check_message(msg) == []
    roundtrip_blocks(msg["blocks"])
    assert json.loads(json.dumps(msg)) == dict(msg)


def assert_valid_view(view: Mapping[str, Any]) -> None:
    """No limit problems and ``View(**view).to_dict() == view``."""
    assert check_view(view) == []
    assert View(**view).to_dict() == view
    roundtrip_blocks(view["blocks"])


def assert_golden(name: str, data: Any) -> None:
    """Compare with tests/fixtures/blocks/<name>.json; HILAL_UPDATE_GOLDENS=1 rewrites the file."""
    path = GOLDEN_DIR / f"{name}.json"
    rendered = json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    if UPDATE_GOLDENS:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(rendered, encoding="utf-8")
    assert path.exists(), f"missing golden {path.name}: run with HILAL_UPDATE_GOLDENS=1"
    assert json.loads(path.read_text(encoding="utf-8")) == json.loads(rendered)


def texts(node: Any) -> list[str]:
    """Every text-object string inside ``node`` (what a user can read)."""
    if isinstance(node, dict):
        own = [node["text"]] if node.get("type") in ("plain_text", "mrkdwn") else []
        return own + [t for value in node.values() if not isinstance(value, str) for t in texts(value)]
    if isinstance(node, list):
        return [t for item in node for t in texts(item)]
    return []


def joined(node: Any) -> str:
    """All readable text of ``node`` joined with newlines."""
    return "\n".join(texts(node))


def elements(node: Any, kind: str) -> list[dict[str, Any]]:
    """Every element of ``type == kind`` inside ``node``."""
    if isinstance(node, dict):
        own = [node] if node.get("type") == kind else []
        return own + [e for value in node.values() for e in elements(value, kind)]
    if isinstance(node, list):
        return [e for item in node for e in elements(item, kind)]
    return []
