"""The member list, the card and the ``members`` command."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from edge_trainer.cli import main
from edge_trainer.errors import InputError
from edge_trainer.members.card import member_id_of, payload, qr_bits, write_card
from edge_trainer.members.registry import MemberList, valid_id
from edge_trainer.members.scan import CardScanner


def test_add_rename_remove() -> None:
    members = MemberList()
    maria = members.add("  Maria   Lopez ", now=10.0)
    assert maria.name == "Maria Lopez" and valid_id(maria.id)
    with pytest.raises(InputError, match="already a member"):
        members.add("maria lopez")
    renamed = members.rename("MARIA LOPEZ", "Maria L.", now=20.0)
    assert renamed.id == maria.id and members.find(maria.id).name == "Maria L."
    members.remove("Maria L.", now=30.0)
    assert members.get(maria.id) is None and members.removed_ids() == {maria.id}
    with pytest.raises(InputError, match="no member named"):
        members.find("Maria L.")
    for bad in ("", " ", "x" * 41, "bell\x07here"):
        with pytest.raises(InputError):
            members.add(bad)


def test_merge_is_the_same_in_any_order_and_keeps_removals() -> None:
    a, b = MemberList(), MemberList()
    maria = a.add("Maria", now=1.0)
    tom = b.add("Tom", now=2.0)
    b.merge(a)
    b.rename("Maria", "Maria L.", now=5.0)
    a.merge(b)  # a learns Tom (at 2.0) and the rename (at 5.0)
    a.remove("Tom", now=6.0)
    first, second = MemberList(), MemberList()
    for lists in ((a, b), (b, a)):
        target = first if lists[0] is a else second
        for other in lists:
            target.merge(other)
    assert first.to_json() == second.to_json()
    assert first.get(tom.id) is None  # the removal is newer than Tom's addition
    assert first.find(maria.id).name == "Maria L."
    # Merging again changes nothing.
    assert first.merge(second) == {"added": 0, "renamed": 0, "removed": 0}


def test_list_file_round_trip_and_bad_files(tmp_path: Path) -> None:
    path = tmp_path / "members.json"
    members = MemberList()
    members.add("Ana")
    members.save(path)
    assert MemberList.load(path).to_json() == members.to_json()
    assert MemberList.load(tmp_path / "missing.json").active() == []
    for text in ("not json", '{"members": 3}', '{"members": [{"id": "bad"}]}'):
        path.write_text(text)
        with pytest.raises(InputError):
            MemberList.load(path)


def test_payload_carries_only_the_id() -> None:
    assert payload("K7Q2M9XA") == "ETK7Q2M9XA"
    assert member_id_of("ETK7Q2M9XA") == "K7Q2M9XA"
    for text in ("K7Q2M9XA", "ETk7q2m9xa", "ETK7Q2M9X", "https://example.org"):
        assert member_id_of(text) is None
    assert qr_bits("K7Q2M9XA").shape == (21, 21)


@pytest.mark.parametrize("suffix", [".png", ".pdf"])
def test_printed_card_is_card_sized_and_reads(tmp_path: Path, suffix: str) -> None:
    members = MemberList()
    member = members.add("Ana")
    out = write_card(member, tmp_path / f"card{suffix}")
    assert out.stat().st_size > 1000
    if suffix == ".png":
        card = Image.open(out)
        assert card.size == (638, 1011) and round(card.info["dpi"][0]) == 300
        # Shrunk to 70 px wide (2.5 px a module) it still reads.
        small = np.asarray(card.convert("L").resize((70, 111), Image.Resampling.BOX))
        frame = np.full((240, 320), 128, np.uint8)
        frame[60:171, 100:170] = small
        assert CardScanner().scan(frame).texts == (payload(member.id),)


def test_members_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # "add" without -o writes NAME-card.png to the current folder
    path = tmp_path / "m.json"
    base = ["members", "--file", str(path)]
    assert main([*base, "add", "Maria Lopez", "-o", str(tmp_path / "maria.png")]) == 0
    assert (tmp_path / "maria.png").is_file()
    assert main([*base, "add", "Tom"]) == 0
    assert (tmp_path / "tom-card.png").is_file()
    capsys.readouterr()
    assert main([*base, "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [m["name"] for m in listed][:1] == ["Maria Lopez"]
    before = path.read_bytes()
    # Bad input: one line, exit 2, the list untouched.
    assert main([*base, "add", "maria lopez"]) == 2
    assert main([*base, "rename", "nobody", "x"]) == 2
    assert main([*base, "card", "Maria Lopez", "-o", str(tmp_path / "no" / "dir" / "c.png")]) == 2
    assert "error:" in capsys.readouterr().err
    assert path.read_bytes() == before
    assert main([*base, "rename", "Maria Lopez", "Maria"]) == 0
    assert main([*base, "remove", "Maria"]) == 0
    capsys.readouterr()
    assert main([*base, "export"]) == 0
    exported = json.loads(capsys.readouterr().out)
    assert any(m["removed"] and m["name"] == "" for m in exported["members"])
    other = tmp_path / "other.json"
    assert main(["members", "--file", str(other), "merge", str(path)]) == 0
    assert MemberList.load(other).to_json() == MemberList.load(path).to_json()
