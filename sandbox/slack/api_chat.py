"""``chat.*`` and the ``files.*`` upload flow (getUploadURLExternal → POST → completeUploadExternal)."""

from __future__ import annotations

import copy
import mimetypes
from typing import Any

from sandbox.slack.files import check_slack_files
from sandbox.slack.limits import Verdict, check_message
from sandbox.slack.model import Message, Upload
from sandbox.slack.state import Scheduled, assign_ids
from sandbox.slack.webapi import ApiContext, ApiError, Method

__all__ = ["METHODS"]

MAX_SCHEDULE_AHEAD = 120 * 24 * 3600


def _checked(ctx: ApiContext, verdict: Verdict, blocks: Any) -> Verdict:
    """The block checks, then the ``slack_file`` references against this workspace's uploads."""
    if not verdict.ok:
        return verdict
    return check_slack_files(ctx.state, ctx.workspace.team_id, blocks) or verdict


def _content(ctx: ApiContext) -> tuple[str, list[dict[str, Any]], list[dict[str, Any]], list[str]]:
    markdown = ctx.opt("markdown_text")
    text = ctx.opt("text")
    blocks = ctx.json_arg("blocks")
    attachments = ctx.json_arg("attachments")
    if markdown is not None and (text is not None or blocks):
        raise ApiError("markdown_text_conflict")
    text = markdown if markdown is not None else text
    verdict = _checked(ctx, check_message(text=text, blocks=blocks, attachments=attachments), blocks)
    if not verdict.ok:
        raise ctx.reject(verdict, channel=str(ctx.opt("channel")), user_id=ctx.opt("user"))
    return str(text or ""), list(blocks or []), list(attachments or []), list(verdict.warnings)


def _new_message(ctx: ApiContext, channel: str, **extra: Any) -> Message:
    text, blocks, attachments, warnings = _content(ctx)
    return Message(
        team_id=ctx.workspace.team_id,
        channel=channel,
        ts="",
        user=ctx.workspace.bot_user_id,
        text=text,
        blocks=copy.deepcopy(blocks),
        attachments=copy.deepcopy(attachments),
        bot_id=ctx.workspace.bot_id,
        source=ctx.method,
        metadata=ctx.json_arg("metadata"),
        warnings=warnings,
        **extra,
    )


def post_message(ctx: ApiContext) -> dict[str, Any]:
    """chat.postMessage."""
    channel = ctx.channel_for_post(ctx.arg("channel"))
    thread_ts = ctx.opt("thread_ts")
    message = ctx.state.add_message(
        _new_message(ctx, channel.id, thread_ts=str(thread_ts) if thread_ts else None)
    )
    body: dict[str, Any] = {"ok": True, "channel": channel.id, "ts": message.ts, "message": message.to_api()}
    if message.warnings:
        body["warning"] = ",".join(message.warnings)
        body["response_metadata"] = {"warnings": message.warnings}
    return body


def post_ephemeral(ctx: ApiContext) -> dict[str, Any]:
    """chat.postEphemeral."""
    channel = ctx.channel_for_post(ctx.arg("channel"))
    user = ctx.user(ctx.arg("user"))
    if not channel.has_member(user.id):
        raise ApiError("user_not_in_channel")
    thread_ts = ctx.opt("thread_ts")
    message = _new_message(
        ctx, channel.id, ephemeral_to=user.id, thread_ts=str(thread_ts) if thread_ts else None
    )
    ctx.state.add_message(message)
    return {"ok": True, "message_ts": message.ts}


def _own_message(ctx: ApiContext, *, deny: str) -> Message:
    channel = ctx.workspace.channel(str(ctx.arg("channel")))
    if channel is None:
        raise ApiError("channel_not_found")
    message = ctx.state.message_at(channel.id, str(ctx.arg("ts")), team_id=ctx.workspace.team_id)
    if message is None or message.deleted:
        raise ApiError("message_not_found")
    if message.user != ctx.workspace.bot_user_id:
        raise ApiError(deny)
    return message


def update(ctx: ApiContext) -> dict[str, Any]:
    """chat.update: omitted ``blocks``/``attachments`` keep the previous ones, as Slack does."""
    message = _own_message(ctx, deny="cant_update_message")
    text = ctx.opt("text", message.text if ctx.args.get("blocks") is None else None)
    blocks = ctx.json_arg("blocks", message.blocks)
    attachments = ctx.json_arg("attachments", message.attachments)
    verdict = _checked(ctx, check_message(text=text, blocks=blocks, attachments=attachments), blocks)
    if not verdict.ok:
        raise ctx.reject(verdict, channel=message.channel)
    message.text = str(text or "")
    message.blocks = copy.deepcopy(list(blocks or []))
    message.attachments = copy.deepcopy(list(attachments or []))
    message.warnings = list(verdict.warnings)
    message.edited_ts = ctx.state.next_ts()
    message.blocks = assign_ids(message.blocks)
    ctx.state.touch()
    return {
        "ok": True,
        "channel": message.channel,
        "ts": message.ts,
        "text": message.text,
        "message": message.to_api(),
    }


def delete(ctx: ApiContext) -> dict[str, Any]:
    """chat.delete."""
    message = _own_message(ctx, deny="cant_delete_message")
    message.deleted = True
    ctx.state.touch()
    return {"ok": True, "channel": message.channel, "ts": message.ts}


def get_permalink(ctx: ApiContext) -> dict[str, Any]:
    """chat.getPermalink."""
    channel, ts = str(ctx.arg("channel")), str(ctx.arg("message_ts"))
    if ctx.state.message_at(channel, ts, team_id=ctx.workspace.team_id) is None:
        raise ApiError("message_not_found")
    link = f"{ctx.base_url}/archives/{channel}/p{ts.replace('.', '')}"
    return {"ok": True, "channel": channel, "permalink": link}


def schedule_message(ctx: ApiContext) -> dict[str, Any]:
    """chat.scheduleMessage: delivered by ``SlackStandIn.deliver_scheduled()`` once due."""
    channel = ctx.channel_for_post(ctx.arg("channel"))
    try:
        post_at = int(float(ctx.arg("post_at")))
    except ValueError:
        raise ApiError("invalid_time") from None
    if post_at <= ctx.now():
        raise ApiError("time_in_past")
    if post_at > ctx.now() + MAX_SCHEDULE_AHEAD:
        raise ApiError("time_too_far")
    message = _new_message(ctx, channel.id)
    scheduled_id = ctx.state.new_id("Q")
    ctx.state.scheduled.append(Scheduled(scheduled_id, post_at, message))
    ctx.state.touch()
    return {
        "ok": True,
        "channel": channel.id,
        "scheduled_message_id": scheduled_id,
        "post_at": post_at,
        "message": message.to_api(),
    }


def delete_scheduled_message(ctx: ApiContext) -> dict[str, Any]:
    """chat.deleteScheduledMessage."""
    wanted = str(ctx.arg("scheduled_message_id"))
    for item in ctx.state.scheduled:
        if item.id == wanted:
            ctx.state.scheduled.remove(item)
            ctx.state.touch()
            return {"ok": True}
    raise ApiError("invalid_scheduled_message_id")


def get_upload_url(ctx: ApiContext) -> dict[str, Any]:
    """files.getUploadURLExternal."""
    filename = str(ctx.arg("filename"))
    try:
        length = int(ctx.arg("length"))
    except ValueError:
        raise ApiError("invalid_arguments") from None
    upload = Upload(ctx.state.new_id("F"), ctx.workspace.team_id, filename, length, ctx.opt("alt_txt"))
    ctx.state.uploads[upload.id] = upload
    return {"ok": True, "upload_url": f"{ctx.base_url}/upload/{upload.id}", "file_id": upload.id}


def file_object(base_url: str, upload: Upload) -> dict[str, Any]:
    """The file object Slack attaches to messages and API answers."""
    mimetype = mimetypes.guess_type(upload.filename)[0] or "application/octet-stream"
    url = f"{base_url}/files/{upload.id}/{upload.filename}"
    return {
        "id": upload.id,
        "name": upload.filename,
        "title": upload.title or upload.filename,
        "mimetype": mimetype,
        "filetype": upload.filename.rsplit(".", 1)[-1].lower() if "." in upload.filename else "binary",
        "size": len(upload.data or b""),
        "url_private": url,
        "url_private_download": url,
        "permalink": url,
        "alt_txt": upload.alt_txt,
    }


def complete_upload(ctx: ApiContext) -> dict[str, Any]:
    """files.completeUploadExternal: shares the files in ``channel_id`` (or keeps them private)."""
    entries = ctx.json_arg("files")
    if not isinstance(entries, list) or not entries:
        raise ApiError("invalid_arguments")
    uploads = []
    for entry in entries:
        upload = ctx.state.uploads.get(str(entry.get("id")))
        if upload is None or upload.data is None or upload.team_id != ctx.workspace.team_id:
            raise ApiError("file_not_found")
        upload.title = entry.get("title") or upload.filename
        upload.completed = True
        uploads.append(upload)
    channel_arg = ctx.opt("channel_id") or (str(ctx.opt("channels", "")).split(",")[0] or None)
    objects = [file_object(ctx.base_url, u) for u in uploads]
    if channel_arg is not None:
        channel = ctx.channel_for_post(channel_arg)
        thread_ts = ctx.opt("thread_ts")
        message = Message(
            team_id=ctx.workspace.team_id,
            channel=channel.id,
            ts="",
            user=ctx.workspace.bot_user_id,
            text=str(ctx.opt("initial_comment", "")),
            files=objects,
            bot_id=ctx.workspace.bot_id,
            thread_ts=str(thread_ts) if thread_ts else None,
            source=ctx.method,
        )
        ctx.state.add_message(message)
        for upload in uploads:
            upload.shared = True
    return {"ok": True, "files": [{"id": o["id"], "title": o["title"]} for o in objects]}


METHODS: dict[str, Method] = {
    "chat.postMessage": post_message,
    "chat.postEphemeral": post_ephemeral,
    "chat.update": update,
    "chat.delete": delete,
    "chat.getPermalink": get_permalink,
    "chat.scheduleMessage": schedule_message,
    "chat.deleteScheduledMessage": delete_scheduled_message,
    "files.getUploadURLExternal": get_upload_url,
    "files.completeUploadExternal": complete_upload,
}
