"""The console's JSON API, without a browser: what a seat sees, and clicks turned into signed requests."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import pytest
from slack_sdk import WebClient

from sandbox.slack import SlackStandIn

from .fake_app import FakeApp


def get(slack: SlackStandIn, path: str) -> tuple[int, str, str]:
    with urllib.request.urlopen(slack.base_url + path) as response:
        return response.status, response.headers["Content-Type"], response.read().decode()


def state(slack: SlackStandIn, **query: str) -> Any:
    params = "&".join(f"{k}={v}" for k, v in query.items())
    return json.loads(get(slack, f"/console/state?{params}")[2])


def post(slack: SlackStandIn, path: str, body: dict[str, Any]) -> Any:
    data = json.dumps({"team": "T0DEMO", "user": "U0ADMIN", **body}).encode()
    request = urllib.request.Request(slack.base_url + path, data, {"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as refused:
        with refused:
            return json.loads(refused.read())


def timeline(slack: SlackStandIn, channel: str, user: str = "U0ADMIN") -> Any:
    return state(slack, user=user)["timelines"][channel]


def test_page_and_static_files(slack: SlackStandIn) -> None:
    status, kind, html = get(slack, "/")
    assert (status, kind.split(";")[0]) == (200, "text/html")
    assert "/static/blocks.js" in html and "/static/console.js" in html
    assert get(slack, "/static/console.css")[1].startswith("text/css")
    assert get(slack, "/static/blocks.js")[1].startswith("text/javascript")
    with pytest.raises(urllib.error.HTTPError) as missing:
        get(slack, "/static/../standin.py")
    missing.value.close()
    assert missing.value.code == 404


def test_default_seat(slack: SlackStandIn) -> None:
    doc = state(slack)

    assert (doc["team"]["name"], doc["me"], doc["app_dm"], doc["app_configured"]) == (
        "Demo Co",
        "U0ADMIN",
        "D0ADMIN",
        False,
    )
    assert [c["name"] for c in doc["channels"] if not c["is_im"]] == ["general", "ppc", "random"]
    assert [c["bot_is_member"] for c in doc["channels"] if not c["is_im"]] == [True, True, False]
    assert state(slack, user="U0MEMBER")["me"] == "U0MEMBER"


def test_long_poll_answers_unchanged(slack: SlackStandIn) -> None:
    version = state(slack)["version"]

    assert state(slack, since=str(version), wait="0") == {"version": version, "unchanged": True}


def test_command_from_the_composer(slack: SlackStandIn, app: FakeApp) -> None:
    app.handler = lambda r: (200, json.dumps({"text": "Here is *help*"}))

    assert post(slack, "/console/command", {"channel": "C0PPC", "text": "/hilal help"})["status"] == 200

    assert app.last("command").body["text"] == "help"
    echo, reply = timeline(slack, "C0PPC")
    assert (echo["kind"], echo["text"]) == ("command", "/hilal help")
    assert (reply["kind"], reply["text"], reply["ephemeral"], reply["author"]["is_bot"]) == (
        "message",
        "Here is *help*",
        True,
        True,
    )
    assert timeline(slack, "C0PPC", user="U0MEMBER") == []


def test_plain_text_is_a_user_message(slack: SlackStandIn) -> None:
    post(slack, "/console/command", {"channel": "C0GENERAL", "text": "hello team"})

    [message] = timeline(slack, "C0GENERAL", user="U0MEMBER")
    assert (message["text"], message["author"]["name"], message["ephemeral"]) == (
        "hello team",
        "Ada Admin",
        False,
    )


def test_command_without_an_app_is_explained(slack: SlackStandIn) -> None:
    answer = post(slack, "/console/command", {"channel": "C0PPC", "text": "/hilal help"})

    assert answer["ok"] is False and "configure_app" in answer["error"]


def test_clicks_become_block_actions(slack: SlackStandIn, app: FakeApp, client: WebClient) -> None:
    options = [{"text": {"type": "plain_text", "text": v}, "value": v} for v in ("de", "fr")]
    blocks: list[dict[str, Any]] = [
        {
            "type": "actions",
            "block_id": "pick",
            "elements": [{"type": "checkboxes", "action_id": "markets", "options": options}],
        },
        {
            "type": "input",
            "block_id": "note",
            "label": {"type": "plain_text", "text": "Note"},
            "element": {"type": "plain_text_input", "action_id": "text"},
        },
    ]
    posted = client.chat_postMessage(channel="C0PPC", text="pick", blocks=blocks)
    message_id = timeline(slack, "C0PPC")[0]["id"]

    answer = post(
        slack,
        "/console/action",
        {
            "message_id": message_id,
            "block_id": "pick",
            "action_id": "markets",
            "selected_options": ["fr"],
            "values": {"pick": {"markets": ["fr"]}, "note": {"text": "hi"}},
        },
    )

    assert answer == {"ok": True, "status": 200}
    body = app.last("block_actions").body
    assert body["container"]["message_ts"] == posted["ts"]
    assert body["state"]["values"]["note"]["text"] == {"type": "plain_text_input", "value": "hi"}
    assert body["actions"][0]["selected_options"] == [options[1]]
    assert timeline(slack, "C0PPC")[0]["state"]["pick"]["markets"]["selected_options"] == [options[1]]
    assert post(slack, "/console/action", {"message_id": message_id, "action_id": "nope"})["ok"] is False


def test_modal_submit_and_close(slack: SlackStandIn, app: FakeApp, client: WebClient) -> None:
    view = {
        "type": "modal",
        "title": {"type": "plain_text", "text": "Note"},
        "submit": {"type": "plain_text", "text": "Save"},
        "blocks": [
            {
                "type": "input",
                "block_id": "note",
                "label": {"type": "plain_text", "text": "Note"},
                "element": {"type": "plain_text_input", "action_id": "text"},
            }
        ],
    }
    view_id = client.views_open(
        trigger_id=slack.issue_trigger(team_id="T0DEMO", user_id="U0ADMIN"), view=view
    )["view"]["id"]
    app.handler = lambda r: (200, json.dumps({"response_action": "errors", "errors": {"note": "Too short"}}))

    post(slack, "/console/submit", {"view_id": view_id, "values": {"note": {"text": "x"}}})

    [modal] = state(slack)["modals"]
    assert modal["errors"] == {"note": "Too short"}
    assert modal["state"]["values"]["note"]["text"]["value"] == "x"
    post(slack, "/console/close", {"view_id": view_id})
    assert state(slack)["modals"] == []


def test_home_opened_from_the_console(slack: SlackStandIn, app: FakeApp, client: WebClient) -> None:
    def publish(received: Any) -> tuple[int, str]:
        client.views_publish(user_id=received.body["event"]["user"], view={"type": "home", "blocks": []})
        return 200, ""

    app.handler = publish

    post(slack, "/console/home", {})

    assert slack.wait_for(lambda: slack.home("U0ADMIN") is not None)
    assert state(slack)["home"]["type"] == "home"


def test_threads_files_and_notices_in_the_timeline(slack: SlackStandIn, client: WebClient) -> None:
    parent = client.chat_postMessage(channel="C0PPC", text="Digest")
    client.chat_postMessage(channel="C0PPC", text="Details", thread_ts=parent["ts"])
    client.files_upload_v2(channel="C0PPC", content=b"\x89PNG", filename="spend.png", title="Spend")
    with pytest.raises(Exception, match="invalid_blocks"):
        client.chat_postMessage(channel="C0PPC", text="x", blocks=[{"type": "divider"}] * 51)
    with pytest.raises(Exception, match="invalid_arguments"):
        client.views_publish(user_id="U0ADMIN", view={"type": "home", "blocks": [{"type": "nope"}]})

    items = timeline(slack, "C0PPC")

    assert [(i["kind"], i.get("text"), i.get("thread_ts")) for i in items[:2]] == [
        ("message", "Digest", None),
        ("message", "Details", parent["ts"]),
    ]
    assert items[2]["files"][0]["mimetype"] == "image/png"
    assert (items[3]["kind"], items[3]["error"]) == ("notice", "invalid_blocks")
    [loose] = state(slack)["notices"]
    assert (loose["error"], loose["title"]) == ("invalid_arguments", "views.publish was rejected")
