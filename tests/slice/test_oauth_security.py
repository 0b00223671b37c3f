"""The Amazon OAuth routes under abuse: revoked permission, a foreign browser, forged expiries, Amazon's
errors and hostile query strings. Real HTTP against the running app, the Slack stand-in and the Amazon
simulator; every test also checks what the database (connections, OAuth states) holds afterwards."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
from sqlmodel import select

from bot.web.amazon_oauth import COOKIE
from storage.db import make_engine, session_scope
from storage.models import Connection, OAuthState
from tests.harness import Harness


@pytest.fixture
def h(engine):
    """A fresh app per test, on SQLite and on PostgreSQL (for tests that consume or keep states)."""
    with Harness.start(engine) as harness:
        yield harness


@pytest.fixture(scope="module")
def shared(tmp_path_factory, _sqlite_template):
    """One app for the tests that must leave no trace (they compare counts before and after)."""
    path = tmp_path_factory.mktemp("oauth-security") / "hilal.db"
    shutil.copy(_sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    with Harness.start(engine) as harness:
        yield harness
    engine.dispose()


@contextmanager
def _leaves_no_trace(h: Harness) -> Iterator[None]:
    """No new OAuth state, no token request, no connection while the block runs."""
    before = (len(_states(h)), _token_calls(h), len(_connections(h)))
    yield
    assert (len(_states(h)), _token_calls(h), len(_connections(h))) == before


# helpers ------------------------------------------------------------------------------------------


def _connect_url(blocks: list[dict[str, Any]]) -> str:
    for block in blocks:
        for element in block.get("elements", []) + ([block["accessory"]] if "accessory" in block else []):
            if "/amazon/oauth/start" in element.get("url", ""):
                return str(element["url"])
    raise AssertionError("no Connect button")


def _member_link(h: Harness, region: str) -> str:
    """Make the member a Hilal admin and let them ask Slack for a Connect link."""
    h.command(f"admins add <@{h.member}|max>")
    h.command(f"connect {region}", user=h.member)
    return _connect_url(h.last_reply().blocks)


def _remove_member(h: Harness) -> None:
    h.command(f"admins remove <@{h.member}|max>")
    assert "no longer manages" in h.last_reply().text


def _admin_link(h: Harness, region: str) -> str:
    from bot.services.connections import connect_url

    return connect_url(h.services, team_id=h.team, enterprise_id="", user_id=h.admin, region=region)


def _consent(h: Harness, region: str) -> str:
    """Start in the harness browser and click Allow: the callback URL Amazon sends the browser to."""
    start = h.browser.get(_admin_link(h, region))
    assert start.status_code == 302, start.text
    return h.sim.approve(start.headers["location"], user_id="demo")


def _callback(h: Harness, location: str, **replace: str | None) -> str:
    """The callback URL with some query parameters replaced (None drops one)."""
    query = {k: v[-1] for k, v in parse_qs(urlsplit(location).query).items()}
    for key, value in replace.items():
        if value is None:
            query.pop(key, None)
        else:
            query[key] = value
    return f"{h.base_url}/amazon/oauth/callback?{urlencode(query)}"


def _token_calls(h: Harness) -> int:
    return sum(1 for r in h.sim.requests if r.path.endswith("/auth/o2/token"))


def _connections(h: Harness) -> list[Connection]:
    with session_scope(h.services.engine, readonly=True) as s:
        return list(s.exec(select(Connection)).all())


def _states(h: Harness) -> list[OAuthState]:
    with session_scope(h.services.engine, readonly=True) as s:
        return list(s.exec(select(OAuthState)).all())


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _signed_ticket(h: Harness, expiry: object) -> str:
    """A ticket correctly signed with the app's own key (as a holder of that key could make) whose
    expiry is `expiry`; the key derivation mirrors bot.services.connections.links."""
    key = h.services.settings.encryption_keys[0]
    signing = hmac.new(key.key, b"hilal connect-link v1", hashlib.sha256).digest()
    data = {"t": h.team, "e": "", "u": h.admin, "r": "eu", "x": expiry}
    payload = _b64(json.dumps(data, separators=(",", ":")).encode())
    signature = _b64(hmac.new(signing, f"{key.kid}.{payload}".encode(), hashlib.sha256).digest())
    return f"{key.kid}.{payload}.{signature}"


# 1. permission is checked again at start and at callback ---------------------------------------------


def test_connect_link_of_a_removed_admin_does_not_start(h):
    link = _member_link(h, "eu")
    _remove_member(h)
    page = h.browser.get(link)
    assert page.status_code == 403
    assert "Not allowed" in page.text
    assert "Workspace admins and owners" in page.text and "/hilal admins add" in page.text
    assert COOKIE not in page.headers.get("set-cookie", "")
    assert _states(h) == [] and _connections(h) == []


def test_callback_after_the_admin_was_removed_exchanges_no_code(h):
    link = _member_link(h, "eu")
    start = h.browser.get(link)
    assert start.status_code == 302
    location = h.sim.approve(start.headers["location"], user_id="demo")
    _remove_member(h)
    page = h.browser.get(location)
    assert page.status_code == 403 and "Not allowed" in page.text
    assert "/hilal admins add" in page.text
    assert _token_calls(h) == 0 and _connections(h) == []
    assert [s.used_at for s in _states(h)] == [None]
    # the check is live: once they manage Hilal again, the same consent completes
    h.command(f"admins add <@{h.member}|max>")
    done = h.browser.get(location)
    assert done.status_code == 200 and "Connected" in done.text
    assert [c.region for c in _connections(h)] == ["eu"]


# 2. a foreign browser neither finishes nor burns the state ------------------------------------------


def test_callback_from_another_browser_leaves_the_state_for_the_right_one(h):
    location = _consent(h, "eu")
    with httpx.Client() as other:
        stranger = other.get(location)
        other.cookies.set(COOKIE, "someone-elses-nonce", domain="127.0.0.1", path="/amazon/oauth")
        wrong_cookie = other.get(location)
    for page in (stranger, wrong_cookie):
        assert page.status_code == 400
        assert "different browser" in page.text
        assert COOKIE not in page.headers.get("set-cookie", "")
    assert _token_calls(h) == 0 and _connections(h) == []
    assert [s.used_at for s in _states(h)] == [None]
    page = h.browser.get(location)
    assert page.status_code == 200 and "Connected" in page.text
    assert [c.region for c in _connections(h)] == ["eu"]


def test_foreign_browser_with_an_amazon_error_does_not_burn_the_state_either(h):
    location = _consent(h, "na")
    with httpx.Client() as other:
        page = other.get(_callback(h, location, code=None, error="access_denied"))
    assert page.status_code == 400 and "different browser" in page.text
    assert h.browser.get(location).status_code == 200
    assert [c.region for c in _connections(h)] == ["na"]


# 3. absurd expiries in a correctly signed ticket ------------------------------------------------------


@pytest.mark.parametrize(
    "expiry",
    [10**30, 2**63, -1, 0, "soon", "1700000000", 1.5e308, None, True, [1], 4_102_444_800],
    ids=[
        "huge",
        "int64",
        "negative",
        "zero",
        "text",
        "numeric-text",
        "float",
        "null",
        "bool",
        "list",
        "2100",
    ],
)
def test_absurd_expiry_in_a_ticket_is_a_clear_400(shared, expiry):
    h = shared
    with _leaves_no_trace(h):
        page = h.browser.get(
            f"{h.base_url}/amazon/oauth/start?" + urlencode({"t": _signed_ticket(h, expiry)})
        )
    assert page.status_code == 400
    assert "not valid" in page.text and "expiry" in page.text
    assert "/hilal connect eu" in page.text


def test_a_signed_ticket_with_a_sane_expiry_still_works(shared):
    h = shared
    now = int(h.services.now().timestamp())
    page = h.browser.get(f"{h.base_url}/amazon/oauth/start?" + urlencode({"t": _signed_ticket(h, now + 60)}))
    assert page.status_code == 302


@pytest.mark.parametrize("ticket", ["", "a.b", "x" * 5000, "k.\u00e9\u00e9.sig", "k.%%%.sig"])
def test_garbled_tickets_are_a_clear_400(shared, ticket):
    h = shared
    with _leaves_no_trace(h):
        page = h.browser.get(f"{h.base_url}/amazon/oauth/start?" + urlencode({"t": ticket}))
    assert page.status_code == 400 and "not valid" in page.text
    assert "None" not in page.text and "/hilal connect" in page.text


# 4. callback pages for Amazon's errors and a missing code ---------------------------------------------


def test_missing_code_is_explained_and_offers_connect_again(h):
    location = _consent(h, "eu")
    page = h.browser.get(_callback(h, location, code=None))
    assert page.status_code == 400
    assert "did not send" in page.text and "/hilal connect eu" in page.text
    _assert_connect_again_works(h, page)
    assert _token_calls(h) == 0 and _connections(h) == []


@pytest.mark.parametrize(
    ("error", "status", "says"),
    [
        ("access_denied", 200, "cancelled"),
        ("server_error", 200, "problem on Amazon"),
        ("temporarily_unavailable", 200, "busy"),
        ("invalid_scope", 200, "refused the request"),
        ("something_new", 200, "did not complete"),
    ],
)
def test_amazon_errors_are_explained_not_a_502(shared, error, status, says):
    h = shared
    location = _consent(h, "fe")
    with _leaves_no_trace(h):
        page = h.browser.get(
            _callback(h, location, code=None, error=error, error_description="Oops <b>x</b>")
        )
    assert page.status_code == status
    assert says in page.text and "/hilal connect fe" in page.text
    assert error not in page.text and "Oops" not in page.text
    _assert_connect_again_works(h, page)
    assert _connections(h) == []


def test_error_with_a_code_still_stores_nothing(shared):
    h = shared
    location = _consent(h, "eu")
    with _leaves_no_trace(h):
        page = h.browser.get(_callback(h, location, error="server_error"))
    assert page.status_code == 200 and "problem on Amazon" in page.text


def _assert_connect_again_works(h: Harness, page: httpx.Response) -> None:
    marker = 'href="'
    assert marker in page.text, "no Connect again link"
    href = page.text.split(marker, 1)[1].split('"', 1)[0].replace("&amp;", "&")
    assert href.startswith(f"{h.base_url}/amazon/oauth/start?t=")
    again = h.browser.get(href)
    assert again.status_code == 302 and again.headers["location"].startswith(h.sim.base_url)


HOSTILE = '"><script>alert(1)</script>'


@pytest.mark.parametrize(
    "params",
    [
        {"state": HOSTILE, "code": HOSTILE},
        {"state": HOSTILE, "error": HOSTILE, "error_description": HOSTILE},
        {"error": HOSTILE},
        {"code": HOSTILE},
        {},
    ],
    ids=["state-code", "state-error", "error-only", "code-only", "nothing"],
)
def test_hostile_query_strings_are_never_reflected(shared, params):
    h = shared
    with _leaves_no_trace(h):
        page = h.browser.get(f"{h.base_url}/amazon/oauth/callback?" + urlencode(params))
    assert page.status_code == 400
    assert "<script>" not in page.text and "alert(1)" not in page.text
    assert "/hilal connect" in page.text


def test_pages_never_echo_code_or_state(shared):
    h = shared
    location = _consent(h, "eu")
    query = parse_qs(urlsplit(location).query)
    state, code = query["state"][-1], query["code"][-1]
    pages = [
        h.browser.get(_callback(h, location, error="server_error")),  # consumes the state
        h.browser.get(location),  # already used
    ]
    with httpx.Client() as other:
        pages.append(other.get(location))
    for page in pages:
        assert state not in page.text and code not in page.text
        assert page.status_code < 500
    assert _connections(h) == []
