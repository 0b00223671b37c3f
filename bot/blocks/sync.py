"""Sync progress, shown by updating one message while a region syncs and when it finishes."""

from __future__ import annotations

from collections.abc import Mapping

from bot.blocks.common import Block, Message, context, message, region_name, safe, section
from bot.viewmodels import SyncProgressVM

__all__ = ["describe_counts", "render_sync_progress"]

RUNNING = "🔄 *Syncing {name} ({code})*: {done} of {total} marketplaces"
FINISHED = "✅ *{name} ({code}) is synced*"
FAILED = "⚠️ *The sync of {name} ({code}) stopped*"
SO_FAR = "So far: {counts}"
KEPT = "Everything synced so far is kept; the next sync picks up from here."
LOADING = "performance still loading — Amazon is preparing {count} report{s}"
NOUNS = {
    "campaigns": ("campaign", "campaigns"),
    "ad_groups": ("ad group", "ad groups"),
    "keywords": ("keyword", "keywords"),
    "targets": ("target", "targets"),
    "profiles": ("marketplace", "marketplaces"),
}
_BAR_WIDTH = 10


def _noun(count: int, key: str) -> str:
    singular, plural = NOUNS.get(key, (key.replace("_", " "), key.replace("_", " ")))
    return f"{count:,} {singular if count == 1 else plural}"


def describe_counts(counts: Mapping[str, int], *, days: int = 0) -> str:
    """ "412 campaigns, 3,120 ad groups, 28,400 keywords, 30 days of performance" (known keys first)."""
    known = [key for key in NOUNS if key in counts]
    other = sorted(key for key in counts if key not in NOUNS)
    parts = [_noun(counts[key], key) for key in [*known, *other]]
    if days:
        parts.append(f"{days} day{'s' if days != 1 else ''} of performance")
    return ", ".join(parts) or "nothing yet"


def _bar(done: int, total: int) -> str:
    ratio = min(max(done / total, 0.0), 1.0) if total else 0.0
    filled = round(ratio * _BAR_WIDTH)
    return f"`{'▓' * filled}{'░' * (_BAR_WIDTH - filled)}` {round(ratio * 100)}%"


def render_sync_progress(vm: SyncProgressVM) -> Message:
    """Running, finished or failed sync of one region.

    Args:
        vm: The progress.

    Returns:
        The message (update it in place with the same ts).
    """
    name, code = safe(region_name(vm.region), 100), vm.region.upper()
    days = 0 if vm.reports_pending else vm.days  # a partial count would read as final
    scope = f"{_noun(vm.profiles_total, 'profiles')}: {describe_counts(vm.counts, days=days)}"
    if vm.finished and vm.reports_pending:
        scope += ", " + LOADING.format(count=vm.reports_pending, s="s" if vm.reports_pending != 1 else "")
    blocks: list[Block]
    if vm.error:
        title = FAILED.format(name=name, code=code)
        blocks = [section(f"{title}\n{safe(vm.error, 1000)}"), context(SO_FAR.format(counts=scope), KEPT)]
    elif vm.finished:
        title = FINISHED.format(name=name, code=code)
        blocks = [section(f"{title}\n{scope}")]
        if vm.summary:
            blocks.append(context(safe(vm.summary, 1000)))
    else:
        title = RUNNING.format(name=name, code=code, done=vm.profiles_done, total=vm.profiles_total)
        blocks = [section(f"{title}\n{_bar(vm.profiles_done, vm.profiles_total)}")]
        blocks.append(context(SO_FAR.format(counts=describe_counts(vm.counts, days=vm.days))))
    plain_title = title.replace("*", "").split(" ", 1)[1]
    detail = f"{safe(vm.error, 1000)}" if vm.error else scope
    return message(f"{plain_title}. {detail}", blocks)
