"""Regions: `/hilal connect|regions|marketplaces|sync|disconnect` and the region card buttons."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from bot.amazon.regions import Region
from bot.blocks.common import message
from bot.blocks.modals import render_disconnect_confirm
from bot.blocks.region_card import render_region_cards_message
from bot.errors import UsageError
from bot.features.base import CommandContext, CommandSpec, Feature
from bot.features.regions_actions import (
    SYNC_NEEDS_RECONNECT,
    RegionNeedsReconnect,
    open_picker_message,
    register,
    start_region_sync,
)
from bot.listeners import permission
from bot.services.connections import build_region_cards
from bot.viewmodels import RegionCardVM

if TYPE_CHECKING:
    from slack_sdk import WebClient

    from bot.blocks.common import Message
    from bot.wiring import Services

__all__ = ["FEATURE", "parse_region", "require_manager"]


def parse_region(args: list[str], usage: str) -> str:
    """The single REGION argument (na, eu, fe in any case).

    Raises:
        UsageError: missing, extra or unknown region.
    """
    if not args:
        raise UsageError("Which region? Give one of na, eu or fe.", hint=f"Example: `/hilal {usage} eu`")
    if len(args) > 1:
        raise UsageError(f"Expected one region, got {len(args)} words.", hint=f"Example: `/hilal {usage} eu`")
    try:
        return Region.parse(args[0]).value
    except ValueError:
        raise UsageError(
            f"`{args[0][:20]}` is not a region: use na, eu or fe.", hint=f"Example: `/hilal {usage} fe`"
        ) from None


def require_manager(services: Services, client: WebClient, *, team_id: str, user_id: str) -> None:
    """Raises `NotAllowed` (saying who can) unless the user may manage connections."""
    permission.require_manager(
        services,
        client,
        team_id=team_id,
        user_id=user_id,
        doing="connect, disconnect or change marketplaces",
    )


def _render_key(ctx: CommandContext) -> str:
    return str(int(ctx.services.now().timestamp()))


def _reply_url(ctx: CommandContext) -> str:
    """The command's response_url: Connect links carry it (sealed) so the consent replaces this reply."""
    return str(ctx.body.get("response_url") or "")


def _cards(ctx: CommandContext, only: str | None = None) -> list[RegionCardVM]:
    """The region cards for the command's user (or just `only`), their Connect links answering this reply."""
    return build_region_cards(
        ctx.services,
        team_id=ctx.team_id,
        enterprise_id=ctx.enterprise_id,
        user_id=ctx.user_id,
        only=only,
        render_key=_render_key(ctx),
        reply_url=_reply_url(ctx),
    )


def handle_connect(ctx: CommandContext) -> None:
    region = parse_region(ctx.args, "connect")
    require_manager(ctx.services, ctx.client, team_id=ctx.team_id, user_id=ctx.user_id)
    ctx.reply(render_region_cards_message(_cards(ctx, region)))


def handle_regions(ctx: CommandContext) -> None:
    if ctx.args:
        raise UsageError("`regions` takes no arguments.", hint="Example: `/hilal regions`")
    ctx.reply(render_region_cards_message(_cards(ctx)))


def handle_marketplaces(ctx: CommandContext) -> None:
    region = parse_region(ctx.args, "marketplaces")
    require_manager(ctx.services, ctx.client, team_id=ctx.team_id, user_id=ctx.user_id)
    ctx.reply(open_picker_message(ctx.services, team_id=ctx.team_id, region=region, user_id=ctx.user_id))


def handle_sync(ctx: CommandContext) -> None:
    region = parse_region(ctx.args, "sync")
    # Anyone in the workspace may sync (see `start_region_sync`); no manager check on purpose.
    try:
        text = start_region_sync(ctx.services, team_id=ctx.team_id, region=region, user_id=ctx.user_id)
    except RegionNeedsReconnect:
        ctx.reply(_needs_reconnect_card(ctx, region))
        return
    ctx.reply({"text": text})


def _needs_reconnect_card(ctx: CommandContext, region: str) -> Message:
    """The region's card (with its Reconnect button), saying why the sync did not start."""
    cards = _cards(ctx, region)
    note = SYNC_NEEDS_RECONNECT.format(code=region.upper())
    msg = render_region_cards_message([replace(card, warning=note) for card in cards])
    return message(f"{region.upper()} needs a reconnect before it can sync.", msg["blocks"])


def handle_disconnect(ctx: CommandContext) -> None:
    region = parse_region(ctx.args, "disconnect")
    require_manager(ctx.services, ctx.client, team_id=ctx.team_id, user_id=ctx.user_id)
    ctx.reply(render_disconnect_confirm(region))


FEATURE = Feature(
    name="regions",
    commands=[
        CommandSpec(
            "connect",
            "connect REGION",
            "Connect an Amazon Ads region (na, eu, fe); admins only",
            "/hilal connect eu",
            handle_connect,
        ),
        CommandSpec("regions", "regions", "Show the three region cards", "/hilal regions", handle_regions),
        CommandSpec(
            "marketplaces",
            "marketplaces REGION",
            "Choose which marketplaces Hilal syncs (saved when you press Save); admins only",
            "/hilal marketplaces eu",
            handle_marketplaces,
        ),
        CommandSpec(
            "sync",
            "sync REGION",
            "Sync a region now; anyone in the workspace may",
            "/hilal sync fe",
            handle_sync,
        ),
        CommandSpec(
            "disconnect",
            "disconnect REGION",
            "Disconnect a region (history is kept); admins only",
            "/hilal disconnect na",
            handle_disconnect,
        ),
    ],
    register=register,
)
