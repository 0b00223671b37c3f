"""``python -m sandbox.slack``: the Slack stand-in and its console, for trying an app by hand."""

from __future__ import annotations

import argparse
import logging
import os
import sys

from sandbox.slack.serve import serve_forever
from sandbox.slack.standin import SlackStandIn


def _announce(slack: SlackStandIn) -> None:
    sys.stderr.write(f"Slack console: {slack.base_url}/  Web API: {slack.api_url}\n")


def main(argv: list[str] | None = None) -> int:
    """Parse arguments and serve until interrupted."""
    parser = argparse.ArgumentParser(prog="python -m sandbox.slack", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=3001)
    parser.add_argument("--app-url", help="the app's Request URL, e.g. http://127.0.0.1:3000/slack/events")
    args = parser.parse_args(argv)
    secret = os.environ.get("SLACK_SIGNING_SECRET")
    if args.app_url and not secret:
        parser.error("set SLACK_SIGNING_SECRET to the app's signing secret")
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    serve_forever(
        args.host,
        args.port,
        app_url=args.app_url,
        signing_secret=secret,
        ready=_announce,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
