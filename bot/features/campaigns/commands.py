"""Campaigns: `/hilal campaigns [filters]`, `/hilal view …` and `/hilal tag|untag|note`.

Listeners for the list's filters, paging, overflow menu and modals live in `actions`.
"""

from __future__ import annotations

from slack_sdk.errors import SlackApiError

from bot.blocks.campaigns import summarize_filter
from bot.blocks.format import Mrkdwn, mrkdwn_format
from bot.blocks.modals import render_choose_campaign
from bot.blocks.views import render_view_list
from bot.errors import UsageError
from bot.features.base import CommandContext, CommandSpec, Feature
from bot.features.campaigns.actions import register
from bot.features.campaigns.modals import apply_op
from bot.features.campaigns.ui import campaign_message, change_state, update_state
from bot.listeners.context import UnitOfWork
from bot.services.campaigns import (
    AmbiguousCampaign,
    CampaignFilter,
    clean_note,
    delete_view,
    find_view,
    list_views,
    load_user_state,
    parse_campaign_filter,
    parse_tags,
    quoted_view_name,
    resolve_campaign,
    save_view,
)
from storage.db import session_scope

__all__ = ["FEATURE"]

VIEW_USAGE = "view save NAME [shared] | view NAME | view list | view delete NAME"
TAG_EXAMPLE = '/hilal tag "Brand - Exact" launch'
NOTE_EXAMPLE = '/hilal note "Brand - Exact" Raised bids for Prime Day'


def _rest(text: str, words: int) -> str:
    """``text`` without its first ``words`` words (the raw arguments, quotes intact)."""
    parts = text.strip().split(None, words)
    return parts[words] if len(parts) > words else ""


def handle_campaigns(ctx: CommandContext) -> None:
    raw = _rest(ctx.text, 1)
    if raw.strip():
        flt = parse_campaign_filter(raw)
        update_state(ctx.services, team_id=ctx.team_id, user_id=ctx.user_id, change=lambda _old: flt)
    ctx.reply(campaign_message(ctx.services, team_id=ctx.team_id, user_id=ctx.user_id, client=ctx.client))


def _view_save(ctx: CommandContext, words: list[str]) -> None:
    shared = bool(words) and words[-1].lower() in {"shared", "--shared"}
    if words and words[-1].lower() in {"shared", "--shared", "personal", "--personal"}:
        words = words[:-1]
    with session_scope(ctx.services.engine) as session:
        flt, _ = load_user_state(session, team_id=ctx.team_id, user_id=ctx.user_id)
        view, created = save_view(
            session,
            team_id=ctx.team_id,
            user_id=ctx.user_id,
            name=" ".join(words),
            shared=shared,
            filter=flt,
            now=ctx.services.now(),
        )
    text = mrkdwn_format(
        "{verb} view “{name}” ({scope}): {summary}. Open it with `/hilal view {typed}`.",
        verb="Saved" if created else "Updated",
        name=view.name,
        typed=quoted_view_name(view.name),
        scope="shared with the workspace" if view.shared else "personal",
        summary=summarize_filter(flt.to_vm()),
    )
    ctx.reply({"text": text})


def _view_open(ctx: CommandContext, name: str) -> None:
    # Reading the view and making it the user's filter is one change: one transaction, committed before
    # the list is built (which reads the filter in its own transaction).
    uow = ctx.uow or UnitOfWork(ctx.services.engine)
    view = find_view(uow.session, team_id=ctx.team_id, user_id=ctx.user_id, name=name)
    flt, view_name = CampaignFilter.from_json(view.filter_json), view.name
    change_state(
        uow.session, team_id=ctx.team_id, user_id=ctx.user_id, now=ctx.services.now(), change=lambda _old: flt
    )
    uow.commit()
    msg = campaign_message(ctx.services, team_id=ctx.team_id, user_id=ctx.user_id, client=ctx.client)
    # a renderer's text is mrkdwn already (user parts escaped): only the view name needs escaping here
    text = mrkdwn_format("View “{name}”: {rest}", name=view_name, rest=Mrkdwn(msg["text"]))
    ctx.reply({"text": text, "blocks": msg["blocks"]})  # headed "View: NAME": the filter is the view's


def handle_view(ctx: CommandContext) -> None:
    if not ctx.args:
        raise UsageError(
            "Which view? Give a name, or save, list or delete.", hint="Example: `/hilal view list`"
        )
    sub, words = ctx.args[0].lower(), ctx.args[1:]
    if sub == "save":
        _view_save(ctx, words)
    elif sub == "list":
        with session_scope(ctx.services.engine, readonly=True) as session:
            views = list_views(session, team_id=ctx.team_id, user_id=ctx.user_id)
        ctx.reply(render_view_list(views))
    elif sub == "delete":
        if not words:
            raise UsageError("Which view should be deleted?", hint="Example: `/hilal view delete EU brand`")
        with session_scope(ctx.services.engine) as session:
            name = delete_view(session, team_id=ctx.team_id, user_id=ctx.user_id, name=" ".join(words))
        ctx.reply({"text": mrkdwn_format("Deleted view “{name}”.", name=name)})
    else:
        _view_open(ctx, " ".join(ctx.args))


def _ask_which(ctx: CommandContext, error: AmbiguousCampaign, pending: dict[str, object]) -> None:
    """Several campaigns match: ask in a modal; if it cannot open, say so with their ids."""
    try:
        view = render_choose_campaign(
            error.matches, query=error.query, pending={**pending, "channel": ctx.channel_id}
        )
        ctx.client.views_open(trigger_id=ctx.trigger_id, view=view)
    except (SlackApiError, ValueError):
        raise error from None


def _resolve(ctx: CommandContext, name: str, pending: dict[str, object]) -> int | None:
    with session_scope(ctx.services.engine, readonly=True) as session:
        try:
            campaign = resolve_campaign(session, team_id=ctx.team_id, text=name)
        except AmbiguousCampaign as error:
            ambiguous = error
        else:
            return campaign.id
    _ask_which(ctx, ambiguous, pending)
    return None


def _annotate(ctx: CommandContext, kind: str, example: str) -> None:
    if len(ctx.args) < 2:
        what = "a campaign and a tag" if kind != "note" else "a campaign and the note text"
        raise UsageError(f"`{kind}` needs {what}.", hint=f"Example: `{example}`")
    if kind == "note":
        name, value = ctx.args[0], " ".join(ctx.args[1:])
        clean_note(value)  # an empty note or NUL characters: a usage error before any lookup
    else:
        name, value = " ".join(ctx.args[:-1]), ctx.args[-1]
        parse_tags(value)  # a bad tag is a usage error before any lookup
    pending: dict[str, object] = {"op": kind, "value": value}
    pk = _resolve(ctx, name, pending)
    if pk is not None:
        text = apply_op(ctx.services, team_id=ctx.team_id, user_id=ctx.user_id, campaign_pk=pk, op=pending)
        ctx.reply({"text": text})


def handle_tag(ctx: CommandContext) -> None:
    _annotate(ctx, "tag", TAG_EXAMPLE)


def handle_untag(ctx: CommandContext) -> None:
    _annotate(ctx, "untag", '/hilal untag "Brand - Exact" launch')


def handle_note(ctx: CommandContext) -> None:
    _annotate(ctx, "note", NOTE_EXAMPLE)


FEATURE = Feature(
    name="campaigns",
    commands=[
        CommandSpec(
            "campaigns",
            'campaigns [region R,R] [marketplace M] [state S] [tag T] [sort spend|name|acos] ["text"]',
            "Browse campaigns with filters (your last filter is remembered)",
            '/hilal campaigns region eu,fe marketplace de state enabled tag launch "summer"',
            handle_campaigns,
        ),
        CommandSpec(
            "view",
            VIEW_USAGE,
            "Save the current filter as a named view (personal or shared), open, list or delete views",
            "/hilal view save EU brand shared",
            handle_view,
            aliases=("views",),
        ),
        CommandSpec(
            "tag",
            "tag CAMPAIGN TAG",
            "Tag a campaign (id, exact name or unique prefix)",
            TAG_EXAMPLE,
            handle_tag,
        ),
        CommandSpec(
            "untag",
            "untag CAMPAIGN TAG",
            "Remove a tag from a campaign",
            '/hilal untag "Brand - Exact" launch',
            handle_untag,
        ),
        CommandSpec(
            "note", "note CAMPAIGN TEXT", "Add a note to a campaign for your team", NOTE_EXAMPLE, handle_note
        ),
    ],
    register=register,
)
