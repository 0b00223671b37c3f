from __future__ import annotations

from bot.blocks.common import (
    button,
    confirm_dialog,
    escape_mrkdwn,
    header,
    message,
    safe,
    sections_from_lines,
    truncate,
    user_mention,
)
from tests.blocks.helpers import roundtrip_blocks


def test_truncate() -> None:
    assert truncate("abc", 3) == "abc"
    assert truncate("abcd", 3) == "ab…"
    assert len(truncate("x" * 500, 150)) == 150


def test_escape_mrkdwn_neutralises_mentions_and_links() -> None:
    assert escape_mrkdwn("<!channel> & <@U1> <https://x|y>") == (
        "&lt;!channel&gt; &amp; &lt;@U1&gt; &lt;https://x|y&gt;"
    )


def test_safe_limits_the_escaped_length_without_splitting_entities() -> None:
    out = safe("&" * 100, 20)
    assert len(out) <= 20
    assert out.endswith("…")
    assert out[:-1].replace("&amp;", "") == ""
    assert safe("short", 20) == "short"


def test_user_mention() -> None:
    assert user_mention("U012ABC") == "<@U012ABC>"
    assert user_mention("<!here>") == "&lt;!here&gt;"


def test_header_and_button_are_cut_to_slack_limits() -> None:
    assert len(header("x" * 300)["text"]["text"]) == 150
    link = button("y" * 100, "a.b", url="https://example.com", style="primary")
    assert len(link["text"]["text"]) == 75
    dialog = confirm_dialog("t" * 200, "x" * 400, confirm="c" * 40)
    assert len(dialog["text"]["text"]) == 300 and len(dialog["confirm"]["text"]) == 30


def test_sections_from_lines_packs_under_3000() -> None:
    blocks = sections_from_lines(["x" * 1000] * 7 + ["y" * 5000])
    assert [len(b["text"]["text"]) for b in blocks] == [2001, 2001, 2001, 1000, 3000]
    roundtrip_blocks(blocks)


def test_message_always_has_a_fallback() -> None:
    assert message("  ", [])["text"] == "Hilal"
    assert len(message("x" * 50_000, [])["text"]) == 40_000
