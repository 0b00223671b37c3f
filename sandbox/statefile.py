"""Keeping a stand-in's world in a JSON file, so local mode resumes where it stopped.

`StateFile` reads and writes one JSON document atomically (a temporary file, then a rename), readable
only by its owner (0600): the simulators' files hold refresh tokens, fake as they are. `AutoSaver` writes
a snapshot in a background thread whenever it is poked (after each request a stand-in answers), so a
crash loses at most the last moments; bursts of changes coalesce into one write, and an unchanged
snapshot is not written again. `stop()` writes a final snapshot.

    saver = AutoSaver(StateFile(path, kind="amazon-simulator", version=1), snapshot=lambda: {...})
    saver.start()
    saver.poke()   # something may have changed
    saver.stop()   # the last word
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["AutoSaver", "StateFile", "StateFileError"]

logger = logging.getLogger(__name__)


class StateFileError(ValueError):
    """A state file exists but cannot be used (unreadable, not ours, or from another format version)."""


class StateFile:
    """One JSON document on disk: ``{"kind", "version", "state"}``, written atomically with mode 0600."""

    def __init__(self, path: Path, *, kind: str, version: int) -> None:
        self.path = Path(path)
        self.kind = kind
        self.version = version

    def read(self) -> dict[str, Any] | None:
        """The saved state, or None when there is no file yet.

        Raises:
            StateFileError: the file is unreadable, belongs to something else or has another version.
        """
        try:
            raw = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise StateFileError(f"cannot read {self.path}: {exc.strerror}") from None
        try:
            document = json.loads(raw)
        except ValueError:
            raise StateFileError(f"{self.path} is not valid JSON") from None
        if not isinstance(document, dict) or document.get("kind") != self.kind:
            raise StateFileError(f"{self.path} does not hold a saved {self.kind}")
        if document.get("version") != self.version or not isinstance(document.get("state"), dict):
            raise StateFileError(f"{self.path} was saved by another version of the {self.kind}")
        state: dict[str, Any] = document["state"]
        return state

    def encode(self, state: dict[str, Any]) -> str:
        """The file's text for ``state``."""
        return json.dumps({"kind": self.kind, "version": self.version, "state": state}, separators=(",", ":"))

    def write_text(self, text: str) -> None:
        """Replace the file with ``text`` atomically; the file is readable only by its owner."""
        temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, self.path)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise


class AutoSaver:
    """Writes ``snapshot()`` to a `StateFile` after each `poke`, in a daemon thread."""

    def __init__(self, file: StateFile, snapshot: Callable[[], dict[str, Any]]) -> None:
        self._file = file
        self._snapshot = snapshot
        self._cond = threading.Condition()
        self._write_lock = threading.Lock()
        self._dirty = False
        self._stopping = False
        self._last_text: str | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> AutoSaver:
        """Start the saving thread (idempotent)."""
        with self._cond:
            if self._thread is not None:
                return self
            self._stopping = False
            self._thread = threading.Thread(target=self._run, name=f"save-{self._file.kind}", daemon=True)
            self._thread.start()
        return self

    def poke(self) -> None:
        """Something may have changed: save soon (never blocks on the disk)."""
        with self._cond:
            self._dirty = True
            self._cond.notify_all()

    def flush(self) -> None:
        """Save now, in the caller's thread."""
        with self._write_lock:
            try:
                text = self._file.encode(self._snapshot())
                if text != self._last_text:
                    self._file.write_text(text)
                    self._last_text = text
            except OSError as exc:  # a full disk must not take the stand-in down; the next save retries
                logger.warning(
                    "sandbox.state_not_saved", extra={"path": str(self._file.path), "error": str(exc)}
                )

    def stop(self) -> None:
        """Stop the thread and write the final snapshot (idempotent)."""
        with self._cond:
            thread, self._thread = self._thread, None
            self._stopping = True
            self._cond.notify_all()
        if thread is not None:
            thread.join(timeout=30)
        self.flush()

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._dirty and not self._stopping:
                    self._cond.wait()
                if self._stopping:
                    return
                self._dirty = False
            self.flush()
