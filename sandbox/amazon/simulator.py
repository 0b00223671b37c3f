"""The public façade: :class:`AmazonSimulator` and :func:`serve_forever`."""

from __future__ import annotations

import dataclasses
import http.client
import logging
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import urlencode, urlsplit

from sandbox.amazon import persist, usage
from sandbox.amazon import seed as seeding
from sandbox.amazon.config import SimConfig
from sandbox.amazon.entities import CAMPAIGN_BASE, encode_id
from sandbox.amazon.faults import Faults
from sandbox.amazon.http import RecordedRequest, Response, json_response, recorded
from sandbox.amazon.metrics import Restatement
from sandbox.amazon.regions import API_HOSTS, CONSENT_HOSTS, REGIONS, TOKEN_HOSTS
from sandbox.amazon.router import dispatch
from sandbox.amazon.state import SimState, User
from sandbox.amazon.truth import Truth
from sandbox.httpkit import HttpServer, Request
from sandbox.statefile import AutoSaver, StateFile, StateFileError

__all__ = ["AmazonSimulator", "ConsentError", "serve_forever"]

log = logging.getLogger(__name__)
_TXN = re.compile(r"name='txn' value='([^']+)'")
_ACTION = re.compile(r"<form method='post' action='([^']+)'")
_ERROR = re.compile(r"<p class='error'>([^<]*)</p>")


class ConsentError(Exception):
    """The consent page showed an error instead of redirecting (unknown client, bad redirect_uri, …)."""


class AmazonSimulator:
    """Amazon Ads API + Login with Amazon on one loopback port (reference §8).

    Use as a context manager, or call :meth:`start` and :meth:`stop`. With ``state_file`` the simulator
    starts from what that file holds (when it exists) and keeps it up to date while it serves, so a
    restarted simulator still honours the refresh tokens, access tokens and reports it issued.
    """

    def __init__(self, config: SimConfig | None = None, *, state_file: Path | None = None) -> None:
        """Create a stopped simulator.

        Raises:
            sandbox.statefile.StateFileError: ``state_file`` exists but cannot be loaded.
        """
        self.config = config or SimConfig()
        self._state = SimState(self.config)
        self._server: HttpServer | None = None
        self.truth = Truth(self._state)
        self._saver: AutoSaver | None = None
        if state_file is not None:
            file = StateFile(state_file, kind=persist.KIND, version=persist.FORMAT_VERSION)
            saved = file.read()
            if saved is not None:
                try:
                    persist.restore(self._state, saved)
                except ValueError as exc:
                    raise StateFileError(f"{state_file}: {exc}") from None
            self._saver = AutoSaver(file, lambda: persist.snapshot(self._state))

    # -- lifecycle -----------------------------------------------------------------------------------
    def start(self, host: str = "127.0.0.1", port: int = 0) -> AmazonSimulator:
        """Start serving on ``host:port`` (0 picks a free port) in a daemon thread."""
        if self._server is not None:
            raise RuntimeError("simulator already started")
        server = HttpServer(
            self._serve, host=host, port=port, name="amazon-simulator", on_error=_internal_error
        )
        self._state.base_url = server.start().url
        if self._saver is not None:
            self._saver.start().poke()
        self._server = server
        log.info("amazon simulator listening on %s", self._state.base_url)
        return self

    def stop(self) -> None:
        """Stop serving (idempotent); with a state file, write it one last time."""
        if self._server is not None:
            self._server.stop()
            self._server = None
        if self._saver is not None:
            self._saver.stop()

    def save(self) -> None:
        """Write the state file now (no-op without one)."""
        if self._saver is not None:
            self._saver.flush()

    def _serve(self, request: Request) -> Response:
        try:
            return dispatch(self._state, recorded(request, self._state.now()))
        finally:
            if self._saver is not None:
                self._saver.poke()

    def __enter__(self) -> AmazonSimulator:
        if self._server is None:
            self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # -- URLs ----------------------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT`` (empty before :meth:`start`)."""
        return self._state.base_url

    def region_urls(self, region: str) -> dict[str, str]:
        """``auth_url`` (…/ap/oa), ``token_url`` (…/auth/o2/token) and ``api_url`` (host root) of a region."""
        r = region.lower()
        if r not in REGIONS:
            raise ValueError(f"region must be one of {REGIONS}")
        base = self.base_url
        return {
            "auth_url": f"{base}/{CONSENT_HOSTS[r]}/ap/oa",
            "token_url": f"{base}/{TOKEN_HOSTS[r]}/auth/o2/token",
            "api_url": f"{base}/{API_HOSTS[r]}",
        }

    @property
    def revoke_url(self) -> str:
        """The unofficial revoke endpoint on the NA token host."""
        return f"{self.base_url}/{TOKEN_HOSTS['na']}/auth/o2/revoke"

    # -- clock ---------------------------------------------------------------------------------------
    def now(self) -> datetime:
        """Simulator time (clock + offset), timezone-aware UTC."""
        return self._state.now()

    def advance(self, seconds: float) -> None:
        """Move simulator time forward (codes, tokens, reports and URLs all follow it)."""
        with self._state.lock:
            self._state.offset += seconds

    # -- accounts and data ---------------------------------------------------------------------------
    def add_user(self, user_id: str, name: str | None = None) -> None:
        """Add (or rename) an Amazon account that can sign in on the consent page."""
        with self._state.lock:
            self._state.users[user_id] = User(user_id, name or user_id)

    def allow_redirect_uri(self, url: str) -> None:
        """Add an "Allowed Return URL" to the simulated security profile."""
        with self._state.lock:
            self._state.redirect_uris.add(url)

    def seed_demo(self) -> list[dict[str, Any]]:
        """Seed the local-mode demo (user ``demo``); returns its profiles in ``/v2/profiles`` shape."""
        return [p.to_json() for p in seeding.seed_demo(self._state)]

    def seed_account(
        self,
        *,
        user_id: str,
        region: str,
        marketplaces: Sequence[str],
        campaigns_per_profile: int = 5,
        ad_groups_per_campaign: int = 2,
        keywords_per_ad_group: int = 5,
        days: int = 60,
        profile_type: str = "seller",
        access: str = "edit",
        accounts: int = 1,
        account_name: str | None = None,
        active_keyword_share: float = 0.15,
    ) -> list[dict[str, Any]]:
        """Seed ``accounts`` accounts for ``user_id`` with one profile per marketplace; returns the profiles.

        Entities and metrics are generated lazily, so 200,000 keywords or 300 profiles are cheap.
        """
        specs = seeding.seed_account(
            self._state,
            user_id=user_id,
            region=region,
            marketplaces=marketplaces,
            campaigns_per_profile=campaigns_per_profile,
            ad_groups_per_campaign=ad_groups_per_campaign,
            keywords_per_ad_group=keywords_per_ad_group,
            days=days,
            profile_type=profile_type,
            access=access,
            accounts=accounts,
            account_name=account_name,
            active_keyword_share=active_keyword_share,
        )
        return [p.to_json() for p in specs]

    def restate(self) -> int:
        """Restate the most recent days (profile time zone) so later reads see bumped numbers.

        Returns:
            The restatement generation.
        """
        with self._state.lock:
            generation = len(self._state.restatements) + 1
            self._state.restatements.append(Restatement(generation, self._state.now()))
        return generation

    # -- changing an account, as an advertiser would in Amazon's console ------------------------------
    def change_campaign(
        self, profile_id: int | str, index: int, *, name: str | None = None, state: str | None = None
    ) -> str:
        """Rename campaign ``index`` of a profile and/or set its state (ENABLED, PAUSED, ARCHIVED).

        Returns:
            The campaign's id, as the Ads API lists it.
        """
        changes = {key: value for key, value in (("name", name), ("state", state)) if value is not None}
        with self._state.lock:
            spec = self._state.profiles[int(profile_id)]
            spec.overrides.setdefault(index, {}).update(changes)
        return str(encode_id(CAMPAIGN_BASE, spec, index))

    def set_budget_usage(self, profile_id: int | str, campaign_id: int | str, percent: float) -> None:
        """Make the budget usage routes report ``percent`` for a campaign until its profile's midnight.

        The campaign may be SP, SB or SD (its id says which; each product answers on its own route).
        ``100`` stands for "out of budget". The forced figure lapses at the profile's midnight.

        Raises:
            KeyError: unknown profile or campaign.
            ValueError: ``percent`` outside 0 to 100.
        """
        with self._state.lock:
            spec = self._state.profiles[int(profile_id)]
        for product in ("SP", "SB", "SD"):
            index = usage.decode_campaign(spec, product, campaign_id)
            if index is not None:
                usage.force_usage(self._state, spec, index, percent, product=product)
                return
        raise KeyError(f"profile {profile_id} has no campaign {campaign_id}")

    def shrink_account(self, profile_id: int | str, *, campaigns: int) -> None:
        """Delete a profile's campaigns from number ``campaigns`` on, with their ad groups and keywords."""
        with self._state.lock:
            spec = self._state.profiles[int(profile_id)]
            if not 0 <= campaigns <= spec.campaigns:
                raise ValueError(f"the profile has {spec.campaigns} campaigns, cannot keep {campaigns}")
            self._state.profiles[int(profile_id)] = dataclasses.replace(spec, campaigns=campaigns)

    # -- faults and controls -------------------------------------------------------------------------
    @property
    def faults(self) -> Faults:
        """Armed faults: ``sim.faults.add(route=…, kind=…, profile_id=…, times=…)``."""
        return self._state.faults

    def revoke_grant(self, refresh_token: str | None = None, user_id: str | None = None) -> int:
        """Remove the app from the user's account (amazon.com/ap/adam); returns how many grants died."""
        count = 0
        with self._state.lock:
            for grant in self._state.grants.values():
                if (
                    (refresh_token is None or grant.refresh_token == refresh_token)
                    and (user_id is None or grant.user_id == user_id)
                    and not grant.revoked
                ):
                    grant.revoked = True
                    count += 1
        return count

    def fail_reports(self, profile_id: int | str, times: int = 1) -> None:
        """Make the next ``times`` reports created for ``profile_id`` end FAILED."""
        with self._state.lock:
            self._state.fail_reports[int(profile_id)] = times

    def set_report_delay(self, seconds: float) -> None:
        """Simulated seconds from creation to COMPLETED for reports created from now on."""
        with self._state.lock:
            self._state.report_delay = seconds

    # -- recording -----------------------------------------------------------------------------------
    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received so far (a copy)."""
        with self._state.lock:
            return list(self._state.requests)

    def clear_requests(self) -> None:
        """Forget recorded requests."""
        with self._state.lock:
            self._state.requests.clear()

    # -- consent helpers -----------------------------------------------------------------------------
    def approve(self, consent_url: str, *, user_id: str = "demo") -> str:
        """Open the consent page like a browser and click Allow; return the redirect ``Location``.

        When the page redirects straight away (for example ``error=invalid_scope``) that Location is
        returned. Raises :class:`ConsentError` when the page shows an error instead.
        """
        return self._decide(consent_url, "allow", user_id)

    def deny(self, consent_url: str, *, user_id: str = "demo") -> str:
        """Open the consent page and click Cancel; return the redirect ``Location``."""
        return self._decide(consent_url, "cancel", user_id)

    def _decide(self, consent_url: str, decision: str, user_id: str) -> str:
        page = _http("GET", consent_url)
        if page.status in (301, 302, 303):
            return page.location
        txn, action = _TXN.search(page.text), _ACTION.search(page.text)
        if page.status != 200 or txn is None or action is None:
            error = _ERROR.search(page.text)
            raise ConsentError(error.group(1) if error else f"consent page answered {page.status}")
        parts = urlsplit(consent_url)
        form = urlencode({"txn": txn.group(1), "decision": decision, "user_id": user_id})
        answer = _http("POST", f"{parts.scheme}://{parts.netloc}{action.group(1)}", form)
        if answer.status not in (301, 302, 303):
            error = _ERROR.search(answer.text)
            raise ConsentError(error.group(1) if error else f"decision answered {answer.status}")
        return answer.location


def _internal_error(_request: Request) -> Response:
    return json_response(500, {"code": "INTERNAL_ERROR", "message": "Simulator error"})


@dataclass(frozen=True)
class _Page:
    status: int
    location: str
    text: str


def _http(method: str, url: str, form: str | None = None) -> _Page:
    """A tiny browser step without following redirects (stdlib, so it costs no TLS setup)."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port or 80, timeout=10)
    try:
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        headers = {"Content-Type": "application/x-www-form-urlencoded"} if form is not None else {}
        conn.request(method, target, body=form, headers=headers)
        response = conn.getresponse()
        return _Page(response.status, response.getheader("Location") or "", response.read().decode("utf-8"))
    finally:
        conn.close()


def serve_forever(
    host: str = "127.0.0.1", port: int = 8765, *, seed_demo: bool = True, config: SimConfig | None = None
) -> None:
    """Run a simulator in the foreground until interrupted (for ``hilal sandbox``). Prints nothing.

    Without ``config``, loopback return URLs are allowed so a local Hilal can connect.
    """
    sim = AmazonSimulator(config or SimConfig(allow_loopback_redirects=True))
    if seed_demo:
        sim.seed_demo()
    sim.start(host=host, port=port)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        log.info("amazon simulator interrupted")
    finally:
        sim.stop()
