"""Browser end-to-end fixtures: Hilal in local mode, in-process, and Debian's Chromium through Playwright.

`local_hilal` starts Hilal exactly as `hilal run` does with no Slack credentials (the Slack stand-in with
its console, the Amazon simulator with the demo account, SQLite in the working directory), but in this
process, on free loopback ports, with the background executor and no scheduler. `chromium` launches
/usr/bin/chromium headless (Playwright's own browser download is not available here).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
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


class LocalHilal:
    """`hilal run` in local mode, in this process, served by a threaded werkzeug server on loopback.

    `restart()` stops everything (as Ctrl-C does) and starts again from the same folder on the same
    port, as a second `make run` would: the console comes back on the port the folder remembers.
    """

    def __init__(self) -> None:
        self.port = 0
        self.offset = timedelta(0)  # how far Hilal's clock runs ahead of the wall clock
        self.runtime: Runtime | None = None
        self._server: Any = None
        self._thread: threading.Thread | None = None

    def start(self) -> Runtime:
        app: list[Any] = []
        # Bind first (port 0 the first time), then build: no window in which another process takes it.
        server = make_server(
            "127.0.0.1", self.port, lambda environ, start: app[0](environ, start), threaded=True
        )
        self.port = int(server.server_port)
        try:
            runtime = build_runtime(
                load_settings({"HILAL_PORT": str(self.port)}), local_port=self.port, clock=self.now
            )
        except BaseException:
            server.server_close()
            raise
        app.append(runtime.web)
        self._server, self.runtime = server, runtime
        self._thread = threading.Thread(target=server.serve_forever, name="hilal-e2e-web", daemon=True)
        self._thread.start()
        runtime.start_background(scheduler=False)
        return runtime

    def now(self) -> datetime:
        """Hilal's clock: the wall clock plus what `advance` added."""
        return datetime.now(UTC) + self.offset

    def advance(self, seconds: float) -> None:
        """Move Hilal's clock and the Amazon simulator's forward together (reports ripen, jobs fall due)."""
        assert self.runtime is not None and self.runtime.local is not None
        self.offset += timedelta(seconds=seconds)
        self.runtime.local.amazon.advance(seconds)

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)
        if self.runtime is not None:
            self.runtime.stop()
        self._server = self._thread = self.runtime = None

    def restart(self) -> Runtime:
        self.stop()
        return self.start()


@pytest.fixture
def hilal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalHilal]:
    """Local-mode Hilal in a fresh folder (``.hilal-local/`` under a temporary working directory)."""
    monkeypatch.chdir(tmp_path)  # local mode keeps its folder (.hilal-local/) in the working directory
    local = LocalHilal()
    local.start()
    try:
        yield local
    finally:
        local.stop()


@pytest.fixture
def local_hilal(hilal: LocalHilal) -> Runtime:
    """The running local-mode runtime (for walks that do not restart it)."""
    assert hilal.runtime is not None
    return hilal.runtime


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
