"""Where the browser tests write their screenshots.

A test run writes them to a temporary folder, so `make test` leaves the working tree clean; `make
screenshots` sets `SCREENSHOTS_DIR=docs/screenshots` to refresh the README's copies on purpose.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

__all__ = ["screenshot_path"]

_ROOT = Path(__file__).resolve().parents[2]


def screenshot_path(name: str) -> Path:
    """The file `name` in the screenshots folder (created when missing)."""
    chosen = os.environ.get("SCREENSHOTS_DIR")
    # Relative to the repository, not the working directory (local mode's tests chdir to a temp folder).
    folder = _ROOT / chosen if chosen else Path(tempfile.gettempdir()) / "hilal-screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / name
