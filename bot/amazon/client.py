"""`AdsClient`: one typed method per Amazon Ads endpoint Hilal uses, over an injected `httpx.Client`.

Every call carries `Amazon-Advertising-API-ClientId`; every call except `GET /v2/profiles` carries
`Amazon-Advertising-API-Scope`. v3 calls send their vendor media type as `Content-Type` and `Accept`.
Lists page through `nextToken` to the end. Report files are downloaded with a plain request (no auth,
no Amazon headers) and parsed as a stream. No Slack, no database: callers persist what they get.

Retries are method-blind: `RetryPolicy` retries 429, 5xx and transport errors (a connection that broke
after the request was sent included) for every call, the `PUT` writes too. That is safe only because
every write sets target values (idempotent: the same PUT twice leaves the same state); a write that is
not idempotent must not be added without its own retry rule. JSON bodies carry `Decimal` amounts as
exact numbers.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Any, TypeVar

import httpx
from pydantic import TypeAdapter, ValidationError

from bot.amazon._stream import iter_json_array
from bot.amazon.edits import (
    AdGroupUpdate,
    BudgetUsage,
    BudgetUsageFailure,
    BudgetUsageList,
    CampaignUpdate,
    EntityUpdate,
    KeywordUpdate,
    WriteOutcome,
    WriteResult,
    read_budget_usage,
    read_write_batch,
)
from bot.amazon.errors import (
    BadRequest,
    DuplicateReport,
    MalformedResponse,
    TransportError,
    raise_for_response,
)
from bot.amazon.models import AdGroup, Campaign, Keyword, Profile, ReportStatus, canonical_id
from bot.amazon.regions import RegionEndpoints
from bot.amazon.reports import ReportRequest
from bot.amazon.retry import DEFAULT_RETRY, RetryHandler, RetryPolicy, UnauthorizedHandler

__all__ = [
    "BUDGET_USAGE_BATCH",
    "DEFAULT_TIMEOUT",
    "DOWNLOAD_TIMEOUT",
    "MEDIA_TYPES",
    "WRITE_BATCH",
    "AdsClient",
]

logger = logging.getLogger(__name__)

T = TypeVar("T")
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
DOWNLOAD_TIMEOUT = httpx.Timeout(120.0, connect=10.0)
PROFILE_TYPES = "seller,vendor,agency"
MEDIA_TYPES: Mapping[str, str] = {
    "sp_campaigns": "application/vnd.spCampaign.v3+json",
    "sp_ad_groups": "application/vnd.spAdGroup.v3+json",
    "sp_keywords": "application/vnd.spKeyword.v3+json",
    "sb_campaigns": "application/vnd.sbcampaignresource.v4+json",
    "sp_budget_usage": "application/vnd.spcampaignbudgetusage.v1+json",
    # [unverified]: the reference names the SB and SD budget usage routes, not their media types.
    "sb_budget_usage": "application/vnd.sbcampaignbudgetusage.v1+json",
    "sd_budget_usage": "application/vnd.sdcampaignbudgetusage.v1+json",
    "report_create": "application/vnd.createasyncreportrequest.v3+json",
    "report_created": "application/vnd.createasyncreportresponse.v3+json",
    "report_status": "application/vnd.getasyncreportresponse.v3+json",
}
ID_FILTER_CAP = 100  # campaignIdFilter on ad groups and keywords (reference §3.1)
SD_PAGE_SIZE = 100
WRITE_BATCH = 100  # entities per PUT; Amazon takes up to 1,000, the reference says keep batches small (§3.6)
BUDGET_USAGE_BATCH = 100  # campaignIds per budget usage call: Amazon's cap (§3.6)

_AD_GROUPS = TypeAdapter(list[AdGroup])
_KEYWORDS = TypeAdapter(list[Keyword])


class AdsClient:
    """The Amazon Ads API for one region.

    Args:
        http: The HTTP client (tests inject one over `httpx.MockTransport`).
        endpoints: The region's endpoints (`api_url` is used; `region` keys the rate gate).
        client_id: LWA client id, sent as `Amazon-Advertising-API-ClientId`.
        auth: Usually `LwaAuth`; applied to API calls, never to report downloads.
        retry: Retry policy (429, 5xx, transport errors).
        timeout: Timeout of API calls.
        download_timeout: Timeout of report downloads.
        page_size: `maxResults` for v3 lists; None lets Amazon use its maximum.
    """

    def __init__(
        self,
        http: httpx.Client,
        *,
        endpoints: RegionEndpoints,
        client_id: str,
        auth: httpx.Auth,
        retry: RetryPolicy = DEFAULT_RETRY,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        download_timeout: httpx.Timeout = DOWNLOAD_TIMEOUT,
        page_size: int | None = None,
    ) -> None:
        self._http = http
        self.endpoints = endpoints
        self.client_id = client_id
        self._auth = auth
        self._retry = retry
        self._timeout = timeout
        self._download_timeout = download_timeout
        self._page_size = page_size

    def __repr__(self) -> str:
        return f"AdsClient(api_url={self.endpoints.api_url!r})"

    # -- profiles -----------------------------------------------------------------------------------

    def list_profiles(self) -> list[Profile]:
        """All seller, vendor and agency profiles of this region, view-only ones included and marked.

        Two calls: the default listing (View & Edit) and `accessLevel=view`. Whether the second returns
        only view-only profiles or all of them (reference §2.3, §10), a profile missing from the first
        is view-only. If Amazon refuses `accessLevel`, the editable profiles are returned alone.
        """
        editable = self._profiles_json({"profileTypeFilter": PROFILE_TYPES})
        try:
            viewable = self._profiles_json({"profileTypeFilter": PROFILE_TYPES, "accessLevel": "view"})
        except BadRequest as exc:
            logger.warning("amazon.profiles.view_filter_refused", extra={"status": exc.status})
            viewable = []
        where = "GET /v2/profiles"
        profiles = self._parse(lambda items: [Profile.from_api(raw) for raw in items], editable, where)
        seen = {p.profile_id for p in profiles}
        others = self._parse(
            lambda items: [Profile.from_api(r, view_only=True) for r in items], viewable, where
        )
        for profile in others:
            if profile.profile_id not in seen:
                seen.add(profile.profile_id)
                profiles.append(profile)
        return profiles

    def _profiles_json(self, params: Mapping[str, str]) -> list[Mapping[str, Any]]:
        data = self._call("GET", "/v2/profiles", params=params, accept="application/json")
        if not isinstance(data, list):
            raise MalformedResponse(
                "GET /v2/profiles did not answer a JSON array", endpoint="GET /v2/profiles"
            )
        return data

    # -- Sponsored Products, Brands, Display lists ----------------------------------------------------

    def iter_sp_campaigns(self, profile_id: str, *, states: Sequence[str]) -> Iterator[list[Campaign]]:
        """Pages of SP campaigns in `states` (empty: all states), following `nextToken` to the end."""
        return self._iter_v3(
            profile_id,
            "/sp/campaigns/list",
            media="sp_campaigns",
            key="campaigns",
            body=self._list_body(states),
            parse=lambda items: [Campaign.from_sp(i) for i in items],
        )

    def iter_sp_ad_groups(
        self, profile_id: str, *, states: Sequence[str], campaign_ids: Sequence[str] | None = None
    ) -> Iterator[list[AdGroup]]:
        """Pages of SP ad groups, optionally only of `campaign_ids` (sent 100 at a time)."""
        for body in self._id_filtered_bodies(states, campaign_ids):
            yield from self._iter_v3(
                profile_id,
                "/sp/adGroups/list",
                media="sp_ad_groups",
                key="adGroups",
                body=body,
                parse=_AD_GROUPS.validate_python,
            )

    def iter_sp_keywords(
        self, profile_id: str, *, states: Sequence[str], campaign_ids: Sequence[str] | None = None
    ) -> Iterator[list[Keyword]]:
        """Pages of SP keywords, optionally only of `campaign_ids` (sent 100 at a time)."""
        for body in self._id_filtered_bodies(states, campaign_ids):
            yield from self._iter_v3(
                profile_id,
                "/sp/keywords/list",
                media="sp_keywords",
                key="keywords",
                body=body,
                parse=_KEYWORDS.validate_python,
            )

    def iter_sb_campaigns(self, profile_id: str, *, states: Sequence[str]) -> Iterator[list[Campaign]]:
        """Pages of Sponsored Brands campaigns (v4 list, `nextToken` paging)."""
        return self._iter_v3(
            profile_id,
            "/sb/v4/campaigns/list",
            media="sb_campaigns",
            key="campaigns",
            body=self._list_body(states),
            parse=lambda items: [Campaign.from_sb(i) for i in items],
        )

    def iter_sd_campaigns(self, profile_id: str, *, states: Sequence[str]) -> Iterator[list[Campaign]]:
        """Pages of Sponsored Display campaigns (`GET /sd/campaigns`, offset paging)."""
        params: dict[str, str | int] = {"count": SD_PAGE_SIZE}
        if states:
            params["stateFilter"] = ",".join(s.lower() for s in states)
        start = 0
        while True:
            data = self._call(
                "GET",
                "/sd/campaigns",
                profile_id=profile_id,
                accept="application/json",
                params={**params, "startIndex": start},
            )
            if not isinstance(data, list):
                raise MalformedResponse(
                    "GET /sd/campaigns did not answer a JSON array", endpoint="GET /sd/campaigns"
                )
            if data:
                yield self._parse(
                    lambda items: [Campaign.from_sd(i) for i in items], data, "GET /sd/campaigns"
                )
            if len(data) < SD_PAGE_SIZE:
                return
            start += len(data)

    def _list_body(self, states: Sequence[str]) -> dict[str, Any]:
        body: dict[str, Any] = {}
        if states:
            body["stateFilter"] = {"include": [s.upper() for s in states]}
        if self._page_size:
            body["maxResults"] = self._page_size
        return body

    def _id_filtered_bodies(
        self, states: Sequence[str], campaign_ids: Sequence[str] | None
    ) -> Iterator[dict[str, Any]]:
        if campaign_ids is None:
            yield self._list_body(states)
            return
        ids = [canonical_id(c) for c in campaign_ids]
        for i in range(0, len(ids), ID_FILTER_CAP):
            yield {**self._list_body(states), "campaignIdFilter": {"include": ids[i : i + ID_FILTER_CAP]}}

    def _iter_v3(
        self,
        profile_id: str,
        path: str,
        *,
        media: str,
        key: str,
        body: Mapping[str, Any],
        parse: Callable[[list[Any]], list[T]],
    ) -> Iterator[list[T]]:
        where = f"POST {path}"
        seen: set[str] = set()
        token: str | None = None
        while True:
            page = {**body, "nextToken": token} if token else dict(body)
            data = self._call("POST", path, profile_id=profile_id, media_type=MEDIA_TYPES[media], body=page)
            items = data.get(key) if isinstance(data, Mapping) else None
            if not isinstance(items, list):
                raise MalformedResponse(f"{where} answered without a {key!r} array", endpoint=where)
            if items:
                yield self._parse(parse, items, where)
            token = data.get("nextToken") or None
            if token is None:
                return
            if token in seen:
                raise MalformedResponse(f"{where} repeated a nextToken", endpoint=where)
            seen.add(token)

    @staticmethod
    def _parse(parse: Callable[[list[Any]], list[T]], items: list[Any], where: str) -> list[T]:
        try:
            return parse(items)
        except (ValidationError, KeyError, TypeError, ValueError) as exc:
            raise MalformedResponse(
                f"{where} returned an item we cannot read: {exc}", endpoint=where
            ) from None

    # -- Sponsored Products live edits; SP, SB and SD budget usage ---------------------------------

    def update_sp_campaigns(self, profile_id: str, updates: Sequence[CampaignUpdate]) -> WriteResult:
        """Set state and/or daily budget of SP campaigns (`PUT /sp/campaigns`, `WRITE_BATCH` per call).

        Each update sends only the fields it sets. A refused entity is a failed outcome, not an error;
        throttling, 5xx and broken connections are retried (safe: target values are idempotent).

        Args:
            profile_id: The profile (Scope) the campaigns belong to.
            updates: Target values, one per campaign.

        Returns:
            One outcome per update, in request order (batches concatenated).

        Raises:
            AccessDenied: 403, e.g. a view-only profile.
            UnsupportedMediaType / BadRequest / Unauthorized / ServerError / RateLimited /
                TransportError: The whole call failed (after retries). Batches sent before it stay
                applied; calling again with the same updates is safe.
            MalformedResponse: The answer is not a multi-status body.
        """
        return self._write(profile_id, "/sp/campaigns", "sp_campaigns", "campaigns", "campaignId", updates)

    def update_sp_ad_groups(self, profile_id: str, updates: Sequence[AdGroupUpdate]) -> WriteResult:
        """Set state and/or default bid of SP ad groups (`PUT /sp/adGroups`); as `update_sp_campaigns`."""
        return self._write(profile_id, "/sp/adGroups", "sp_ad_groups", "adGroups", "adGroupId", updates)

    def update_sp_keywords(self, profile_id: str, updates: Sequence[KeywordUpdate]) -> WriteResult:
        """Set state and/or bid of SP keywords (`PUT /sp/keywords`); as `update_sp_campaigns`."""
        return self._write(profile_id, "/sp/keywords", "sp_keywords", "keywords", "keywordId", updates)

    def get_sp_budget_usage(self, profile_id: str, campaign_ids: Sequence[str]) -> BudgetUsageList:
        """Intraday budget usage of SP campaigns (`POST /sp/campaigns/budget/usage`, 100 ids per call).

        Args:
            profile_id: The profile (Scope) the campaigns belong to.
            campaign_ids: The campaigns; no call is made for an empty list.

        Returns:
            A list of `BudgetUsage` in request order; `.errors` holds a `BudgetUsageFailure` for each id
            Amazon could not answer.

        Raises:
            AmazonAdsError: The whole call failed (see `raise_for_response`).
            MalformedResponse: The answer cannot be read.
        """
        return self._budget_usage("sp", profile_id, campaign_ids)

    def get_sb_budget_usage(self, profile_id: str, campaign_ids: Sequence[str]) -> BudgetUsageList:
        """Intraday budget usage of SB campaigns (`POST /sb/campaigns/budget/usage`); as the SP one.

        The answer has SP's shape (reference §3.6); the media type sent is [unverified].
        """
        return self._budget_usage("sb", profile_id, campaign_ids)

    def get_sd_budget_usage(self, profile_id: str, campaign_ids: Sequence[str]) -> BudgetUsageList:
        """Intraday budget usage of SD campaigns (`POST /sd/campaigns/budget/usage`); as the SP one.

        The answer has SP's shape (reference §3.6); the media type sent is [unverified].
        """
        return self._budget_usage("sd", profile_id, campaign_ids)

    def _budget_usage(self, product: str, profile_id: str, campaign_ids: Sequence[str]) -> BudgetUsageList:
        """`POST /{product}/campaigns/budget/usage` (sp, sb or sd), `BUDGET_USAGE_BATCH` ids a call."""
        path = f"/{product}/campaigns/budget/usage"
        media = MEDIA_TYPES[f"{product}_budget_usage"]
        ids = [canonical_id(c) for c in campaign_ids]
        usages: list[BudgetUsage] = []
        failures: list[BudgetUsageFailure] = []
        for start in range(0, len(ids), BUDGET_USAGE_BATCH):
            chunk = ids[start : start + BUDGET_USAGE_BATCH]
            data = self._call(
                "POST", path, profile_id=profile_id, media_type=media, body={"campaignIds": chunk}
            )
            got, missed = read_budget_usage(data, campaign_ids=chunk, where=f"POST {path}")
            usages.extend(got)
            failures.extend(missed)
        return BudgetUsageList(usages, failures)

    def _write(
        self,
        profile_id: str,
        path: str,
        media: str,
        key: str,
        id_field: str,
        updates: Sequence[EntityUpdate],
    ) -> WriteResult:
        outcomes: list[WriteOutcome] = []
        for start in range(0, len(updates), WRITE_BATCH):
            batch = updates[start : start + WRITE_BATCH]
            data = self._call(
                "PUT",
                path,
                profile_id=profile_id,
                media_type=MEDIA_TYPES[media],
                body={key: [update.to_body() for update in batch]},
            )
            ids = [update.entity_id for update in batch]
            got = read_write_batch(data, key=key, id_field=id_field, entity_ids=ids, where=f"PUT {path}")
            logger.info(
                "amazon.write.batch",
                extra={
                    "profile_id": profile_id,
                    "endpoint": f"PUT {path}",
                    "sent": len(batch),
                    "failed": sum(not o.ok for o in got),
                },
            )
            outcomes.extend(got)
        return WriteResult(outcomes=tuple(outcomes))

    # -- reports ------------------------------------------------------------------------------------

    def create_report(self, profile_id: str, request: ReportRequest) -> str:
        """Ask for a report; returns its id. A 425 duplicate adopts the existing report's id.

        Raises:
            DuplicateReport: 425 without a report id in the answer.
            InvalidArgument / BadRequest: Refused configuration, range or retention.
        """
        try:
            data = self._call(
                "POST",
                "/reporting/reports",
                profile_id=profile_id,
                body=request.to_body(),
                media_type=MEDIA_TYPES["report_create"],
                accept=MEDIA_TYPES["report_created"],
            )
        except DuplicateReport as exc:
            if not exc.report_id:
                raise
            logger.info(
                "amazon.report.duplicate_adopted",
                extra={"profile_id": profile_id, "report_id": exc.report_id},
            )
            return exc.report_id
        report_id = data.get("reportId") if isinstance(data, Mapping) else None
        if not report_id:
            raise MalformedResponse("POST /reporting/reports answered without a reportId")
        logger.info("amazon.report.created", extra={"profile_id": profile_id, "report_id": report_id})
        return str(report_id)

    def get_report(self, profile_id: str, report_id: str) -> ReportStatus:
        """The report's status (and download URL once `COMPLETED`). Spurious 401s are retried."""
        path = f"/reporting/reports/{report_id}"
        data = self._call(
            "GET",
            path,
            profile_id=profile_id,
            accept=MEDIA_TYPES["report_status"],
            extra=(UnauthorizedHandler(),),
        )
        if not isinstance(data, Mapping):
            raise MalformedResponse(f"GET {path} did not answer a JSON object")
        return self._parse(lambda items: [ReportStatus.model_validate(items[0])], [data], f"GET {path}")[0]

    def delete_report(self, profile_id: str, report_id: str) -> None:
        """Cancel a `PENDING` report."""
        self._call(
            "DELETE", f"/reporting/reports/{report_id}", profile_id=profile_id, accept="application/json"
        )

    def iter_report_rows(self, url: str) -> Iterator[dict[str, Any]]:
        """Download a completed report and yield its rows as they arrive (memory stays flat).

        The request is plain: no auth, no Amazon headers (pre-signed URLs refuse them). Money values are
        `Decimal`, ids are integers as Amazon sends them (see `reports.parse_campaign_row`).

        Raises:
            AccessDenied: The URL expired (poll the report again for a fresh one).
            TransportError: The download broke off; rows already yielded must be discarded.
            MalformedResponse: Not gzip JSON.
        """
        request = httpx.Request(
            "GET",
            url,
            headers={"Accept": "*/*", "User-Agent": "hilal"},
            extensions={"timeout": self._download_timeout.as_dict()},
        )
        response = self._retry.execute(
            lambda: self._http.send(request, auth=None, stream=True, follow_redirects=True)
        )
        try:
            raise_for_response(response)
            yield from iter_json_array(response.iter_bytes())
        except httpx.TransportError as exc:
            raise TransportError(f"report download broke off ({type(exc).__name__})") from exc
        except httpx.DecodingError:
            raise MalformedResponse("report download could not be decoded") from None
        finally:
            response.close()

    # -- plumbing -----------------------------------------------------------------------------------

    def _call(
        self,
        method: str,
        path: str,
        *,
        profile_id: str | None = None,
        media_type: str | None = None,
        accept: str | None = None,
        body: Mapping[str, Any] | None = None,
        params: Mapping[str, str | int] | None = None,
        extra: Sequence[RetryHandler] = (),
    ) -> Any:
        headers = {"Amazon-Advertising-API-ClientId": self.client_id}
        if profile_id is not None:
            headers["Amazon-Advertising-API-Scope"] = canonical_id(profile_id)
        if media_type is not None:
            headers["Content-Type"] = media_type
        headers["Accept"] = accept or media_type or "application/json"
        content = _dumps(body).encode() if body is not None else None
        request = self._http.build_request(
            method,
            self.endpoints.api_url + path,
            headers=headers,
            content=content,
            params=params,
            timeout=self._timeout,
        )
        response = self._retry.execute(
            lambda: self._http.send(request, auth=self._auth), gate_key=self.endpoints.region, extra=extra
        )
        raise_for_response(response)
        if not response.content:
            return None
        try:
            return json.loads(response.content, parse_float=Decimal)
        except ValueError:
            raise MalformedResponse(
                f"{method} {path} did not answer JSON", status=response.status_code
            ) from None


class _NeedsExact(Exception):
    """The body holds a value the plain encoder cannot write as `_exact` would (a `Decimal` …)."""


def _plain_default(value: Any) -> str:
    if isinstance(value, (Decimal, Mapping)):
        raise _NeedsExact
    return str(value)


_PLAIN = json.JSONEncoder(separators=(",", ":"), default=_plain_default)


def _dumps(value: Any) -> str:
    """Compact JSON in which a `Decimal` is the exact number it holds (never through a float).

    Bodies without amounts (a bulk pause) go through the C encoder; the first `Decimal` (or a mapping
    that is not a `dict`) hands the whole body to `_exact`, which writes the same text for the rest.
    """
    try:
        return _PLAIN.encode(value)
    except (_NeedsExact, TypeError):
        return _exact(value)


def _exact(value: Any) -> str:
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"cannot send {value} as a JSON number")
        return format(value, "f")
    if isinstance(value, Mapping):
        return "{" + ",".join(f"{json.dumps(str(k))}:{_exact(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(_exact(v) for v in value) + "]"
    return json.dumps(value, default=str)
