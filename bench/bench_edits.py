"""Benchmark: a bulk pause of 1,000 campaigns across 4 profiles, from Confirm to the outcome, and its floor.

1. Hilal: a previewed bulk pause (`plan_edit`, not timed) is confirmed (`confirm_edit`: re-checks the
   guards, claims the batch, sends the writes, records every item, updates the local copy, writes one
   audit event per campaign, and reads the stored outcome back); the outcome is rendered as the
   message that replaces the preview (`render_edit_outcome`), as the Confirm button does.
2. The floor: the same batches of 100 campaigns sent with plain httpx (`PUT /sp/campaigns`, the v3 media
   type, the same bodies) and the same concurrency (each profile's batches in turn, four profiles at
   once, as Hilal sends them), in the same process and run against the same simulator, with a valid
   access token.

Both sides measure the same thing: the requests over an HTTP client that already exists. Hilal sends
through its process-wide `httpx.Client` (built at start-up, its connections kept alive between calls),
so the floor builds one `httpx.Client` before the first round and keeps it for every round. Building a
client loads the CA bundle (about 20 ms here) and opening connections costs a round trip each; when the
floor paid for these in every round and Hilal in none, the floor was slower than the requests it stands
for and the ratio flattered Hilal. The warm-up round opens the floor's connections as it warms Hilal's.
What stays on Hilal's side only is work every Confirm does: reading its stored access token (no call
to LWA: the token is still valid), the guards, the claim and the bookkeeping.

The simulator runs in a child process (`--serve`), as a real Amazon answers from elsewhere: in this
process it would share the interpreter's lock with whichever side is measured, so Hilal's concurrent
sends (and its bookkeeping) would be charged for the simulator's work, and the floor's sequential sends
would not. One untimed warm-up round on each side; then `RUNS` rounds, alternating floor and Hilal so
background noise hits both alike; medians reported (an odd number of rounds: a stray full garbage
collection or WAL checkpoint in one round does not decide the result).

Besides the wall-clock times it prints the CPU this process spent on each side (every thread): the
floor's requests mostly wait on the simulator, while Hilal's bookkeeping keeps its process busy.

Goal: Hilal within 1.5x of the floor. Between the runs the campaigns are enabled again (not timed).
The per-region rate gate (20 requests/s in production) is lifted: this measures Hilal's own cost.
Run: `.venv/bin/python bench/bench_edits.py` (SQLite in a temporary directory; under a minute).
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.blocks.common import Message
from bot.blocks.edits import render_edit_outcome
from bot.heap import freeze_startup_objects
from bot.services.edits import EditOutcome, EditTarget, confirm_edit, outcome_vm, plan_edit
from bot.services.edits.apply import WRITERS
from bot.services.sync import run_sync
from sandbox.amazon import AmazonSimulator, SimConfig
from sandbox.slack import DEMO_ADMIN, DEMO_TEAM
from storage.db import make_engine
from storage.migrate import upgrade
from tests.sync.world import CLIENT_ID, CLIENT_SECRET, ManualClock, World

MARKETPLACES = ("US", "CA", "MX", "BR")
PER_PROFILE = 250
BATCH = 100
MEDIA = "application/vnd.spCampaign.v3+json"
RUNS = 7
REDIRECT = "http://127.0.0.1:3000/amazon/oauth/callback"  # `World`'s Hilal public URL


def serve() -> None:
    """The child process: a seeded simulator (its clock stands still at the world's start, like the
    parent's); prints its NA URLs and serves until stdin closes."""
    sim = AmazonSimulator(
        SimConfig(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, clock=ManualClock(), max_page_size=1000)
    ).start()
    sim.allow_redirect_uri(REDIRECT)
    sim.seed_account(
        user_id="acme",
        region="na",
        marketplaces=list(MARKETPLACES),
        campaigns_per_profile=2 * PER_PROFILE,  # SP and enabled: about two thirds of the seed
        ad_groups_per_campaign=1,
        keywords_per_ad_group=1,
    )
    print(json.dumps(sim.region_urls("na")), flush=True)
    sys.stdin.read()
    sim.stop()


def _simulator() -> tuple[subprocess.Popen[str], dict[str, str]]:
    child = subprocess.Popen(
        [sys.executable, __file__, "--serve"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert child.stdout is not None
    return child, json.loads(child.stdout.readline())


def _world(folder: Path, urls: dict[str, str]) -> tuple[World, int]:
    engine = make_engine(f"sqlite:///{folder / 'bench.db'}")
    upgrade(engine)
    # Hilal talks to the child's simulator; the world's own (in-process) one stays idle
    env = {f"HILAL_AMAZON_NA_{key.upper()}": url for key, url in urls.items()}
    world = World.start(engine, max_page_size=1000, **env)
    conn_id = world.connect("na")
    assert run_sync(world.services, connection_id=conn_id, kind="initial").status == "success"
    return world, conn_id


def _targets(world: World, conn_id: int) -> tuple[list[EditTarget], dict[str, list[str]]]:
    """1,000 enabled SP campaigns (250 per profile) and their Amazon ids per profile id."""
    targets: list[EditTarget] = []
    ids: dict[str, list[str]] = {}
    for profile in world.profiles(conn_id):
        assert profile.id is not None
        enabled = sorted(
            (
                c
                for c in world.campaigns(profile.id).values()
                if c.ad_product == "SP" and c.state == "ENABLED"
            ),
            key=lambda c: c.id or 0,
        )[:PER_PROFILE]
        assert len(enabled) == PER_PROFILE, f"{profile.country_code}: only {len(enabled)} enabled campaigns"
        targets += [EditTarget("campaign", c.id or 0) for c in enabled]
        ids[profile.profile_id] = [c.campaign_id for c in enabled]
    return targets, ids


def _access_token(world: World) -> str:
    """An access token of the same Amazon user, for the floor's own requests."""
    refresh_token, _profiles = world.grant("na")
    tokens = world.services.amazon.lwa.refresh(
        world.services.amazon.endpoints("na"), refresh_token=refresh_token
    )
    return tokens.access_token.get_secret_value()


def _raw_put(http: httpx.Client, world: World, token: str, ids: dict[str, list[str]], state: str) -> None:
    """The floor: the same batches with plain httpx, each profile's in turn, `WRITERS` profiles at once,
    over `http` (kept from round to round, as Hilal keeps its client)."""
    api = world.services.amazon.endpoints("na").api_url
    headers = {
        "Authorization": f"Bearer {token}",
        "Amazon-Advertising-API-ClientId": world.services.amazon.client_id,
        "Content-Type": MEDIA,
        "Accept": MEDIA,
    }

    def send(profile_id: str) -> None:
        campaign_ids = ids[profile_id]
        for start in range(0, len(campaign_ids), BATCH):
            body = {
                "campaigns": [{"campaignId": c, "state": state} for c in campaign_ids[start : start + BATCH]]
            }
            answer = http.put(
                f"{api}/sp/campaigns",
                headers={**headers, "Amazon-Advertising-API-Scope": profile_id},
                content=json.dumps(body),
            )
            assert answer.status_code in (200, 207), answer.text[:200]
            assert not answer.json()["campaigns"]["error"]

    with ThreadPoolExecutor(max_workers=WRITERS) as pool:
        list(pool.map(send, list(ids)))


Timing = tuple[float, float]
"""Wall-clock seconds, and CPU seconds of this process (every thread) over the same span."""


def _timed(run: Callable[[], object]) -> Timing:
    wall, cpu = time.perf_counter(), time.process_time()
    run()
    return time.perf_counter() - wall, time.process_time() - cpu


def _hilal(world: World, targets: Sequence[EditTarget]) -> Timing:
    preview = plan_edit(
        world.services,
        team_id=DEMO_TEAM,
        user_id=DEMO_ADMIN,
        kind="pause",
        targets=list(targets),
        now=world.clock(),
        is_manager=True,
    )
    shown: list[tuple[EditOutcome, Message]] = []

    def confirm() -> None:
        outcome = confirm_edit(
            world.services,
            batch_id=preview.batch_id,
            user_id=DEMO_ADMIN,
            typed=preview.confirm_word,
            now=world.clock(),
            is_manager=True,
        )
        shown.append(
            (outcome, render_edit_outcome(outcome_vm(outcome, now=world.clock())))
        )  # as Confirm does

    timing = _timed(confirm)
    [(outcome, message)] = shown
    assert outcome.applied == len(targets), f"{outcome.applied} of {len(targets)} applied"
    assert message["blocks"], "the outcome message has blocks"
    return timing


def _reenable(http: httpx.Client, world: World, token: str, ids: dict[str, list[str]], conn_id: int) -> None:
    """Enable everything again at Amazon and in Hilal's copy (a sync), outside the timings."""
    _raw_put(http, world, token, ids, "ENABLED")
    assert run_sync(world.services, connection_id=conn_id, kind="manual").status == "success"


def _cpu(timings: Sequence[Timing]) -> str:
    return f"{statistics.median(cpu for _, cpu in timings) * 1000:,.0f}"


def _ms(runs: Sequence[float]) -> str:
    return ", ".join(f"{x * 1000:,.0f}" for x in runs)


def main() -> None:
    child, urls = _simulator()
    try:
        with tempfile.TemporaryDirectory() as folder:
            world, conn_id = _world(Path(folder), urls)
            try:
                targets, ids = _targets(world, conn_id)
                token = _access_token(world)
                freeze_startup_objects()  # as `hilal run` does once it is up (both sides run here)
                hilal: list[Timing] = []
                floor: list[Timing] = []
                with httpx.Client(timeout=60) as http:  # the floor's, built once as Hilal's is
                    for _ in range(RUNS + 1):  # the first round warms both sides up and is not counted
                        floor.append(_timed(lambda: _raw_put(http, world, token, ids, "PAUSED")))
                        _reenable(http, world, token, ids, conn_id)
                        hilal.append(_hilal(world, targets))
                        _reenable(http, world, token, ids, conn_id)
                hilal, floor = hilal[1:], floor[1:]
            finally:
                world.close()
    finally:
        assert child.stdin is not None
        child.stdin.close()
        child.wait(timeout=30)
    h, f = statistics.median(w for w, _ in hilal), statistics.median(w for w, _ in floor)
    print(
        f"bulk pause of {len(targets):,} campaigns in {len(ids)} profiles, {RUNS} runs (median), "
        "simulator in a child process"
    )
    print(f"  Hilal, Confirm to outcome: {h * 1000:,.0f} ms (runs: {_ms([w for w, _ in hilal])})")
    print(f"  floor, raw httpx batches:  {f * 1000:,.0f} ms (runs: {_ms([w for w, _ in floor])})")
    print(
        f"  CPU of this process (median): Hilal {_cpu(hilal)} ms, floor {_cpu(floor)} ms "
        "(the simulator's is in its own process)"
    )
    print(f"  ratio: {h / f:.2f}x (goal <= 1.5x)")


if __name__ == "__main__":
    if sys.argv[1:] == ["--serve"]:
        serve()
    else:
        main()
