"""The stage store: results of the pure stages kept in the workspace, keyed by their inputs.

Read → map → clean → validate and dedupe are pure functions of the sources, the mappings,
`migration.yaml`, the client's decisions and the code. Their results are kept under
``.b24migrate/stages/<stage>/<entity>/`` (tables as Parquet, the rest as JSON, and a
``manifest.json`` naming the key they were computed for), so a later command (`plan` after
`validate` and `dedupe`, `report` after `plan`) builds on exactly what the user reviewed and an
unchanged entity is not computed again. A key is a content hash of everything the result
depends on (:func:`content_key`); a stage asks for its key and either gets the stored result or
computes it and stores it. One slot per stage and entity: a new key replaces the old result.

Writes are atomic (a temporary folder renamed into place), so a command killed half-way leaves
the previous result or none, never a mix. Anything unreadable is treated as absent.

Object columns holding tuples (multi-fields such as ``PHONE``, references to several records,
a survivor's absorbed keys) are stored as JSON text and read back as tuples, and object columns
come back as object columns with ``None`` for an empty cell; the manifest names those columns.
A multi-field column (``PHONE``, ``EMAIL``, ``WEB``, ``IM``) comes back as tuples of
:class:`~loaders.entities.MultiValue`, as the prepare stage wrote it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

from loaders.entities import MultiValue
from mappings.entities import MULTI_FIELDS

__all__ = [
    "STAGES_DIR",
    "StageStore",
    "Stored",
    "code_version",
    "content_key",
    "file_digest",
    "frame_digest",
]

STAGES_DIR = Path(".b24migrate") / "stages"
_MANIFEST = "manifest.json"
_FORMAT = 2


@dataclass(frozen=True, slots=True)
class Stored:
    """A stage result read back: its tables and its JSON part."""

    frames: Mapping[str, pd.DataFrame]
    data: Mapping[str, Any] = field(default_factory=dict)


class StageStore:
    """The results of one workspace's pure stages (see the module docstring)."""

    def __init__(self, root: Path) -> None:
        self.root = root / STAGES_DIR

    def get(self, stage: str, entity: str, key: str) -> Stored | None:
        """The result stored for ``key``, or ``None`` (absent, another key, or unreadable)."""
        folder = self.root / stage / entity
        try:
            manifest = json.loads((folder / _MANIFEST).read_text(encoding="utf-8"))
            if manifest.get("key") != key or manifest.get("format") != _FORMAT:
                return None
            frames = {
                name: _decode(pd.read_parquet(folder / f"{name}.parquet"), **columns)
                for name, columns in manifest["frames"].items()
            }
            data = json.loads((folder / "data.json").read_text(encoding="utf-8"))
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return Stored(frames, data)

    def put(
        self,
        stage: str,
        entity: str,
        key: str,
        frames: Mapping[str, pd.DataFrame],
        data: Mapping[str, Any] | None = None,
    ) -> None:
        """Store a result for ``key``, replacing what was there (atomically)."""
        target = self.root / stage / entity
        target.parent.mkdir(parents=True, exist_ok=True)
        scratch = Path(tempfile.mkdtemp(prefix=f".{entity}-", dir=target.parent))
        try:
            encoded: dict[str, dict[str, list[str]]] = {}
            for name, frame in frames.items():
                stored, as_json = _encode(frame)
                stored.to_parquet(scratch / f"{name}.parquet", index=False)
                objects = [str(c) for c in frame.columns if frame[c].dtype == object]
                encoded[name] = {"as_json": as_json, "objects": objects}
            (scratch / "data.json").write_text(
                json.dumps(data or {}, ensure_ascii=False, default=_json_default), "utf-8"
            )
            manifest = {"format": _FORMAT, "key": key, "stage": stage, "entity": entity,
                        "frames": encoded}  # fmt: skip
            (scratch / _MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
            _replace_dir(scratch, target)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)

    def forget(self, stage: str, entity: str | None = None) -> None:
        """Drop the stored results of ``stage`` (of one entity, or all)."""
        folder = self.root / stage / entity if entity else self.root / stage
        shutil.rmtree(folder, ignore_errors=True)


def _replace_dir(source: Path, target: Path) -> None:
    """Put ``source`` where ``target`` is: the old folder is renamed away first, so a reader
    sees the old result, none, or the new one."""
    old = target.with_name(f".{target.name}-old-{os.getpid()}")
    if target.exists():
        os.replace(target, old)
    os.replace(source, target)
    shutil.rmtree(old, ignore_errors=True)


def _encode(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """``frame`` with tuple-holding object columns as JSON text, and the names of those."""
    out = frame.copy()
    columns = []
    for name in frame.columns:
        series = frame[name]
        if series.dtype != object or not series.map(_is_container).any():
            continue
        out[name] = series.map(lambda v: None if v is None else json.dumps(v, ensure_ascii=False))
        columns.append(str(name))
    return out, columns


def _decode(frame: pd.DataFrame, as_json: Iterable[str], objects: Iterable[str]) -> pd.DataFrame:
    """The frame as it was stored: object columns hold ``None`` for empty cells (not the NaN a
    string column would), tuples come back from their JSON."""
    for name in objects:
        column = frame[name].astype(object)
        frame[name] = column.where(column.notna(), None)
    for name in as_json:
        read = MultiValue.all_of if name in MULTI_FIELDS else _tuples
        frame[name] = frame[name].map(
            lambda v, read=read: None if v is None else read(json.loads(v))
        )
    return frame


def _is_container(value: Any) -> bool:
    return isinstance(value, tuple | list)


def _tuples(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_tuples(v) for v in value)
    return value


def _json_default(value: Any) -> Any:
    if isinstance(value, frozenset | set):
        return sorted(value)
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    raise TypeError(f"cannot store {type(value).__name__}")


def content_key(*parts: object) -> str:
    """A hash of ``parts`` (texts, numbers, mappings and sequences of them) as hex."""
    text = json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def file_digest(path: Path) -> str:
    """The content hash of one file."""
    digest = hashlib.blake2b(digest_size=16)
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def frame_digest(frame: pd.DataFrame) -> str:
    """The content hash of a table: its columns, their order and every value."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(json.dumps([str(c) for c in frame.columns]).encode("utf-8"))
    if len(frame):
        hashed = pd.util.hash_pandas_object(frame, index=False)  # tuples hash by their text
        digest.update(hashed.to_numpy().tobytes())
    return digest.hexdigest()


@cache
def code_version(*packages: str) -> str:
    """A hash of the Python source of ``packages`` (dotted names): a stored result computed by
    other code is never reused, whether the code changed by a release or by an edit."""
    import importlib

    digest = hashlib.blake2b(digest_size=16)
    for name in sorted(packages):
        module = importlib.import_module(name)
        roots = [Path(p) for p in getattr(module, "__path__", [])] or [Path(str(module.__file__))]
        for root in roots:
            files = sorted(root.rglob("*.py")) if root.is_dir() else [root]
            for path in files:
                digest.update(str(path.relative_to(root.parent)).encode("utf-8"))
                digest.update(path.read_bytes())
    return digest.hexdigest()
