"""Browser end-to-end fixtures: Hilal in local mode, in-process, and Debian's Chromium through Playwright.

`local_hilal` starts Hilal exactly as `hilal run` does with no Slack credentials (the Slack stand-in with
its console, the Amazon simulator with the demo account, SQLite in the working directory), but in this
process, on free loopback ports, with the background executor and no scheduler. `chromium` launches
/usr/bin/chromium headless (Playwright's own browser download is not available here).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from bot.runtime import Runtime, build_runtime
from bot.settings import load_settings

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def local_hilal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Runtime]:
    """`hilal run` in local mode, served by a threaded werkzeug server on a free loopback port."""
    monkeypatch.chdir(tmp_path)  # local mode keeps its folder (.hilal-local/) in the working directory
    app: list[Any] = []
    # Bind first (port 0), then build: no window in which another process can take the port.
    server = make_server("127.0.0.1", 0, lambda environ, start: app[0](environ, start), threaded=True)
    port = int(server.server_port)
    try:
        runtime = build_runtime(load_settings({"HILAL_PORT": str(port)}), local_port=port)
    except BaseException:
        server.server_close()
        raise
    app.append(runtime.web)
    thread = threading.Thread(target=server.serve_forever, name="hilal-e2e-web", daemon=True)
    thread.start()
    runtime.start_background(scheduler=False)
    try:
        yield runtime
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        runtime.stop()
        runtime.services.amazon.http.close()
        runtime.services.engine.dispose()


@pytest.fixture
def chromium() -> Iterator[Any]:
    """A headless Chromium (Playwright `Browser`); skips when /usr/bin/chromium is not installed."""
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is not installed (`make test` installs the Debian package)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
