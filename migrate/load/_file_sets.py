"""A ``record_files`` set checked against the portal right before it is sent.

``crm.item.update`` deletes every file of a multiple file field it does not name
(b24restdocs ``api-reference/files/how-to-update-files.md``), and the plan named the files the
field held when it was planned. A file a portal user adds between plan and load would be
deleted by the set as planned; so the load reads the record's file fields again (``crm.item.list``
by id, 50 ids a command, in batches) just before sending its set, and:

* a multiple field keeps every file it holds now;
* a file it holds now that it did not hold at plan time and has the name and size of a file
  the set is about to send (downloaded through the field's ``urlMachine``) is that file, sent
  by an earlier attempt whose reply was lost: it counts as sent, it is not sent again;
* a single field the portal changed since the plan (another file, or none) is not overwritten:
  the set is held (refused, with the reason listed in ``load.xlsx``) — unless the file it holds
  now is ours from such an earlier attempt;
* a new file that cannot be downloaded holds the set too (it cannot be told from ours).

A set with nothing left to send is written without a request.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from loaders.client import Bitrix24Client
from loaders.entities import FILE_FIELDS_SET, camel_field
from loaders.errors import PortalError
from migrate.ledger import LedgerRecord
from migrate.load._outcomes import portal_errors
from migrate.portal.read import item_files, read_items

__all__ = ["FreshSets", "refresh_file_sets"]

#: Why a set is held (load.xlsx shows it): Russian, English.
_MESSAGES = {
    "gone": (
        "записи {owner} больше нет на портале: файлы не отправлены",
        "record {owner} is no longer in the portal: files not sent",
    ),
    "single": (
        "поле с одним файлом {name} изменили на портале после плана (файлы {before} → {now}): "
        "не перезаписано; чтобы оставить файл портала, уберите новый файл из выгрузки (новый "
        "план с ним отправит его поверх файла портала)",
        "the portal's single file field {name} changed since the plan (files {before} → {now}): "
        "not overwritten; to keep it, take the new file out of the export (a new plan with it "
        "there sends it over the portal's)",
    ),
    "unreadable": (
        "в поле {name} после плана появился файл {file_id}, и его не прочитать ({error}): набор "
        "задержан, чтобы ничего не удалить",
        "file {file_id} appeared in the field {name} since the plan and cannot be read "
        "({error}): the set is held so that it deletes nothing",
    ),
}


def _text(key: str, language: str, **values: object) -> str:
    ru, en = _MESSAGES[key]
    return (en if language == "en" else ru).format(**values)


@dataclass(slots=True)
class FreshSets:
    """What the portal's files make of the sets: their fields to send now, the sets already
    sent in full (by an attempt whose reply was lost), and the sets held with the reason."""

    fields: dict[int, dict[str, Any]] = field(default_factory=dict)
    sent: list[LedgerRecord] = field(default_factory=list)
    held: dict[int, str] = field(default_factory=dict)


async def refresh_file_sets(
    client: Bitrix24Client, records: Sequence[LedgerRecord], language: str = "ru"
) -> FreshSets:
    """The sets ``records`` (``record_files``, their owners written) as the portal's file
    fields are now (module docstring); a held set's reason in ``language`` (``ru``/``en``).

    Raises:
        PortalTerminalError / PortalTransientError: the read failed (nothing is sent).
    """
    out = FreshSets()
    resolved = {r.id: r.resolved_fields() for r in records}
    with portal_errors("files: a read of the records' file fields", "b24migrate load",
                       "the sets stay planned"):  # fmt: skip
        wanted: dict[int, dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
        for fields in resolved.values():
            names = wanted[int(fields["ENTITY_TYPE_ID"])][int(fields["OWNER_ID"])]
            names.update(fields.get(FILE_FIELDS_SET) or {})
        rows = await read_items(client, wanted)
    for record in records:
        fields = resolved[record.id]
        row = rows.get((int(fields["ENTITY_TYPE_ID"]), int(fields["OWNER_ID"])))
        if row is None:
            owner = fields["OWNER_ID"]
            out.held[record.id] = _text("gone", language, owner=owner)
            continue
        try:
            done = await _fresh(client, fields, row, language)
        except _Held as held:
            out.held[record.id] = str(held)
            continue
        if done is None:
            out.sent.append(record)
        else:
            out.fields[record.id] = done
    return out


class _Held(Exception):
    """A field the set must not write (the reason is the message)."""


async def _fresh(
    client: Bitrix24Client, fields: Mapping[str, Any], row: Mapping[str, Any], language: str
) -> dict[str, Any] | None:
    """The set's fields with each file field as the portal holds it now; ``None`` when every
    file it carries is already there."""
    sets: dict[str, Any] = {}
    for name, planned in (fields.get(FILE_FIELDS_SET) or {}).items():
        now = item_files(row.get(camel_field(name)))
        before = {int(i) for i in planned["keep"]}
        appeared = {i: url for i, url in now.items() if i not in before}
        todo = list(planned["files"])
        for file_id, url in appeared.items():
            ours = await _ours(client, url, todo, name, file_id, language)
            if ours is not None:
                todo.remove(ours)
        if planned["multiple"]:
            if todo:
                sets[name] = {**planned, "keep": sorted(now), "files": todo}
            continue
        if set(now) == before:
            sets[name] = dict(planned)
        elif todo:  # another file, or none: what the portal holds is not overwritten
            was, then = sorted(before) or "—", sorted(now) or "—"
            raise _Held(_text("single", language, name=name, before=was, now=then))
    if not sets:
        return None
    return {**fields, FILE_FIELDS_SET: sets}


async def _ours(
    client: Bitrix24Client,
    url: str,
    todo: list[dict[str, Any]],
    name: str,
    file_id: int,
    language: str,
) -> dict[str, Any] | None:
    """The planned file a file new in the field is (same name and size), or ``None``."""
    if not todo:
        return None
    try:
        data, file_name = await client.download(url)
    except PortalError as exc:
        text = _text("unreadable", language, file_id=file_id, name=name, error=exc.description)
        raise _Held(text) from None
    for planned in todo:
        if planned["name"] == file_name and int(planned["size"]) == len(data):
            return planned
    return None
