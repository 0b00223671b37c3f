"""Benchmark: the Amazon client against its floor, on the simulator, plus the memory of a 1 GB report.

1. List 200,000 SP keywords through `AdsClient.iter_sp_keywords` (typed models, Decimal bids) and through
   the floor: raw `httpx` POSTs of the same pages + `json.loads`, following `nextToken`.
2. Download a ~500,000-row daily campaign report (31 days x 24,400 campaigns) through
   `AdsClient.iter_report_rows` (streamed gunzip, Decimal money) and through the floor: one `httpx` GET +
   `gzip.decompress` + `json.loads`. "live" fetches it from the simulator, whose row generation then
   dominates both sides; "replay" serves the same gzip bytes from a static loopback server in another
   process, so the difference between client and floor shows. The bytes are also parsed offline by the
   floor, the client's stream parser and ijson, for reference.
3. In a child process, stream a ~1 GB (uncompressed) gzip report through `iter_report_rows` and report
   the peak RSS: it must stay under 200 MB.

The simulator runs in a subprocess, so "CPU s" is the client process alone and the server's work does
not blur it. Goal: client within 1.5x of the floor. Run: `.venv/bin/python bench/bench_amazon_client.py`.
"""

from __future__ import annotations

import gzip
import json
import resource
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from datetime import timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import ijson  # type: ignore[import-untyped]

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.amazon import (
    AdsClient,
    LwaAuth,
    LwaClient,
    RegionEndpoints,
    daily_campaign_report,
    endpoints_for,
)
from bot.amazon._stream import iter_json_array

CLIENT_ID = "amzn1.application-oa2-client.bench"
CLIENT_SECRET = "bench-secret"
REDIRECT = "https://hilal.test/amazon/oauth/callback"
KEYWORD_SHAPE = (2000, 10, 10)  # campaigns, ad groups per campaign, keywords per ad group = 200,000
REPORT_CAMPAIGNS = 24_400  # x 31 days, minus the days a campaign did not run: ~500,000 rows
REPORT_DAYS = 31
GIGABYTE = 1_000_000_000
KEYWORD_MEDIA = "application/vnd.spKeyword.v3+json"


# -- the simulator, in its own process ----------------------------------------------------------------


def serve() -> None:
    """Child: start a seeded simulator, connect once, print what the parent needs, wait for stdin EOF."""
    from urllib.parse import parse_qs, urlsplit

    from bot.amazon import consent_url, make_pkce
    from sandbox.amazon import AmazonSimulator, SimConfig

    config = SimConfig(
        client_id=CLIENT_ID, client_secret=CLIENT_SECRET, redirect_uris=(REDIRECT,), exact_file_size=False
    )
    sim = AmazonSimulator(config).start(port=0)
    campaigns, groups, keywords = KEYWORD_SHAPE
    (profile,) = sim.seed_account(
        user_id="bench",
        region="na",
        marketplaces=["US"],
        campaigns_per_profile=campaigns,
        ad_groups_per_campaign=groups,
        keywords_per_ad_group=keywords,
        days=60,
    )
    (report_profile,) = sim.seed_account(
        user_id="bench",
        region="na",
        marketplaces=["CA"],
        days=60,
        campaigns_per_profile=REPORT_CAMPAIGNS,
        ad_groups_per_campaign=1,
        keywords_per_ad_group=1,
    )
    endpoints = endpoints_for("na", sim.region_urls("na"))
    verifier, challenge = make_pkce()
    url = consent_url(
        endpoints, client_id=CLIENT_ID, redirect_uri=REDIRECT, state="b", code_challenge=challenge
    )
    code = parse_qs(urlsplit(sim.approve(url, user_id="bench")).query)["code"][0]
    with httpx.Client() as http:
        lwa = LwaClient(http, client_id=CLIENT_ID, client_secret=CLIENT_SECRET, clock=sim.now)
        tokens = lwa.exchange_code(endpoints, code=code, redirect_uri=REDIRECT, code_verifier=verifier)
    info = {
        "urls": sim.region_urls("na"),
        "refresh_token": tokens.refresh_token.get_secret_value(),
        "profile_id": str(profile["profileId"]),
        "report_profile_id": str(report_profile["profileId"]),
        "today": sim.now().date().isoformat(),
    }
    print(json.dumps(info), flush=True)
    sys.stdin.read()
    sim.stop()


def start_simulator() -> tuple[subprocess.Popen[str], dict[str, Any]]:
    child = subprocess.Popen(
        [sys.executable, __file__, "--serve"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert child.stdout is not None
    return child, json.loads(child.stdout.readline())


# -- measuring ----------------------------------------------------------------------------------------


class Measure:
    """Wall and CPU seconds of a block (CPU of this process only)."""

    def __enter__(self) -> Measure:
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu


def best_of(runs: int, fn: Callable[[], int]) -> tuple[int, float, float]:
    """(records, best wall, best cpu) over `runs` runs."""
    results = []
    for _ in range(runs):
        with Measure() as m:
            count = fn()
        results.append((count, m.wall, m.cpu))
    return results[0][0], min(r[1] for r in results), min(r[2] for r in results)


def interleaved(
    runs: int, client: Callable[[], int], floor: Callable[[], int]
) -> tuple[tuple[int, float, float], tuple[int, float, float]]:
    """Best of `runs` for each, alternating client and floor so background noise hits both alike."""
    a = [(best_of(1, client), best_of(1, floor)) for _ in range(runs)]
    clients, floors = [x[0] for x in a], [x[1] for x in a]
    return (
        (clients[0][0], min(r[1] for r in clients), min(r[2] for r in clients)),
        (floors[0][0], min(r[1] for r in floors), min(r[2] for r in floors)),
    )


class Tee(httpx.BaseTransport):
    """A transport that keeps a copy of every response body it streams."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner
        self.body = bytearray()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        stream = response.stream
        body = self.body

        class Copy(httpx.SyncByteStream):
            def __iter__(self) -> Iterator[bytes]:
                for chunk in stream:  # type: ignore[union-attr]
                    body.extend(chunk)
                    yield chunk

            def close(self) -> None:
                stream.close()  # type: ignore[union-attr]

        response.stream = Copy()
        return response


# -- 1. keywords --------------------------------------------------------------------------------------


def keywords_client(client: AdsClient, profile_id: str) -> int:
    return sum(len(page) for page in client.iter_sp_keywords(profile_id, states=[]))


def keywords_floor(http: httpx.Client, endpoints: RegionEndpoints, token: str, profile_id: str) -> int:
    headers = {
        "Amazon-Advertising-API-ClientId": CLIENT_ID,
        "Authorization": f"Bearer {token}",
        "Amazon-Advertising-API-Scope": profile_id,
        "Content-Type": KEYWORD_MEDIA,
        "Accept": KEYWORD_MEDIA,
    }
    count = 0
    body: dict[str, Any] = {}
    while True:
        response = http.post(
            f"{endpoints.api_url}/sp/keywords/list", headers=headers, content=json.dumps(body)
        )
        page = json.loads(response.content)
        count += len(page["keywords"])
        if not page.get("nextToken"):
            return count
        body = {"nextToken": page["nextToken"]}


# -- 2. report ----------------------------------------------------------------------------------------


def report_url(client: AdsClient, profile_id: str, today: str) -> str:
    from datetime import date

    end = date.fromisoformat(today) - timedelta(days=1)
    report_id = client.create_report(
        profile_id, daily_campaign_report(end - timedelta(days=REPORT_DAYS - 1), end)
    )
    for _ in range(50):
        status = client.get_report(profile_id, report_id)
        if status.is_completed and status.url:
            return status.url
    raise RuntimeError("report did not complete")


def parse_reference(payload: bytes) -> list[tuple[str, int, float]]:
    """(name, rows, cpu s) of three parsers over the same gzip bytes, no network."""
    chunks = [payload[i : i + 65536] for i in range(0, len(payload), 65536)]

    def floor() -> int:
        return len(json.loads(gzip.decompress(payload)))

    def stream() -> int:
        return sum(1 for _ in iter_json_array(chunks))

    def with_ijson() -> int:
        out = ijson.sendable_list()
        coro = ijson.items_coro(out, "item")
        decompressor, count = zlib.decompressobj(wbits=31), 0
        for chunk in chunks:
            coro.send(decompressor.decompress(chunk))
            count += len(out)
            del out[:]
        coro.close()
        return count + len(out)

    rows = []
    for name, fn in (
        ("json.loads(gunzip)", floor),
        ("client stream parser", stream),
        ("ijson yajl2_c", with_ijson),
    ):
        count, _, cpu = best_of(1, fn)
        rows.append((name, count, cpu))
    return rows


def replay(path: str) -> None:
    """Child: serve one file's bytes for any GET on loopback, print the port, wait for stdin EOF."""
    payload = Path(path).read_bytes()

    class Replay(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/x-gzip")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Replay)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(server.server_address[1], flush=True)
    sys.stdin.read()


def floor_download(http: httpx.Client, url: str) -> tuple[int, bytes]:
    payload = http.get(url).content
    return len(json.loads(gzip.decompress(payload))), payload


# -- 3. a 1 GB report in a child process -------------------------------------------------------------


def _block() -> bytes:
    row = {
        "date": "2026-03-01",
        "campaignId": 158410630682987,
        "adGroupId": 72320882861500,
        "keywordId": 305554440987123,
        "keyword": "red running shoes",
        "matchType": "EXACT",
        "impressions": 2216,
        "clicks": 13,
        "cost": 14.5,
        "sales7d": 99.99,
        "purchases7d": 2,
    }
    return ",".join(json.dumps(dict(row, clicks=i % 50)) for i in range(20_000)).encode()


class GigabyteReport(BaseHTTPRequestHandler):
    """Streams `[block, block, …]` as one gzip member, compressed on the fly (the parent holds one block)."""

    block = b""
    repeats = 0

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/x-gzip")
        self.end_headers()
        compressor = zlib.compressobj(1, zlib.DEFLATED, 31)
        self.wfile.write(compressor.compress(b"["))
        for i in range(self.repeats):
            self.wfile.write(compressor.compress((b"," if i else b"") + self.block))
        self.wfile.write(compressor.compress(b"]") + compressor.flush())

    def log_message(self, format: str, *args: Any) -> None:
        pass


def _rss_kb(field: str) -> int:
    """`VmHWM` (peak) or `VmRSS` of this process in kB. `ru_maxrss` is no use here: Linux carries the
    parent's peak over fork and exec."""
    try:
        for text in Path("/proc/self/status").read_text().splitlines():
            if text.startswith(field + ":"):
                return int(text.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def memory_child(url: str) -> None:
    """Child: stream the report through the client, print rows and RSS figures as JSON."""
    http = httpx.Client()
    endpoints = RegionEndpoints(auth_url=url, token_url=url, api_url=url)
    client = AdsClient(http, endpoints=endpoints, client_id=CLIENT_ID, auth=httpx.Auth())
    baseline = _rss_kb("VmHWM")
    started = time.perf_counter()
    rows, money = 0, Decimal(0)
    for row in client.iter_report_rows(url):
        rows += 1
        money += row["cost"]
    peak = _rss_kb("VmHWM")
    print(
        json.dumps(
            {
                "rows": rows,
                "baseline_kb": baseline,
                "peak_kb": peak,
                "seconds": time.perf_counter() - started,
                "cost_is_decimal": isinstance(money, Decimal),
            }
        )
    )


def measure_gigabyte() -> dict[str, Any]:
    block = _block()
    GigabyteReport.block = block
    GigabyteReport.repeats = GIGABYTE // (len(block) + 1) + 1
    server = ThreadingHTTPServer(("127.0.0.1", 0), GigabyteReport)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/report.json.gz"
    out = subprocess.run(
        [sys.executable, __file__, "--memory-child", url], capture_output=True, text=True, check=True
    )
    server.shutdown()
    result: dict[str, Any] = json.loads(out.stdout)
    result["uncompressed_bytes"] = 2 + GigabyteReport.repeats * (len(block) + 1) - 1
    return result


# -- report -------------------------------------------------------------------------------------------


def line(label: str, records: int, wall: float, cpu: float) -> str:
    rates = f"{records / wall:>10,.0f} {cpu:>7.2f} {records / cpu:>10,.0f}"
    return f"  {label:<36} {records:>9,} {wall:>7.2f} {rates}"


def ratio_line(client: tuple[int, float, float], floor: tuple[int, float, float]) -> str:
    wall, cpu = client[1] / floor[1], client[2] / floor[2]
    verdict = f"goal (wall) <= 1.5x: {'PASS' if wall <= 1.5 else 'FAIL'}"
    return f"  {'client / floor':<36} {'':>9} {wall:>6.2f}x {'':>10} {cpu:>6.2f}x {'':>10}  {verdict}"


def run_lists_and_report() -> dict[str, Any]:
    """Everything that needs the simulator; returns the measurements."""
    child, info = start_simulator()
    out: dict[str, Any] = {}
    try:
        endpoints = endpoints_for("na", info["urls"])
        http = httpx.Client(timeout=httpx.Timeout(120.0, connect=10.0))
        lwa = LwaClient(http, client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
        client = AdsClient(
            http,
            endpoints=endpoints,
            client_id=CLIENT_ID,
            auth=LwaAuth(lwa, endpoints=endpoints, refresh_token=info["refresh_token"]),
        )
        token = lwa.refresh(endpoints, refresh_token=info["refresh_token"]).access_token.get_secret_value()
        pid = info["profile_id"]
        next(client.iter_sp_keywords(pid, states=[]))  # warm-up: connection, token, simulator caches
        out["kw_client"], out["kw_floor"] = interleaved(
            1, lambda: keywords_client(client, pid), lambda: keywords_floor(http, endpoints, token, pid)
        )
        url = report_url(client, info["report_profile_id"], info["today"])
        http.close()
        # The simulator generates the rows while it sends them, which takes far longer than parsing
        # them; so the report is fetched live once, through the client, and the bytes are kept (tee)
        # for the floor and the client to race on a static server.
        tee = Tee(httpx.HTTPTransport())
        live = AdsClient(
            httpx.Client(transport=tee, timeout=120.0),
            endpoints=endpoints,
            client_id=CLIENT_ID,
            auth=httpx.Auth(),
        )
        out["live_client"] = best_of(1, lambda: sum(1 for _ in live.iter_report_rows(url)))
        out["payload"] = bytes(tee.body)
    finally:
        assert child.stdin is not None
        child.stdin.close()
        child.wait(timeout=30)
    return out


def run_replay(payload: bytes) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile(suffix=".json.gz") as file:
        file.write(payload)
        file.flush()
        server = subprocess.Popen(
            [sys.executable, __file__, "--replay", file.name],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert server.stdout is not None and server.stdin is not None
        url = f"http://127.0.0.1:{server.stdout.readline().strip()}/report.json.gz"
        try:
            http = httpx.Client(timeout=120.0)
            client = AdsClient(
                http, endpoints=RegionEndpoints(url, url, url), client_id=CLIENT_ID, auth=httpx.Auth()
            )
            replay_client, replay_floor = interleaved(
                3, lambda: sum(1 for _ in client.iter_report_rows(url)), lambda: floor_download(http, url)[0]
            )
            return {"replay_client": replay_client, "replay_floor": replay_floor}
        finally:
            server.stdin.close()
            server.wait(timeout=30)


def main() -> None:
    started = time.perf_counter()
    got = run_lists_and_report()
    payload = got.pop("payload")
    got.update(run_replay(payload))
    reference = parse_reference(payload)
    gigabyte = measure_gigabyte()

    rows = got["live_client"][0]
    print("Amazon client vs floor (simulator in a subprocess; wall = what a sync waits, CPU = this process)")
    print(f"  {'':<36} {'records':>9} {'wall s':>7} {'rec/s':>10} {'CPU s':>7} {'rec/s CPU':>10}")
    sections: tuple[tuple[str, str, str | None], ...] = (
        ("list 200,000 SP keywords (1,000 a page)", "kw", "floor: httpx POST + json.loads"),
        (f"report, {rows:,} rows, live from the simulator", "live", None),
        (
            "the same report bytes from a static loopback server (best of 3)",
            "replay",
            "floor: GET+gunzip+json.loads",
        ),
    )
    for title, key, floor_name in sections:
        client = got[f"{key}_client"]
        print(f" {title}")
        print(line("client", *client))
        if floor_name is None:
            print("  (bound by the simulator generating rows; the floor races on the same bytes below)")
            continue
        floor = got[f"{key}_floor"]
        assert client[0] == floor[0], (title, client[0], floor[0])
        print(line(floor_name, *floor))
        print(ratio_line(client, floor))
    print(f" parse only, the same {len(payload) / 1e6:.1f} MB gzip in memory (no network)")
    for name, count, cpu in reference:
        print(f"  {name:<36} {count:>9,} {'':>7} {'':>10} {cpu:>7.2f} {count / cpu:>10,.0f}")
    peak_mb, base_mb = gigabyte["peak_kb"] / 1024, gigabyte["baseline_kb"] / 1024
    print(
        f" {gigabyte['uncompressed_bytes'] / 1e9:.2f} GB (uncompressed) report through iter_report_rows"
        f" in a child process: {gigabyte['rows']:,} rows in {gigabyte['seconds']:.0f} s"
    )
    print(
        f"  peak RSS {peak_mb:.0f} MB (after imports {base_mb:.0f} MB, growth {peak_mb - base_mb:.1f} MB)"
        f"  goal < 200 MB: {'PASS' if peak_mb < 200 else 'FAIL'}"
    )
    print(f" total {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--serve"]:
        serve()
    elif sys.argv[1:2] == ["--memory-child"]:
        memory_child(sys.argv[2])
    elif sys.argv[1:2] == ["--replay"]:
        replay(sys.argv[2])
    else:
        main()
