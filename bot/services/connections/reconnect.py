"""Amazon stopped honouring a grant: the region becomes "reconnect needed", and the team is told once.

Syncs stop (the tick only picks connected regions), every record stays, and the user who connected gets
a DM while the region's digest channels get a post, each with a Reconnect button. The notice goes out
once per lost grant: `Connection.reconnect_notified_at` is claimed with a compare-and-set `UPDATE`, so
several workers hitting `invalid_grant` at once still send one notice. A reconnect clears it.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from sqlalchemy import update
from sqlmodel import col, select

from bot.services.connections.links import connect_url
from bot.services.slack_ports import ChannelPoster, SlackCallError, SlackUnreachable
from bot.viewmodels import ReconnectNoticeVM, Region
from storage.db import session_scope
from storage.models import Connection, ConnectionStatus, DigestSubscription, table_of

if TYPE_CHECKING:
    from bot.wiring import Services

__all__ = ["mark_reconnect_needed"]

logger = logging.getLogger(__name__)


def mark_reconnect_needed(services: Services, *, connection_id: int, reason: str) -> bool:
    """Stop a connection's syncs because its grant is gone; notify the team the first time.

    Args:
        services: Shared services.
        connection_id: The connection whose refresh was refused.
        reason: Short, secret-free explanation kept in `Connection.last_error`.

    Returns:
        True when this call sent the notice (False: already notified, or not connected any more).
    """
    now = services.now()
    t = table_of(Connection)
    with session_scope(services.engine) as session:
        session.execute(
            update(t)
            .where(t.c.id == connection_id, t.c.status == ConnectionStatus.CONNECTED)
            .values(
                status=ConnectionStatus.RECONNECT_NEEDED,
                last_error=reason[:500],
                access_token_enc=None,
                access_token_expires_at=None,
                updated_at=now,
            )
        )
        claimed = session.execute(
            update(t)
            .where(
                t.c.id == connection_id,
                t.c.status == ConnectionStatus.RECONNECT_NEEDED,
                t.c.reconnect_notified_at.is_(None),
            )
            .values(reconnect_notified_at=now)
        )
        conn = session.get(Connection, connection_id)
    if conn is None or getattr(claimed, "rowcount", 0) != 1:
        return False
    logger.warning("sync.reconnect_needed", extra={"team_id": conn.team_id, "region": conn.region})
    _notify(services, conn)
    return True


def _notify(services: Services, conn: Connection) -> None:
    url = connect_url(
        services,
        team_id=conn.team_id,
        enterprise_id=conn.enterprise_id,
        user_id=conn.connected_by,
        region=conn.region,
    )
    notice = ReconnectNoticeVM(region=Region(conn.region), reconnect_url=url)
    poster: ChannelPoster = services.slack.workspace(conn.team_id, conn.enterprise_id)
    targets: list[str] = []
    if conn.connected_by:
        try:
            targets.append(poster.open_dm(conn.connected_by))
        except SlackCallError as exc:
            logger.warning("sync.reconnect_dm_failed", extra={"error": exc.error})
        except SlackUnreachable as exc:
            logger.warning("sync.reconnect_dm_failed", extra={"error": exc.kind})
    targets.extend(_digest_channels(services, conn))
    for channel in dict.fromkeys(targets):
        _post(poster, channel, notice)


def _digest_channels(services: Services, conn: Connection) -> list[str]:
    with session_scope(services.engine, readonly=True) as session:
        subs = session.exec(
            select(DigestSubscription).where(
                DigestSubscription.team_id == conn.team_id, col(DigestSubscription.paused_at).is_(None)
            )
        ).all()
    return [s.channel_id for s in subs if conn.region in {r.strip() for r in s.regions.split(",")}]


def _post(poster: ChannelPoster, channel: str, notice: ReconnectNoticeVM) -> None:
    try:
        poster.post_reconnect_notice(channel=channel, notice=notice)
    except SlackCallError as exc:
        logger.warning("sync.reconnect_post_failed", extra={"channel": channel, "error": exc.error})
    except SlackUnreachable as exc:
        logger.warning("sync.reconnect_post_failed", extra={"channel": channel, "error": exc.kind})
