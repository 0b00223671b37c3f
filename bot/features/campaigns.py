"""Campaigns: `/hilal campaigns [filters]`, `/hilal view …`, `/hilal tag|untag|note`, and the App Home hooks.

Listeners for the list's filters, paging, overflow menu and modals live in `campaigns_actions`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from slack_sdk.errors import SlackApiError

from bot.blocks.campaigns import summarize_filter
from bot.blocks.format import Mrkdwn, mrkdwn_format
from bot.blocks.modals import render_choose_campaign
from bot.blocks.views import render_view_list
from bot.errors import UsageError
from bot.features.base import CommandContext, CommandSpec, Feature
from bot.features.campaigns_actions import register
from bot.features.campaigns_modals import apply_op
from bot.features.campaigns_ui import build_page, campaign_message, update_state
from bot.services import annotations as annotate
from bot.services import saved_views
from bot.services.campaign_filters import CampaignFilter, parse_campaign_filter
from bot.services.campaigns import load_user_state
from bot.viewmodels import CampaignPageVM, SavedViewVM
from storage.db import session_scope
from storage.repositories.connections import list_connections

if TYPE_CHECKING:
    from bot.wiring import Services

__all__ = ["FEATURE", "campaign_home_section", "saved_views_for"]

VIEW_USAGE = "view save NAME [shared] | view NAME | view list | view delete NAME"
TAG_EXAMPLE = '/hilal tag "Brand - Exact" launch'
NOTE_EXAMPLE = '/hilal note "Brand - Exact" Raised bids for Prime Day'


def campaign_home_section(services: Services, *, team_id: str, user_id: str) -> CampaignPageVM | None:
    """The user's campaign page for App Home, or None before the team connected any region."""
    with session_scope(services.engine, readonly=True) as session:
        if not list_connections(session, team_id=team_id):
            return None
    return build_page(services, team_id=team_id, user_id=user_id, surface="home")


def saved_views_for(services: Services, *, team_id: str, user_id: str) -> list[SavedViewVM]:
    """The saved views App Home lists for the user (own and shared)."""
    with session_scope(services.engine, readonly=True) as session:
        return saved_views.list_views(session, team_id=team_id, user_id=user_id)


def _rest(text: str, words: int) -> str:
    """``text`` without its first ``words`` words (the raw arguments, quotes intact)."""
    parts = text.strip().split(None, words)
    return parts[words] if len(parts) > words else ""


def handle_campaigns(ctx: CommandContext) -> None:
    raw = _rest(ctx.text, 1)
    if raw.strip():
        flt = parse_campaign_filter(raw)
        update_state(ctx.services, team_id=ctx.team_id, user_id=ctx.user_id, change=lambda _old: flt)
    ctx.reply(campaign_message(ctx.services, team_id=ctx.team_id, user_id=ctx.user_id))


def _view_save(ctx: CommandContext, words: list[str]) -> None:
    shared = bool(words) and words[-1].lower() in {"shared", "--shared"}
    if words and words[-1].lower() in {"shared", "--shared", "personal", "--personal"}:
        words = words[:-1]
    with session_scope(ctx.services.engine) as session:
        flt, _ = load_user_state(session, team_id=ctx.team_id, user_id=ctx.user_id)
        view, created = saved_views.save_view(
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
        typed=saved_views.quoted_view_name(view.name),
        scope="shared with the workspace" if view.shared else "personal",
        summary=summarize_filter(flt.to_vm()),
    )
    ctx.reply({"text": text})


def _view_open(ctx: CommandContext, name: str) -> None:
    with session_scope(ctx.services.engine, readonly=True) as session:
        view = saved_views.find_view(session, team_id=ctx.team_id, user_id=ctx.user_id, name=name)
        flt, view_name = CampaignFilter.from_json(view.filter_json), view.name
    update_state(ctx.services, team_id=ctx.team_id, user_id=ctx.user_id, change=lambda _old: flt)
    msg = campaign_message(ctx.services, team_id=ctx.team_id, user_id=ctx.user_id)
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
            views = saved_views.list_views(session, team_id=ctx.team_id, user_id=ctx.user_id)
        ctx.reply(render_view_list(views))
    elif sub == "delete":
        if not words:
            raise UsageError("Which view should be deleted?", hint="Example: `/hilal view delete EU brand`")
        with session_scope(ctx.services.engine) as session:
            name = saved_views.delete_view(
                session, team_id=ctx.team_id, user_id=ctx.user_id, name=" ".join(words)
            )
        ctx.reply({"text": mrkdwn_format("Deleted view “{name}”.", name=name)})
    else:
        _view_open(ctx, " ".join(ctx.args))


def _ask_which(ctx: CommandContext, error: annotate.AmbiguousCampaign, pending: dict[str, object]) -> None:
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
            campaign = annotate.resolve_campaign(session, team_id=ctx.team_id, text=name)
        except annotate.AmbiguousCampaign as error:
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
        annotate.clean_note(value)  # an empty note or NUL characters: a usage error before any lookup
    else:
        name, value = " ".join(ctx.args[:-1]), ctx.args[-1]
        annotate.parse_tags(value)  # a bad tag is a usage error before any lookup
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
