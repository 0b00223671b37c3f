"""``views.open`` / ``push`` / ``update`` / ``publish``: trigger ids, the modal stack, the Home tab."""

from __future__ import annotations

import copy
from typing import Any

from sandbox.slack.limits import check_view
from sandbox.slack.model import Trigger, View
from sandbox.slack.state import TRIGGER_TTL, assign_ids
from sandbox.slack.surfaces import carry_over, initial_values, iter_elements
from sandbox.slack.webapi import ApiContext, ApiError, Method

__all__ = ["METHODS", "close_top_view", "push_view", "replace_view"]

MAX_STACK = 3
_CURRENT = {
    "conversations_select": "selected_conversation",
    "multi_conversations_select": "selected_conversations",
}


def _checked_view(ctx: ApiContext, *, allowed: tuple[str, ...]) -> dict[str, Any]:
    view = ctx.json_arg("view")
    verdict = check_view(view, allowed_types=allowed)
    if not verdict.ok:
        raise ctx.reject(verdict, channel=None, user_id=ctx.opt("user_id"))
    payload = copy.deepcopy(view)
    payload["blocks"] = assign_ids(list(payload.get("blocks") or []))
    return dict(payload)


def _use_trigger(ctx: ApiContext) -> Trigger:
    trigger_id = str(ctx.opt("trigger_id") or ctx.arg("interactivity_pointer"))
    trigger = ctx.state.triggers.get(trigger_id)
    if trigger is None or trigger.team_id != ctx.workspace.team_id:
        raise ApiError("invalid_trigger_id")
    if trigger.used:
        raise ApiError("exchanged_trigger_id")
    if ctx.now() - trigger.issued_at > TRIGGER_TTL:
        raise ApiError("expired_trigger_id")
    trigger.used = True
    return trigger


def _default_conversations(view: View, channel_id: str | None) -> None:
    """Pickers with ``default_to_current_conversation`` start on the conversation the modal came from."""
    if channel_id is None:
        return
    for block, element in iter_elements(view.blocks):
        kind = str(element.get("type"))
        state_key = _CURRENT.get(kind)
        if state_key is None or not element.get("default_to_current_conversation"):
            continue
        picked: Any = [channel_id] if kind.startswith("multi_") else channel_id
        block_state = view.state.setdefault(str(block.get("block_id")), {})
        block_state[str(element.get("action_id"))] = {"type": kind, state_key: picked}


def _new_view(ctx: ApiContext, user_id: str, payload: dict[str, Any], **extra: Any) -> View:
    view_id = ctx.state.new_id("V")
    external_id = payload.pop("external_id", None)
    if external_id and any(v.external_id == external_id and not v.closed for v in ctx.state.views.values()):
        raise ApiError("duplicate_external_id")
    view = View(
        id=view_id,
        team_id=ctx.workspace.team_id,
        user_id=user_id,
        payload=payload,
        hash=ctx.state.new_hash(),
        root_view_id=extra.pop("root_view_id", view_id),
        external_id=external_id,
        state=initial_values(payload["blocks"]),
        app_id=ctx.workspace.app_id,
        bot_id=ctx.workspace.bot_id,
        **extra,
    )
    ctx.state.views[view.id] = view
    return view


def views_open(ctx: ApiContext) -> dict[str, Any]:
    """views.open: a new modal stack for the trigger's user."""
    payload = _checked_view(ctx, allowed=("modal",))
    trigger = _use_trigger(ctx)
    user_id = trigger.user_id
    view = _new_view(ctx, user_id, payload)
    _default_conversations(view, trigger.channel_id)
    key = (ctx.workspace.team_id, user_id)
    for old in ctx.state.stacks.get(key, []):
        old.closed = True
    ctx.state.stacks[key] = [view]
    ctx.state.touch()
    return {"ok": True, "view": view.to_api()}


def push_view(ctx: ApiContext, user_id: str, payload: dict[str, Any]) -> View:
    """Push ``payload`` on the user's modal stack (≤ 3 deep)."""
    stack = ctx.state.stacks.get((ctx.workspace.team_id, user_id)) or []
    if not stack:
        raise ApiError("not_found")
    if len(stack) >= MAX_STACK:
        raise ApiError("push_limit_reached")
    view = _new_view(ctx, user_id, payload, root_view_id=stack[0].id, previous_view_id=stack[-1].id)
    stack.append(view)
    ctx.state.touch()
    return view


def views_push(ctx: ApiContext) -> dict[str, Any]:
    """views.push."""
    payload = _checked_view(ctx, allowed=("modal",))
    trigger = _use_trigger(ctx)
    view = push_view(ctx, trigger.user_id, payload)
    _default_conversations(view, trigger.channel_id)
    return {"ok": True, "view": view.to_api()}


def replace_view(ctx: ApiContext, view: View, payload: dict[str, Any]) -> View:
    """Swap a view's content in place: new hash, state carried over where ids match, errors cleared."""
    payload = dict(payload)
    external_id = payload.pop("external_id", None)
    view.payload = payload
    view.external_id = external_id or view.external_id
    view.state = carry_over(view.state, payload["blocks"])
    view.hash = ctx.state.new_hash()
    view.errors = {}
    ctx.state.touch()
    return view


def views_update(ctx: ApiContext) -> dict[str, Any]:
    """views.update by ``view_id`` or ``external_id``, honouring ``hash``."""
    view_id, external_id = ctx.opt("view_id"), ctx.opt("external_id")
    if view_id is None and external_id is None:
        ctx.arg("view_id")
    target = next(
        (
            v
            for v in ctx.state.views.values()
            if v.team_id == ctx.workspace.team_id
            and not v.closed
            and (
                (view_id is not None and v.id == view_id)
                or (external_id is not None and v.external_id == external_id)
            )
        ),
        None,
    )
    if target is None:
        raise ApiError("not_found")
    payload = _checked_view(ctx, allowed=(target.type,))
    expected = ctx.opt("hash")
    if expected is not None and expected != target.hash:
        raise ApiError("hash_conflict")
    return {"ok": True, "view": replace_view(ctx, target, payload).to_api()}


def views_publish(ctx: ApiContext) -> dict[str, Any]:
    """views.publish: the user's Home tab (same view id across publishes)."""
    user = ctx.user(ctx.arg("user_id"))
    if not ctx.workspace.home_tab_enabled:
        raise ApiError("not_enabled")
    payload = _checked_view(ctx, allowed=("home",))
    key = (ctx.workspace.team_id, user.id)
    home = ctx.state.homes.get(key)
    expected = ctx.opt("hash")
    if home is not None and expected is not None and expected != home.hash:
        raise ApiError("hash_conflict")
    if home is None:
        home = _new_view(ctx, user.id, payload)
        ctx.state.homes[key] = home
        ctx.state.touch()
    else:
        replace_view(ctx, home, payload)
    return {"ok": True, "view": home.to_api()}


def close_top_view(ctx: ApiContext, user_id: str, *, clear: bool = False) -> None:
    """Close the top modal (or the whole stack with ``clear``)."""
    stack = ctx.state.stacks.get((ctx.workspace.team_id, user_id)) or []
    while stack:
        stack.pop().closed = True
        if not clear:
            break
    ctx.state.touch()


METHODS: dict[str, Method] = {
    "views.open": views_open,
    "views.push": views_push,
    "views.update": views_update,
    "views.publish": views_publish,
}
