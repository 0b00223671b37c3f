"""The default demo workspace used by local mode, the console and tests that need "a workspace"."""

from __future__ import annotations

from sandbox.slack.model import Channel, User, Workspace

__all__ = [
    "DEMO_ADMIN",
    "DEMO_BOT_TOKEN",
    "DEMO_MEMBER",
    "DEMO_TEAM",
    "demo_workspace",
]

DEMO_TEAM = "T0DEMO"
DEMO_ADMIN = "U0ADMIN"
DEMO_MEMBER = "U0MEMBER"
DEMO_BOT_TOKEN = "xoxb-demo-T0DEMO"  # noqa: S105 - a fake token for the local stand-in


def demo_workspace(*, bot_token: str = DEMO_BOT_TOKEN) -> Workspace:
    """Team T0DEMO "Demo Co": an owner/admin in Berlin, a member in Los Angeles, #general, #ppc,
    #random (the bot is in #general and #ppc only) and the admin's DM with the bot."""
    return Workspace(
        team_id=DEMO_TEAM,
        name="Demo Co",
        bot_token=bot_token,
        users=[
            User(
                id=DEMO_ADMIN,
                name="ada",
                real_name="Ada Admin",
                tz="Europe/Berlin",
                is_admin=True,
                is_owner=True,
                is_primary_owner=True,
                email="ada@demo.example",
            ),
            User(
                id=DEMO_MEMBER,
                name="max",
                real_name="Max Member",
                tz="America/Los_Angeles",
                email="max@demo.example",
            ),
        ],
        channels=[
            Channel(id="C0GENERAL", name="general", topic="Company-wide announcements"),
            Channel(id="C0PPC", name="ppc", topic="Amazon Ads: campaigns and daily digests"),
            Channel(id="C0RANDOM", name="random", bot_is_member=False),
            Channel(id="D0ADMIN", name="dm-U0ADMIN", is_im=True, im_user=DEMO_ADMIN),
        ],
    )
