"""`/hilal admins add|remove|list`: who besides workspace admins may manage Hilal; `/hilal admins editor
add|remove @user`: who besides managers may make live edits (only managers change either list)."""

from __future__ import annotations

import re

from sqlmodel import select

from bot.errors import UsageError
from bot.features.base import CommandContext, CommandSpec, Feature
from bot.listeners.permission import require_manager
from bot.services.edits import add_editor, list_editors, remove_editor
from bot.services.permissions import list_admins
from storage.db import session_scope
from storage.models import AdminUser
from storage.repositories.connections import add_audit

__all__ = ["FEATURE"]

_MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$|^@?([UW][A-Z0-9]{2,})$")
USAGE = "Example: `/hilal admins add @dana` (or `remove`, `list`, `editor add @lee`, `editor remove @lee`)"


def _user_id(word: str) -> str:
    match = _MENTION.match(word)
    if not match:
        raise UsageError(f"`{word[:40]}` is not a Slack user mention.", hint=USAGE)
    return match.group(1) or match.group(2)


def _list(ctx: CommandContext) -> None:
    admins = list_admins(ctx.services, team_id=ctx.team_id)
    with session_scope(ctx.services.engine, readonly=True) as session:
        editors = list_editors(session, team_id=ctx.team_id)
    names = ", ".join(f"<@{u}>" for u in admins) or "nobody yet"
    named = ", ".join(f"<@{u}>" for u in editors) or "nobody yet"
    ctx.reply(
        {
            "text": f"Besides workspace admins and owners, these people manage Hilal: {names}.\n"
            f"Live edits (pause, enable, budgets, bids): managers, plus these editors: {named}."
        }
    )


def _editor(ctx: CommandContext) -> None:
    words = [w.lower() for w in ctx.args[1:2]]
    if words not in (["add"], ["remove"]) or len(ctx.args) != 3:
        raise UsageError("Use `admins editor add @user` or `admins editor remove @user`.", hint=USAGE)
    require_manager(
        ctx.services,
        ctx.client,
        team_id=ctx.team_id,
        user_id=ctx.user_id,
        doing="choose who makes live edits",
    )
    target, now = _user_id(ctx.args[2]), ctx.services.now()
    with session_scope(ctx.services.engine) as session:
        if words[0] == "add":
            add_editor(session, team_id=ctx.team_id, user_id=target, added_by=ctx.user_id, now=now)
        else:
            remove_editor(session, team_id=ctx.team_id, user_id=target)
        add_audit(
            session,
            team_id=ctx.team_id,
            actor=ctx.user_id,
            action=f"editors.{words[0]}",
            now=now,
            user=target,
        )
    verb = (
        "can now make live edits (pause, enable, budgets, bids)"
        if words[0] == "add"
        else "no longer makes live edits"
    )
    ctx.reply({"text": f"<@{target}> {verb}."})


def handle_admins(ctx: CommandContext) -> None:
    sub = ctx.args[0].lower() if ctx.args else "list"
    if sub == "list":
        _list(ctx)
        return
    if sub in ("editor", "editors"):
        _editor(ctx)
        return
    if sub not in ("add", "remove") or len(ctx.args) != 2:
        raise UsageError("Use `admins add @user`, `admins remove @user` or `admins list`.", hint=USAGE)
    require_manager(
        ctx.services, ctx.client, team_id=ctx.team_id, user_id=ctx.user_id, doing="choose who manages Hilal"
    )
    target = _user_id(ctx.args[1])
    now = ctx.services.now()
    with session_scope(ctx.services.engine) as session:
        row = session.exec(
            select(AdminUser).where(AdminUser.team_id == ctx.team_id, AdminUser.user_id == target)
        ).first()
        if sub == "add" and row is None:
            session.add(AdminUser(team_id=ctx.team_id, user_id=target, added_by=ctx.user_id, created_at=now))
        elif sub == "remove" and row is not None:
            session.delete(row)
        add_audit(
            session, team_id=ctx.team_id, actor=ctx.user_id, action=f"admins.{sub}", now=now, user=target
        )
    verb = "can now manage" if sub == "add" else "no longer manages"
    ctx.reply({"text": f"<@{target}> {verb} Hilal connections and digests."})


FEATURE = Feature(
    name="admins",
    commands=[
        CommandSpec(
            "admins",
            "admins add|remove|list [@user] · admins editor add|remove @user",
            "Choose who may manage Hilal, and who may make live edits",
            "/hilal admins add @dana",
            handle_admins,
        )
    ],
)
