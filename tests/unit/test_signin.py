"""Signing in by card: the reader, the session's member, sets stored as theirs."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import numpy as np
import pytest

from edge_trainer.camera.base import Frame
from edge_trainer.events import (
    Command,
    Event,
    MemberSignedIn,
    PersonAppeared,
    RepCompleted,
    RepRecord,
    SetEnded,
    SetRecord,
)
from edge_trainer.members.registry import MemberList
from edge_trainer.members.signin import CardReader
from edge_trainer.session import SessionMachine, SessionState, WorkoutSession
from edge_trainer.session.store import HistoryStore
from edge_trainer.sim.card import CardPose, card_texture, hold_card

SIZE = (480, 360)


def card_frame(member_id: str, t: float, index: int = 0) -> Frame:
    scene = np.full((SIZE[1], SIZE[0], 3), 120, np.uint8)
    image = hold_card(scene, card_texture(member_id), CardPose(110, (240, 150), 5, -10, 5))
    return Frame(image, t, index)


def blank(t: float, index: int = 0) -> Frame:
    return Frame(np.full((SIZE[1], SIZE[0], 3), 120, np.uint8), t, index)


@pytest.fixture
def members(tmp_path: Path) -> tuple[Path, str, str]:
    path = tmp_path / "members.json"
    listed = MemberList()
    ana, ben = listed.add("Ana"), listed.add("Ben")
    listed.save(path)
    return path, ana.id, ben.id


def test_reader_signs_in_once_and_never_during_a_set(members: tuple[Path, str, str]) -> None:
    path, ana, _ben = members
    got: list[Event] = []
    reader = CardReader(path, 3, got.append, inline=True)
    for i in range(9):
        reader.offer(card_frame(ana, i / 30, i), SessionState.IDLE)
    assert reader.scans == 3
    assert got == [MemberSignedIn(2 / 30, ana, "Ana")]  # the same card again: once
    for i in range(9, 30):
        reader.offer(card_frame(ana, i / 30, i), SessionState.SET_ACTIVE)
    assert reader.scans == 3 and reader.frames == 30
    assert reader.cpu_ms_per_frame > 0
    # Much later the same card signs in again (a new session may have begun).
    reader.offer(card_frame(ana, 20.0), SessionState.REST)
    reader.offer(card_frame(ana, 20.1), SessionState.REST)
    reader.offer(card_frame(ana, 20.2), SessionState.REST)
    assert len(got) == 2


def test_unknown_card_is_ignored_and_logged_once(
    members: tuple[Path, str, str], caplog: pytest.LogCaptureFixture
) -> None:
    path, _ana, _ben = members
    got: list[Event] = []
    reader = CardReader(path, 1, got.append, inline=True)
    with caplog.at_level(logging.INFO):
        for i in range(3):
            reader.offer(card_frame("ZZZZ9999", i / 30, i), SessionState.PRESENT)
            reader.offer(blank(i / 30 + 0.01), SessionState.PRESENT)
    assert got == []
    unknown = [r for r in caplog.records if "unknown member ZZZZ9999" in r.getMessage()]
    assert len(unknown) == 1
    assert not any("ETZZZZ9999" in r.getMessage() for r in caplog.records)  # no card text


def test_damaged_card_is_not_read(members: tuple[Path, str, str]) -> None:
    path, ana, _ben = members
    frame = card_frame(ana, 0.0)
    image = frame.image.copy()
    # A thick scribble across the code: more than error correction can restore.
    image[115:185, 200:280] = np.where(np.indices((70, 80)).sum(0)[..., None] % 9 < 4, 0, 255)
    got: list[Event] = []
    reader = CardReader(path, 1, got.append, inline=True)
    reader.offer(Frame(image, 0.0, 0), SessionState.IDLE)
    assert got == []


def test_reader_thread_and_removed_members(members: tuple[Path, str, str]) -> None:
    path, ana, ben = members
    listed = MemberList.load(path)
    listed.remove("Ben")
    listed.save(path)
    got: list[Event] = []
    removed: list[frozenset[str]] = []
    reader = CardReader(path, 1, got.append, on_removed=removed.append)
    try:
        assert removed == [frozenset({ben})]
        reader.offer(card_frame(ben, 0.0), SessionState.IDLE)
        deadline = time.monotonic() + 10
        while reader.scans < 1 and time.monotonic() < deadline:
            time.sleep(0.02)
        reader.offer(card_frame(ana, 1.0), SessionState.IDLE)
        while not got and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        reader.close()
    assert got == [MemberSignedIn(1.0, ana, "Ana")]  # a removed member's card does nothing


def rep(i: int) -> RepRecord:
    return RepRecord(i, i * 2.0, i * 2.0 + 1.5, 0.7, 0.8, velocity=0.5)


def test_session_member_switch_and_sign_out(tmp_path: Path) -> None:
    store = HistoryStore(tmp_path / "h.sqlite3")
    session = WorkoutSession(SessionMachine(), store)
    session.handle(MemberSignedIn(0.5, "AAAA1111", "Ana"))
    assert session.view.state is SessionState.PRESENT  # a card starts a session
    assert session.view.member_name == "Ana" and session.view.signed_in_t == 0.5
    session.handle(PersonAppeared(1.0))
    for i in (1, 2):
        session.handle(RepCompleted(2.0 * i, "squat", rep(i)))
    session.handle(SetEnded(6.0, SetRecord("squat", 2.0, 5.5, (rep(1), rep(2)))))
    # The same card again changes nothing; another card switches the member.
    session.handle(MemberSignedIn(7.0, "AAAA1111", "Ana"))
    assert session.view.signed_in_t == 0.5
    session.handle(MemberSignedIn(8.0, "BBBB2222", "Ben"))
    for i in (1, 2):
        session.handle(RepCompleted(10.0 + i, "squat", rep(i)))
    session.handle(SetEnded(14.0, SetRecord("squat", 10.0, 13.5, (rep(1), rep(2)))))
    session.handle(Command(15.0, "end_session"))  # hold A: the session ends, Ben signs out
    assert session.view.state is SessionState.IDLE and session.view.member_id is None
    session.handle(PersonAppeared(20.0))
    for i in (1, 2):
        session.handle(RepCompleted(20.0 + i, "squat", rep(i)))
    session.handle(SetEnded(24.0, SetRecord("squat", 20.0, 23.5, (rep(1), rep(2)))))
    sets = store.recent_sets(10)
    assert [s.member_id for s in sets] == ["AAAA1111", "BBBB2222", None]
    assert [s.id for s in store.member_sets("BBBB2222")] == [sets[1].id]
    store.anonymise(frozenset({"AAAA1111"}))
    assert store.recent_sets(10)[0].member_id is None  # removed: the set stays, unnamed
    store.close()
