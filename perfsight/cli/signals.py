"""Stopping long-running commands cleanly on SIGINT/SIGTERM."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from types import FrameType

from perfsight.cli.context import err


@contextlib.contextmanager
def signals_as_interrupt(*signals: signal.Signals) -> Iterator[None]:
    """These signals take Ctrl-C's way out (KeyboardInterrupt): a dashboard's stop or a CI
    cancel (SIGTERM), a closed terminal (SIGHUP) end a command as cleanly as Ctrl-C does."""

    def interrupt(_signum: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = {sig: signal.signal(sig, interrupt) for sig in signals}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


@contextlib.contextmanager
def stop_on_signals(what: str) -> Iterator[threading.Event]:
    """SIGINT/SIGTERM set the event (the command finishes ``what`` and ends normally); a
    second signal interrupts at once (KeyboardInterrupt)."""
    stop = threading.Event()

    def handle(signum: int, _frame: FrameType | None) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()
        err.print(f"{signal.Signals(signum).name}: {what}")

    previous = {sig: signal.signal(sig, handle) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield stop
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
