"""How a failed sync is logged and told to the team (the region card's last error)."""

from __future__ import annotations

import logging

from bot.amazon.errors import ClientConfigError, RateLimited, ServerError, TransportError
from bot.errors import NotConnected
from storage.crypto import VaultError

__all__ = ["RECONNECT", "describe_failure", "log_failure"]

logger = logging.getLogger(__name__)

RECONNECT = "Amazon no longer accepts Hilal's access: reconnect the region."


def log_failure(connection_id: int, exc: Exception) -> None:
    """Log a failed sync: an error for Hilal's own misconfiguration, a warning otherwise."""
    if isinstance(exc, ClientConfigError):  # every connection fails alike until the operator fixes it
        logger.error(
            "sync.client_config_error",
            extra={
                "connection_id": connection_id,
                "error": "Login with Amazon refused Hilal's client id or secret: a configuration problem; "
                "check AMAZON_ADS_CLIENT_ID and AMAZON_ADS_CLIENT_SECRET",
            },
        )
        return
    logger.warning("sync.failed", extra={"connection_id": connection_id, "error": type(exc).__name__})


def describe_failure(exc: Exception) -> str:
    """What the region card says about a sync that failed with `exc` (never a secret or a URL)."""
    later = "the next sync retries in 15 minutes."
    if isinstance(exc, ClientConfigError):
        return (
            "Amazon refused Hilal's own app credentials (a configuration problem, not your connection): "
            f"tell the operator to check AMAZON_ADS_CLIENT_ID and AMAZON_ADS_CLIENT_SECRET; {later}"
        )
    if isinstance(exc, RateLimited):
        return f"Amazon is throttling requests; {later}"
    if isinstance(exc, (ServerError, TransportError)):
        return f"Amazon did not answer; {later}"
    if isinstance(exc, NotConnected):
        return "The region is not connected any more."
    if isinstance(exc, VaultError):
        return "The stored Amazon grant cannot be decrypted: an encryption key is missing. Tell the operator."
    status = getattr(exc, "status", None)
    return f"Amazon refused a request ({type(exc).__name__}{f' {status}' if status else ''}); {later}"
