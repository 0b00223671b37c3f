"""Slack down while the Amazon connect flow asks it who may connect (`may_connect` → `users.info`).

The permission is asked again at `/amazon/oauth/start` and at the callback. When Slack cannot answer
(the stand-in stopped: connection refused; or answering 5xx), the page says Slack could not be reached and
to try again: no OAuth state at the start, no code exchanged and no connection at the callback, and the
state is left unused so the same consent completes once Slack answers. Real HTTP against the running
app, the Slack stand-in and the Amazon simulator; the gateway's retry waits are recorded, not slept.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.services.connections import connect_url
from bot.web.amazon_oauth import COOKIE
from storage.db import session_scope
from storage.models import Connection, OAuthState
from tests.harness import Harness


@pytest.fixture
def h(sqlite_engine: Engine) -> Iterator[Harness]:
    with Harness.start(sqlite_engine) as harness:
        yield harness


def _admin_link(h: Harness) -> str:
    return connect_url(h.services, team_id=h.team, enterprise_id="", user_id=h.admin, region="eu")


def _stored(h: Harness) -> tuple[list[OAuthState], list[Connection]]:
    with session_scope(h.services.engine, readonly=True) as s:
        return list(s.exec(select(OAuthState)).all()), list(s.exec(select(Connection)).all())


def _token_calls(h: Harness) -> int:
    return sum(1 for r in h.sim.requests if r.path.endswith("/auth/o2/token"))


def _says_try_again(page: httpx.Response) -> None:
    assert page.status_code == 503
    assert "could not reach Slack" in page.text and "Nothing was stored" in page.text
    assert "in a minute" in page.text
    assert COOKIE not in page.headers.get("set-cookie", "")


def test_slack_down_at_the_start_of_a_connect_gives_the_try_again_page_and_stores_nothing(h: Harness) -> None:
    link = _admin_link(h)  # the admin is a workspace admin per `users.info`, not on Hilal's own list
    waits: list[float] = []
    h.services.slack.sleep = waits.append
    h.slack.stop()

    page = h.browser.get(link)

    _says_try_again(page)
    assert len(waits) == 2  # the gateway's two retries of a refused connection, then the page
    assert _stored(h) == ([], [])
    assert _token_calls(h) == 0


def test_slack_answering_5xx_at_the_start_is_slack_down_not_a_refusal(h: Harness) -> None:
    link = _admin_link(h)
    h.slack.fail("users.info", error="fatal_error", status=503, times=1)

    page = h.browser.get(link)

    _says_try_again(page)  # not "Not allowed to connect": the admin may, Slack just did not say so
    assert _stored(h) == ([], [])
    again = h.browser.get(link)  # Slack answers again: the same link starts the consent
    assert again.status_code == 302 and "/ap/oa" in again.headers["location"]


def test_slack_down_at_the_callback_exchanges_no_code_and_leaves_the_consent_usable(h: Harness) -> None:
    start = h.browser.get(_admin_link(h))
    assert start.status_code == 302, start.text
    location = h.sim.approve(start.headers["location"], user_id="demo")
    h.slack.fail("users.info", error="service_unavailable", status=503, times=1)

    page = h.browser.get(location)

    _says_try_again(page)
    states, connections = _stored(h)
    assert connections == [] and _token_calls(h) == 0
    assert [s.used_at for s in states] == [None]  # not consumed: nothing half-way
    done = h.browser.get(location)  # reloaded once Slack answers: the consent completes
    assert done.status_code == 200 and "Connected" in done.text
    assert [c.region for c in _stored(h)[1]] == ["eu"] and _token_calls(h) == 1


def test_slack_unreachable_at_the_callback_stores_nothing(h: Harness) -> None:
    start = h.browser.get(_admin_link(h))
    assert start.status_code == 302, start.text
    location = h.sim.approve(start.headers["location"], user_id="demo")
    h.services.slack.sleep = lambda _seconds: None
    h.slack.stop()

    page = h.browser.get(location)

    _says_try_again(page)
    states, connections = _stored(h)
    assert connections == [] and _token_calls(h) == 0
    assert [s.used_at for s in states] == [None]
