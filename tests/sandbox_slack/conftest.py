from __future__ import annotations

from collections.abc import Iterator

import pytest
from slack_sdk import WebClient

from sandbox.slack import DEMO_BOT_TOKEN, ManualClock, SlackStandIn

from .fake_app import FakeApp


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def slack(clock: ManualClock) -> Iterator[SlackStandIn]:
    stand_in = SlackStandIn.with_demo_workspace(clock=clock)
    with stand_in:
        yield stand_in


@pytest.fixture
def client(slack: SlackStandIn) -> WebClient:
    return WebClient(token=DEMO_BOT_TOKEN, base_url=slack.api_url)


@pytest.fixture
def app(slack: SlackStandIn) -> Iterator[FakeApp]:
    fake = FakeApp().start()
    slack.configure_app(fake.url, fake.signing_secret)
    yield fake
    fake.stop()
