"""The public surface of `bot.amazon` (httpx `tests/test_exported_members.py` style) and its boundaries."""

from __future__ import annotations

import ast
from pathlib import Path

import bot.amazon

PACKAGE = Path(bot.amazon.__file__).parent


def test_every_exported_name_exists_and_is_listed_once():
    names = bot.amazon.__all__
    assert len(names) == len(set(names))
    for name in names:
        assert hasattr(bot.amazon, name), name


def test_the_contract_names_others_code_against_are_exported():
    contract = {
        "Region",
        "RegionEndpoints",
        "DEFAULT_ENDPOINTS",
        "endpoints_for",
        "AmazonAdsError",
        "AuthError",
        "GrantRevoked",
        "ReconnectRequired",
        "CodeRejected",
        "ClientConfigError",
        "Unauthorized",
        "RateLimited",
        "ServerError",
        "TransportError",
        "NotFound",
        "BadRequest",
        "InvalidArgument",
        "UnsupportedMediaType",
        "DuplicateReport",
        "ReportFailed",
        "raise_for_response",
        "TokenSet",
        "Profile",
        "Campaign",
        "AdGroup",
        "Keyword",
        "ReportStatus",
        "CampaignMetricRow",
        "KeywordMetricRow",
        "make_pkce",
        "consent_url",
        "LwaClient",
        "LwaAuth",
        "TokenCache",
        "RetryPolicy",
        "RateGate",
        "AdsClient",
        "ReportRequest",
        "report_windows",
        "parse_campaign_row",
        "parse_keyword_row",
    }
    assert contract <= set(bot.amazon.__all__)


def test_every_module_declares_all_and_future_annotations():
    for path in PACKAGE.glob("*.py"):
        tree = ast.parse(path.read_text())
        assert any(isinstance(n, ast.ImportFrom) and n.module == "__future__" for n in tree.body), path.name
        assert any(
            isinstance(n, ast.Assign) and any(getattr(t, "id", "") == "__all__" for t in n.targets)
            for n in tree.body
        ), path.name


def test_the_client_imports_no_slack_no_storage_and_no_other_bot_module():
    for path in PACKAGE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            modules = []
            if isinstance(node, ast.Import):
                modules = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                modules = [node.module]
            for module in modules:
                assert not module.startswith(("slack_bolt", "slack_sdk", "storage", "sandbox")), (
                    path.name,
                    module,
                )
                assert not module.startswith("bot.") or module.startswith("bot.amazon"), (path.name, module)
