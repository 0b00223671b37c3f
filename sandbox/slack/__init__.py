"""A local Slack for tests and local mode: Web API subset, response URLs, signed requests to the app,
and a browser console that renders Block Kit.

    from sandbox.slack import SlackStandIn

    with SlackStandIn.with_demo_workspace() as slack:
        client = WebClient(token="xoxb-demo-T0DEMO", base_url=slack.api_url)
        client.chat_postMessage(channel="#ppc", text="hi")
        assert slack.messages("#ppc")[0].text == "hi"
"""

from __future__ import annotations

from sandbox.slack.appclient import AppReply
from sandbox.slack.clock import Clock, ManualClock, SystemClock
from sandbox.slack.demo import DEMO_ADMIN, DEMO_BOT_TOKEN, DEMO_MEMBER, DEMO_TEAM, demo_workspace
from sandbox.slack.limits import Problem, Verdict, check_message, check_view
from sandbox.slack.model import Call, Channel, Message, Notice, Upload, User, View, WebhookPost, Workspace
from sandbox.slack.standin import SlackStandIn

__all__ = [
    "DEMO_ADMIN",
    "DEMO_BOT_TOKEN",
    "DEMO_MEMBER",
    "DEMO_TEAM",
    "AppReply",
    "Call",
    "Channel",
    "Clock",
    "ManualClock",
    "Message",
    "Notice",
    "Problem",
    "SlackStandIn",
    "SystemClock",
    "Upload",
    "User",
    "Verdict",
    "View",
    "WebhookPost",
    "Workspace",
    "check_message",
    "check_view",
    "demo_workspace",
]
