"""Slack adapters: the per-team client gateway, the installation and OAuth state stores, and the ports
services use (`bot.services.slack_ports`, `bot.services.digest.DigestSlack`) implemented over `WebClient`.

Services never import this package; `bot.wiring` builds the gateway and listeners, jobs and the app use it.
"""

from __future__ import annotations

from bot.slack.digest import WebClientDigestSlack
from bot.slack.gateway import SlackGateway
from bot.slack.installations import DatabaseInstallationStore, DatabaseStateStore
from bot.slack.workspace import WebClientWorkspace

__all__ = [
    "DatabaseInstallationStore",
    "DatabaseStateStore",
    "SlackGateway",
    "WebClientDigestSlack",
    "WebClientWorkspace",
]
