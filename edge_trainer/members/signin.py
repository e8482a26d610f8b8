"""Signing in by card: every Nth frame between sets, scanned off the frame path."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

from edge_trainer.camera.base import Frame
from edge_trainer.errors import InputError
from edge_trainer.events import Event, MemberSignedIn
from edge_trainer.members.card import member_id_of
from edge_trainer.members.registry import MemberList
from edge_trainer.members.scan import CardScanner
from edge_trainer.session.machine import SessionState

log = logging.getLogger(__name__)

REPEAT_S = 10.0  # a card held up is read many times; the same member is signed in once
RELOAD_S = 2.0  # seconds between looks at the member list file for changes
NICE = 10  # the scanning thread yields to the frame path


class CardReader:
    """Looks for member cards while nobody is in a set and signs their owner in.

    ``offer`` is called by the frame thread with every frame; every ``every``-th frame
    outside a set is handed to a scanning thread (at a lower CPU priority), or dropped if
    that thread is still busy with the previous one. A card whose id is in the member
    list is delivered as a ``MemberSignedIn`` event; an unknown or unreadable card is
    ignored and logged once. Neither the card nor its text is ever logged, only the id.

    Args:
        members_path: The member list file, re-read when it changes.
        every: Frames between two scans.
        deliver: Puts an event on the bus between frames (from any thread).
        inline: Scan on the calling thread (the emulator playing a clip frame by frame,
            where the result must not depend on thread timing).
        on_removed: Called with the ids of removed members whenever the list is read.
        scanner: The card scanner.
    """

    def __init__(
        self,
        members_path: Path,
        every: int,
        deliver: Callable[[Event], None],
        *,
        inline: bool = False,
        on_removed: Callable[[frozenset[str]], None] | None = None,
        scanner: CardScanner | None = None,
    ) -> None:
        self.members_path = members_path
        self.every = max(1, every)
        self.deliver = deliver
        self.inline = inline
        self.on_removed = on_removed
        self.scanner = scanner or CardScanner()
        self.frames = 0
        self.scans = 0
        self.skipped = 0
        self.scan_cpu_s = 0.0
        self._since = 0
        self._members = MemberList()
        self._stamp: tuple[float, int] | None = None
        self._next_reload = 0.0
        self._last: tuple[str, float] | None = None
        self._logged: set[str] = set()
        self._pending: Frame | None = None
        self._wake = threading.Condition()
        self._closed = False
        self._thread: threading.Thread | None = None
        self._reload(force=True)
        if not inline:
            self._thread = threading.Thread(target=self._run, name="card-reader", daemon=True)
            self._thread.start()

    # -- frame thread ------------------------------------------------------------------

    def offer(self, frame: Frame, state: SessionState) -> None:
        """A frame has been processed; scan it if it is time and nobody is in a set."""
        self.frames += 1
        if state is SessionState.SET_ACTIVE:
            self._since = 0  # after a set, the first look waits a full interval
            return
        self._since += 1
        if self._since < self.every:
            return
        self._since = 0
        if self.inline:
            self._scan(frame)
            return
        with self._wake:
            if self._pending is not None:
                self.skipped += 1
            self._pending = frame
            self._wake.notify()

    def close(self) -> None:
        """Stop the scanning thread; idempotent."""
        with self._wake:
            self._closed = True
            self._wake.notify()
        if self._thread is not None:
            self._thread.join(timeout=5.0)
            self._thread = None

    @property
    def cpu_ms_per_frame(self) -> float:
        """Scanning CPU time per frame offered, in milliseconds."""
        return 1000.0 * self.scan_cpu_s / self.frames if self.frames else 0.0

    # -- scanning ----------------------------------------------------------------------

    def _run(self) -> None:
        try:
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), NICE)
        except (OSError, AttributeError) as exc:  # not Linux, or not allowed
            log.debug("card reader runs at normal priority: %s", exc)
        while True:
            with self._wake:
                while self._pending is None and not self._closed:
                    self._wake.wait()
                frame, self._pending = self._pending, None
                if self._closed or frame is None:
                    return
            try:
                self._scan(frame)
            except Exception:
                log.exception("card scan failed")

    def _scan(self, frame: Frame) -> None:
        started = time.thread_time()
        result = self.scanner.scan(frame.image)
        self.scan_cpu_s += time.thread_time() - started
        self.scans += 1
        if result.unreadable and "unreadable" not in self._logged:
            self._logged.add("unreadable")
            log.info("a card was seen but could not be read (too far, too tilted or damaged)")
        for text in result.texts:
            self._found(text, frame.t)

    def _found(self, text: str, t: float) -> None:
        member_id = member_id_of(text)
        if member_id is None:
            if "foreign" not in self._logged:
                self._logged.add("foreign")
                log.info("a QR code that is not a member card was ignored")
            return
        self._reload()
        member = self._members.get(member_id)
        if member is None:
            if member_id not in self._logged:
                self._logged.add(member_id)
                log.warning(
                    "card of unknown member %s ignored (not in %s)", member_id, self.members_path
                )
            return
        if self._last is not None and self._last[0] == member_id and t - self._last[1] < REPEAT_S:
            return
        self._last = (member_id, t)
        self.deliver(MemberSignedIn(t, member.id, member.name))

    def _reload(self, force: bool = False) -> None:
        """Re-read the member list when the file changed (at most every ``RELOAD_S``)."""
        now = time.monotonic()
        if not force and now < self._next_reload:
            return
        self._next_reload = now + RELOAD_S
        try:
            st = self.members_path.stat()
            stamp = (st.st_mtime, st.st_size)
        except OSError:
            stamp = None
        if stamp == self._stamp and not force:
            return
        self._stamp = stamp
        try:
            self._members = MemberList.load(self.members_path)
        except InputError as exc:
            log.error("member list not read, keeping the previous one: %s", exc)
            return
        log.info("member list: %d member(s)", len(self._members.active()))
        removed = frozenset(self._members.removed_ids())
        if removed and self.on_removed is not None:
            self.on_removed(removed)
