"""The fleet playbooks for members and history against two boxes behind a loopback sshd."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from edge_trainer.events import RepRecord, SetRecord
from edge_trainer.members.registry import MemberList
from edge_trainer.session.store import HistoryReader, HistoryStore
from tests.integration.test_deploy_ansible import PLAYBOOKS, _ansible
from tests.sshd import LoopbackSshd

EDGE_TRAINER = Path(sys.executable).with_name("edge-trainer")

pytestmark = pytest.mark.skipif(
    shutil.which("ansible-playbook") is None, reason="ansible-playbook is not installed"
)


@pytest.fixture(scope="module")
def sshd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LoopbackSshd]:
    server = LoopbackSshd(tmp_path_factory.mktemp("sshd"))
    yield server
    server.stop()


def fleet_inventory(tmp: Path, sshd: LoopbackSshd, boxes: list[str]) -> Path:
    """Two boxes on the one sshd, each with its own state folder."""
    ssh_args = (
        f"-o UserKnownHostsFile={sshd.dir / 'known_hosts'} -o GlobalKnownHostsFile=/dev/null "
        "-o StrictHostKeyChecking=yes -o IdentitiesOnly=yes"
    )
    lines = ["[edge_trainers]"]
    for box in boxes:
        state = tmp / box
        lines.append(
            f"{box} ansible_host=127.0.0.1 ansible_port={sshd.port} ansible_user={sshd.user} "
            f"ansible_ssh_private_key_file={sshd.key} "
            f"edge_trainer_members_file={state / 'members.json'} "
            f"edge_trainer_db={state / 'history.sqlite3'}"
        )
    lines += [
        "",
        "[edge_trainers:vars]",
        f"ansible_ssh_common_args='{ssh_args}'",
        "edge_trainer_become=false",
        f"edge_trainer_cli={EDGE_TRAINER}",
        f"edge_trainer_local_cli={EDGE_TRAINER}",
        f"edge_trainer_staging={tmp}",
    ]
    inv = tmp / "inventory.ini"
    inv.write_text("\n".join(lines) + "\n")
    return inv


def a_set(db: Path, member: str, reps: int) -> None:
    with HistoryStore(db) as store:
        sid = store.start_session(0.0)
        set_id = store.start_set(sid, "squat", 1.0)
        store.set_member(set_id, member)
        record = SetRecord(
            "squat", 1.0, 9.0, tuple(RepRecord(i, i, i + 1.0, 0.5, 0.5) for i in range(1, reps + 1))
        )
        for r in record.reps:
            store.add_rep(set_id, r)
        store.finish_set(set_id, record)


@pytest.mark.slow
def test_members_reach_every_box_and_history_merges_once(
    tmp_path: Path, sshd: LoopbackSshd
) -> None:
    inv = fleet_inventory(tmp_path, sshd, ["front", "back"])
    front, back = MemberList(), MemberList()
    ana = front.add("Ana")
    ben = back.add("Ben")
    (tmp_path / "front").mkdir()
    (tmp_path / "back").mkdir()
    front.save(tmp_path / "front" / "members.json")
    back.save(tmp_path / "back" / "members.json")
    owner = MemberList()
    cleo = owner.add("Cleo")
    owner.save(tmp_path / "owner.json")

    extra = json.dumps({"members_file": str(tmp_path / "owner.json")})
    done = _ansible(tmp_path, "-i", str(inv), "-e", extra, str(PLAYBOOKS / "members.yml"))
    assert done.returncode == 0, done.stdout + done.stderr
    for box in ("front", "back"):
        listed = MemberList.load(tmp_path / box / "members.json")
        assert {m.id for m in listed.active()} == {ana.id, ben.id, cleo.id}
    assert not list(tmp_path.glob("edge-trainer-members.*"))  # staging removed
    # A second run changes no list.
    done = _ansible(tmp_path, "-i", str(inv), "-e", extra, str(PLAYBOOKS / "members.yml"))
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count("members: 3 (0 added, 0 renamed, 0 removed)") == 2

    a_set(tmp_path / "front" / "history.sqlite3", ana.id, 5)
    a_set(tmp_path / "back" / "history.sqlite3", ana.id, 7)
    a_set(tmp_path / "back" / "history.sqlite3", ben.id, 3)
    fleet = tmp_path / "fleet.sqlite3"
    extra = json.dumps({"history_dest": str(tmp_path / "exports"), "merge_into": str(fleet)})
    done = _ansible(tmp_path, "-i", str(inv), "-e", extra, str(PLAYBOOKS / "collect-history.yml"))
    assert done.returncode == 0, done.stdout + done.stderr
    assert sorted(p.name for p in (tmp_path / "exports").iterdir()) == [
        "back.sqlite3",
        "front.sqlite3",
    ]
    assert "3 set(s) added" in done.stdout
    with HistoryReader(fleet) as reader:
        assert sorted(s.rep_count for s in reader.member_sets(ana.id)) == [5, 7]
    done = _ansible(tmp_path, "-i", str(inv), "-e", extra, str(PLAYBOOKS / "collect-history.yml"))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 set(s) added" in done.stdout
    with HistoryReader(fleet) as reader:
        assert len(reader.recent_sets(10)) == 3
    out = subprocess.run(
        [str(EDGE_TRAINER), "history", "--db", str(fleet), "--members",
         str(tmp_path / "front" / "members.json"), "--member", "ana", "--json"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert sorted(s["reps"] for s in json.loads(out.stdout)) == [5, 7]
