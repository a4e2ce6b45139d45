"""Compare a recorded real reply with the sandbox's reply: shape, types, and values where the
values are deterministic. The allow-list (what may differ, and why) is in README.md beside this
file; it is applied here and nowhere else.

* Objects must have the same keys; lists the same length and order; scalars the same JSON type
  (``null``, string, number, boolean; an int and a float are both a number).
* Values must be equal, except:
  - ``time`` blocks (the top one and batch ``result_time`` entries): keys and types only, and
    ``operating``/``operating_reset_at`` may be absent from older recordings;
  - timestamps the portal stamps (:data:`TIMESTAMP_KEYS`): an ISO-8601 date-time with an
    offset, or empty on both sides;
  - ids the portal generates (``ID``/``id`` keys) unless the case maps the recorded id to a
    record of its setup (``ids``), in which case the sandbox must answer that record's id;
  - a case's own ``ignore`` paths (values that are the recording portal's content: user names,
    stage names in its language…; such a value, or subtree, may also be null on one side) and
    ``portal_only`` keys (fields that exist only on the recording portal: its user fields,
    smart-process links), each with a reason;
  - keys a partial recording does not show (``not_recorded``: an issue thread that pasted only
    the error part of a batch reply), each with a reason;
  - user fields (``UF_CRM_*``, ``ufCrm*``) the replaying portal has and the recording portal had
    not: a portal's user fields are its own (on a served sandbox, other cases made them). User
    fields the recording shows must be there (the setup creates them) unless ``portal_only``.
* Two date-times are equal when they are the same instant (a portal in +02:00 and one in
  +03:00 render 00:00 UTC differently, and both are right).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime
from fnmatch import fnmatchcase
from typing import Any

__all__ = ["TIMESTAMP_KEYS", "Rules", "compare", "compare_keys"]

#: Keys whose values the portal stamps at the moment of the call.
TIMESTAMP_KEYS = frozenset(
    {
        "DATE_CREATE", "DATE_MODIFY", "LAST_ACTIVITY_TIME", "MOVED_TIME", "CREATED",
        "LAST_UPDATED", "DATE_UPDATE", "TIMESTAMP_X", "DATE_REGISTER", "LAST_LOGIN",
        "createdTime", "updatedTime", "movedTime", "lastActivityTime", "timestampX",
        "dateCreate", "DATE_CLOSED", "dateClosed", "LAST_COMMUNICATION_TIME",
        "lastCommunicationTime", "createdDate", "changedDate", "activityDate",
        "statusChangedDate",
    }
)  # fmt: skip
_TIME_KEYS = frozenset(
    {"start", "finish", "duration", "processing", "date_start", "date_finish",
     "operating_reset_at", "operating"}
)  # fmt: skip
_OPTIONAL_TIME_KEYS = frozenset({"operating_reset_at", "operating", "processing"})
_GENERATED = frozenset({"ID", "id"})
_USER_FIELD = ("UF_CRM_", "ufCrm")
_ID_KEY = re.compile(r"(^|_)IDS?$|Ids?$|^id$|^ID$|_BY$|By$")
_ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d([+-]\d\d:\d\d)$")


def _segments(pattern: str) -> list[str]:
    return pattern.split(".")


def _matches(pattern: list[str], path: list[str]) -> bool:
    if not pattern:
        return not path
    head, rest = pattern[0], pattern[1:]
    if head == "**":
        return any(_matches(rest, path[i:]) for i in range(len(path) + 1))
    if not path:
        return False
    return fnmatchcase(path[0], head) and _matches(rest, path[1:])


@dataclass(frozen=True)
class Rules:
    """The case's allow-list: ``ids`` (recorded id → setup alias, ``user:N`` or ``*``; a key
    with a dot is a path, for when two records share a recorded id),
    ``ignore``, ``portal_only`` and ``not_recorded`` (path pattern → reason)."""

    ids: dict[str, str] = field(default_factory=dict)
    ignore: dict[str, str] = field(default_factory=dict)
    portal_only: dict[str, str] = field(default_factory=dict)
    not_recorded: dict[str, str] = field(default_factory=dict)
    bound: dict[str, str] = field(default_factory=dict)  # recorded id → expected id text

    @classmethod
    def from_case(cls, raw: dict[str, Any]) -> Rules:
        return cls(
            ids={str(k): str(v) for k, v in (raw.get("ids") or {}).items()},
            ignore=dict(raw.get("ignore") or {}),
            portal_only=dict(raw.get("portal_only") or {}),
            not_recorded=dict(raw.get("not_recorded") or {}),
        )

    def bind(self, aliases: dict[str, int]) -> Rules:
        """Resolve ``ids`` against the ids the setup created."""
        bound = {}
        for recorded, target in self.ids.items():
            if target == "*" or target.isdigit():
                bound[recorded] = target  # any id, or this literal one
            elif target.startswith("user:"):
                bound[recorded] = target[5:]
            else:
                bound[recorded] = str(aliases[target])
        return replace(self, bound=bound)

    def ignored(self, path: list[str]) -> bool:
        return any(_matches(_segments(p), path) for p in self.ignore)

    def portal_specific(self, path: list[str]) -> bool:
        return any(_matches(_segments(p), path) for p in self.portal_only)

    def unrecorded(self, path: list[str]) -> bool:
        return any(_matches(_segments(p), path) for p in self.not_recorded)


def compare(recorded: Any, actual: Any, rules: Rules) -> list[str]:
    """Every difference between the recorded reply and the sandbox's, as ``path: what``."""
    out: list[str] = []
    _walk(recorded, actual, [], rules, out)
    return out


#: Prefixes of fields that exist only on some portals (user fields, smart-process links,
#: catalogue properties): a recorded key list of "system fields" leaves them out.
_PORTAL_PREFIXES = ("UF_", "PARENT_ID_", "PROPERTY_")


def compare_keys(spec: dict[str, Any], actual: Any, rules: Rules) -> list[str]:
    """A recording that pins only the key names at ``spec["at"]`` (e.g. an SDK's test that
    asserts the field list of a live portal): the system keys there must be exactly these."""
    node = actual
    for part in str(spec["at"]).split("."):
        node = node[int(part)] if isinstance(node, list) else (node or {}).get(part)
    if not isinstance(node, dict):
        return [f"{spec['at']}: not an object ({_cut(node)})"]
    got = {k for k in node if not k.startswith(_PORTAL_PREFIXES)}
    want = set(spec["names"])
    out = [f"{spec['at']}.{k}: missing" for k in sorted(want - got)]
    out += [f"{spec['at']}.{k}: not in the recording" for k in sorted(got - want)
            if not rules.unrecorded([*str(spec["at"]).split("."), k])]  # fmt: skip
    return out


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "list" if isinstance(value, list) else "object"


def _is_time_block(path: list[str]) -> bool:
    return path == ["time"] or (len(path) == 3 and path[:2] == ["result", "result_time"])


def _walk(rec: Any, act: Any, path: list[str], rules: Rules, out: list[str]) -> None:
    where = ".".join(path) or "(body)"
    if rules.ignored(path) and (None in (rec, act) or _kind(rec) == _kind(act)):
        return  # an ignored value (or subtree) may also be unset on one side
    if _kind(rec) != _kind(act):
        out.append(f"{where}: {_kind(act)} {_cut(act)}, recorded {_kind(rec)} {_cut(rec)}")
    elif isinstance(rec, dict):
        _walk_object(rec, act, path, rules, out)
    elif isinstance(rec, list):
        if len(rec) != len(act):
            out.append(f"{where}: {len(act)} items, recorded {len(rec)}")
        for i, (r, a) in enumerate(zip(rec, act, strict=False)):
            _walk(r, a, [*path, str(i)], rules, out)
    elif not _same_value(rec, act, path, rules):
        out.append(f"{where}: {_cut(act)}, recorded {_cut(rec)}")


def _walk_object(rec: dict[str, Any], act: dict[str, Any], path: list[str], rules: Rules,
                 out: list[str]) -> None:  # fmt: skip
    time_block = _is_time_block(path)
    for key in sorted(rec.keys() - act.keys()):
        optional = time_block and key in _OPTIONAL_TIME_KEYS
        if not optional and not rules.portal_specific([*path, key]):
            out.append(f"{'.'.join([*path, key])}: missing (recorded {_cut(rec[key])})")
    for key in sorted(act.keys() - rec.keys()):
        if key.startswith(_USER_FIELD):
            continue  # the replaying portal's own user fields (other cases made them)
        if not (time_block and key in _TIME_KEYS) and not rules.unrecorded([*path, key]):
            out.append(f"{'.'.join([*path, key])}: not in the recording ({_cut(act[key])})")
    for key in sorted(rec.keys() & act.keys()):
        if rules.portal_specific([*path, key]):
            continue
        if time_block:
            if _kind(rec[key]) != _kind(act[key]):
                out.append(f"{'.'.join([*path, key])}: {_kind(act[key])}, recorded number")
            continue
        _walk(rec[key], act[key], [*path, key], rules, out)


def _same_value(rec: Any, act: Any, path: list[str], rules: Rules) -> bool:
    key = path[-1] if path else ""
    if rules.ignored(path):
        return True
    at_path = rules.bound.get(".".join(path))
    if at_path is not None:
        return at_path == "*" or str(act) == at_path
    if key in TIMESTAMP_KEYS and rec != act:
        return (rec == act == "") or bool(_ISO.match(str(act)) and _ISO.match(str(rec)))
    mapped = rules.bound.get(str(rec)) if _id_like(path) else None
    if mapped is not None:
        return mapped == "*" or str(act) == mapped
    if key in _GENERATED:
        return True
    if isinstance(rec, str) and _ISO.match(rec) and _ISO.match(act):
        return datetime.fromisoformat(rec) == datetime.fromisoformat(act)
    if isinstance(rec, int | float) and not isinstance(rec, bool):
        return float(rec) == float(act)
    return bool(rec == act)


def _id_like(path: list[str]) -> bool:
    """A key that holds an id (``ID``, ``COMPANY_ID``, ``ownerId``…), a list under such a key,
    or the bare ``result`` of an ``add``."""
    names = [p for p in path if not p.isdigit()]
    return bool(names) and (bool(_ID_KEY.search(names[-1])) or names == ["result"])


def _cut(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
