"""The member list: opaque ids and display names in one JSON file, merged across a fleet."""

from __future__ import annotations

import json
import logging
import os
import secrets
import time
import unicodedata
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from edge_trainer.errors import InputError

log = logging.getLogger(__name__)

ID_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"  # QR alphanumeric mode, no case
ID_LENGTH = 8  # 36**8 ids: a guessed card never names a member
MAX_NAME = 40
MAX_FILE_BYTES = 4 << 20  # tens of thousands of members; anything bigger is not a list
FORMAT_VERSION = 1


@dataclass(frozen=True, slots=True)
class Member:
    """One member, or the trace a removed member leaves behind.

    Attributes:
        id: Opaque id, the only thing the card carries.
        name: Display name (empty once removed).
        created: Unix time the member was added.
        updated: Unix time of the last change (the newest change wins in a merge).
        removed: True once removed: the id is kept so a merge does not bring it back.
    """

    id: str
    name: str
    created: float
    updated: float
    removed: bool = False


def members_path(state_dir: str | os.PathLike[str], name: str) -> Path:
    """Where the member list lives: ``name`` under ``state_dir`` unless it is absolute."""
    p = Path(name)
    return p if p.is_absolute() else Path(state_dir) / p


def new_id() -> str:
    """A random member id (``ID_LENGTH`` characters of ``ID_ALPHABET``)."""
    return "".join(secrets.choice(ID_ALPHABET) for _ in range(ID_LENGTH))


def valid_id(text: str) -> bool:
    """True if ``text`` has the shape of a member id."""
    return len(text) == ID_LENGTH and all(c in ID_ALPHABET for c in text)


def clean_name(name: str) -> str:
    """The display name as stored: trimmed, printable, at most ``MAX_NAME`` characters."""
    text = " ".join(name.split())
    if not text:
        raise InputError("a member name must not be empty")
    if len(text) > MAX_NAME:
        raise InputError(f"member name {text[:20]!r}... is longer than {MAX_NAME} characters")
    if any(unicodedata.category(c)[0] == "C" for c in text):
        raise InputError(f"member name {text!r} contains control characters")
    return text


class MemberList:
    """The members of a box (or a fleet), read from and written to one JSON file.

    Writes replace the file atomically (a reader never sees half a list). Names are
    unique, ignoring case. A removed member stays as an id without a name, so merging
    the lists of several boxes does not resurrect it.
    """

    def __init__(self, members: Iterable[Member] = ()) -> None:
        self._by_id: dict[str, Member] = {m.id: m for m in members}

    # -- reading and writing -----------------------------------------------------------

    @classmethod
    def load(cls, path: Path) -> MemberList:
        """Read a list file; a missing file is an empty list.

        Raises:
            InputError: the file is not a member list.
        """
        try:
            st = path.stat()
        except FileNotFoundError:
            return cls()
        except OSError as exc:
            raise InputError(f"cannot read member list {path}: {exc.strerror or exc}") from exc
        if st.st_size > MAX_FILE_BYTES:
            raise InputError(f"member list {path} is {st.st_size} bytes: not a member list")
        try:
            data = json.loads(path.read_bytes().decode("utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InputError(f"member list {path} cannot be read: {exc}") from exc
        return cls.from_json(data, str(path))

    @classmethod
    def from_json(cls, data: Any, source: str = "member list") -> MemberList:
        """A list from its parsed JSON form; InputError naming the first bad entry."""
        if not isinstance(data, dict) or not isinstance(data.get("members"), list):
            raise InputError(f"{source} is not a member list (no 'members' array)")
        members = []
        for i, raw in enumerate(data["members"]):
            try:
                member = Member(
                    id=str(raw["id"]),
                    name=str(raw.get("name", "")),
                    created=float(raw["created"]),
                    updated=float(raw["updated"]),
                    removed=bool(raw.get("removed", False)),
                )
            except (TypeError, KeyError, ValueError) as exc:
                raise InputError(f"{source}: member {i} is malformed ({exc})") from exc
            if not valid_id(member.id):
                raise InputError(f"{source}: member {i} has an invalid id")
            members.append(member)
        return cls(members)

    def to_json(self) -> dict[str, Any]:
        """The list as JSON data (removed members included, by id)."""
        ordered = sorted(self._by_id.values(), key=lambda m: (m.created, m.id))
        return {"version": FORMAT_VERSION, "members": [asdict(m) for m in ordered]}

    def save(self, path: Path) -> None:
        """Write the list to ``path`` atomically (folder created if missing)."""
        text = json.dumps(self.to_json(), indent=1, ensure_ascii=False) + "\n"
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(tmp, "w", encoding="utf-8") as fh:
                fh.write(text)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, 0o640)
            os.replace(tmp, path)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise InputError(f"cannot write member list {path}: {exc.strerror or exc}") from exc

    # -- queries -----------------------------------------------------------------------

    def active(self) -> list[Member]:
        """Members that are not removed, oldest first."""
        return sorted(
            (m for m in self._by_id.values() if not m.removed), key=lambda m: (m.created, m.id)
        )

    def removed_ids(self) -> set[str]:
        """Ids of removed members."""
        return {m.id for m in self._by_id.values() if m.removed}

    def get(self, member_id: str) -> Member | None:
        """The active member with this id, or None."""
        member = self._by_id.get(member_id)
        return None if member is None or member.removed else member

    def find(self, name_or_id: str) -> Member:
        """The active member with this name (any case) or id; InputError if none."""
        key = " ".join(name_or_id.split()).casefold()
        for member in self.active():
            if member.name.casefold() == key or member.id == name_or_id.strip():
                return member
        raise InputError(f"no member named {name_or_id!r} (see 'edge-trainer members list')")

    # -- changes -----------------------------------------------------------------------

    def add(self, name: str, now: float | None = None) -> Member:
        """Add a member with a new random id; InputError if the name is taken."""
        name = clean_name(name)
        self._check_free(name)
        member_id = new_id()
        while member_id in self._by_id:
            member_id = new_id()
        stamp = time.time() if now is None else now
        member = Member(member_id, name, stamp, stamp)
        self._by_id[member_id] = member
        return member

    def ensure(self, member_id: str, name: str, now: float | None = None) -> Member:
        """The member with this id, added under ``name`` if it is not in the list."""
        found = self.get(member_id)
        if found is not None:
            return found
        stamp = time.time() if now is None else now
        member = Member(member_id, clean_name(name), stamp, stamp)
        self._by_id[member_id] = member
        return member

    def rename(self, name_or_id: str, new_name: str, now: float | None = None) -> Member:
        """Give a member a new display name; the id (and so the card) stays."""
        member = self.find(name_or_id)
        new_name = clean_name(new_name)
        if new_name.casefold() != member.name.casefold():
            self._check_free(new_name)
        stamp = max(time.time() if now is None else now, member.updated)
        renamed = Member(member.id, new_name, member.created, stamp)
        self._by_id[member.id] = renamed
        return renamed

    def remove(self, name_or_id: str, now: float | None = None) -> Member:
        """Remove a member: the name is forgotten, the id kept as removed."""
        member = self.find(name_or_id)
        stamp = max(time.time() if now is None else now, member.updated)
        self._by_id[member.id] = Member(member.id, "", member.created, stamp, removed=True)
        return member

    def merge(self, other: MemberList) -> dict[str, int]:
        """Fold another list into this one: per id, the newer change wins.

        Every box that merges the same lists ends with the same list, whatever the order:
        a tie on ``updated`` goes to the removal, then to the greater name.

        Returns:
            Counts of ``added``, ``renamed`` and ``removed`` members.
        """
        counts = {"added": 0, "renamed": 0, "removed": 0}
        for theirs in other._by_id.values():
            ours = self._by_id.get(theirs.id)
            if ours is not None and _rank(ours) >= _rank(theirs):
                continue
            if ours is None:
                counts["removed" if theirs.removed else "added"] += 1
            elif theirs.removed and not ours.removed:
                counts["removed"] += 1
            elif theirs.name != ours.name:
                counts["renamed"] += 1
            self._by_id[theirs.id] = theirs
        self._dedupe_names()
        return counts

    def _check_free(self, name: str) -> None:
        if any(m.name.casefold() == name.casefold() for m in self.active()):
            raise InputError(f"there is already a member named {name!r}")

    def _dedupe_names(self) -> None:
        """Two boxes may each add the same name: the later one gets its id appended."""
        seen: dict[str, str] = {}
        for member in self.active():
            key = member.name.casefold()
            if key in seen:
                renamed = Member(
                    member.id, f"{member.name} ({member.id[:4]})", member.created, member.updated
                )
                self._by_id[member.id] = renamed
                log.warning("two members named %r: the later one is shown with its id", key)
            else:
                seen[key] = member.id


def _rank(member: Member) -> tuple[float, bool, str]:
    return (member.updated, member.removed, member.name)
