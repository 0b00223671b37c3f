"""Benchmark: 50 concurrent clients sending signed slash commands and block actions to the running app.

Measures the time to the HTTP answer (what Slack's 3-second rule is about), p50/p99, for Hilal and, in
the same run, for a bare Bolt app (one listener that only acks) behind the same WSGI server; prints both
and the ratio. Goal: p99 well under 3 s and within 1.5x of the bare app.
Run: `.venv/bin/python bench/bench_slack.py`.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlencode

import httpx
from slack_bolt import App
from slack_sdk.signature import SignatureVerifier
from werkzeug.serving import BaseWSGIServer, make_server

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.app import create_app
from bot.web.server import build_web_app
from bot.wiring import build_services
from storage.db import make_engine
from storage.migrate import upgrade
from tests.harness import SIGNING_SECRET, harness_settings

CLIENTS, PER_CLIENT = 50, 20


def _serve(wsgi: WSGIApplication) -> tuple[BaseWSGIServer, str]:
    server = make_server("127.0.0.1", 0, wsgi, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}/slack/events"


def _bodies(sink: str) -> list[str]:
    command = urlencode(
        {
            "command": "/hilal",
            "text": "regions",
            "team_id": "T0DEMO",
            "user_id": "U0ADMIN",
            "channel_id": "C0PPC",
            "response_url": sink,
            "trigger_id": "1.2.3",
        }
    )
    action = urlencode(
        {
            "payload": '{"type":"block_actions","team":{"id":"T0DEMO"},"user":{"id":"U0ADMIN"},'
            '"api_app_id":"A1","token":"t","trigger_id":"1.2.3","response_url":"' + sink + '",'
            '"actions":[{"action_id":"region.connect","block_id":"b","type":"button","value":"{}",'
            '"action_ts":"1"}]}'
        }
    )
    return [command, action]


def _load(url: str, bodies: list[str]) -> list[float]:
    verifier = SignatureVerifier(SIGNING_SECRET)
    times: list[float] = []
    lock = threading.Lock()

    def client(i: int) -> None:
        with httpx.Client(timeout=30) as http:
            for n in range(PER_CLIENT):
                body = bodies[(i + n) % len(bodies)]
                ts = str(int(time.time()))
                signature = verifier.generate_signature(timestamp=ts, body=body)
                assert signature is not None
                headers = {
                    "X-Slack-Request-Timestamp": ts,
                    "X-Slack-Signature": signature,
                    "Content-Type": "application/x-www-form-urlencoded",
                }
                start = time.perf_counter()
                response = http.post(url, content=body, headers=headers)
                elapsed = time.perf_counter() - start
                assert response.status_code == 200, response.text
                with lock:
                    times.append(elapsed)

    with ThreadPoolExecutor(CLIENTS) as pool:
        list(pool.map(client, range(CLIENTS)))
    return times


def _pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1] * 1000


def main() -> None:
    from sandbox.amazon import AmazonSimulator, SimConfig
    from sandbox.slack import SlackStandIn

    with (
        tempfile.TemporaryDirectory() as tmp,
        SlackStandIn.with_demo_workspace() as slack,
        AmazonSimulator(SimConfig(client_id="amzn1.application-oa2-client.test")) as sim,
    ):
        sink = f"{slack.base_url}/webhook/bench"
        engine = make_engine(f"sqlite:///{tmp}/bench.db")
        upgrade(engine)
        settings = harness_settings(sim, slack, "http://127.0.0.1:9")
        services = build_services(settings, engine=engine)
        app, _ = create_app(settings, services)
        hilal_server, hilal_url = _serve(build_web_app(app, services))
        from slack_sdk import WebClient

        bare = App(
            signing_secret=SIGNING_SECRET,
            token_verification_enabled=False,
            client=WebClient(token="xoxb-demo-T0DEMO", base_url=slack.api_url),
        )
        bare.command("/hilal")(lambda ack: ack())
        bare.action("region.connect")(lambda ack: ack())
        from flask import Flask, request
        from slack_bolt.adapter.flask import SlackRequestHandler

        flask_bare, handler = Flask("bare"), SlackRequestHandler(bare)
        flask_bare.post("/slack/events")(lambda: handler.handle(request))
        bare_server, bare_url = _serve(flask_bare)
        _load(hilal_url, _bodies(sink))  # warm-up
        results = {"bare Bolt": _load(bare_url, _bodies(sink)), "Hilal": _load(hilal_url, _bodies(sink))}
        hilal_server.shutdown()
        bare_server.shutdown()
    print(f"{CLIENTS} concurrent clients x {PER_CLIENT} signed requests (slash commands and block actions)")
    for name, times in results.items():
        print(f"{name:<10} p50 {_pct(times, 50):7.1f} ms   p99 {_pct(times, 99):7.1f} ms   n={len(times)}")
    ratio = _pct(results["Hilal"], 99) / _pct(results["bare Bolt"], 99)
    print(f"p99 ratio Hilal / bare: {ratio:.2f} (goal <= 1.5; Slack allows 3000 ms)")


if __name__ == "__main__":
    main()
