"""`reports/owners.xlsx`: the legacy owners the client confirms or corrects, and reading it back.

Sheet one, one row per distinct legacy owner as the exports write it: how many records of each
entity it owns, the portal user it was matched to (id, name, e-mail), how (e-mail, name,
surname and initials, the `migration.yaml` map, the client's choice, or the default owner),
a flag (dismissed, several employees with that name, not on the portal, no owner given), and
an editable column where the client writes a portal user's e-mail or id (a dropdown offers the
active employees' e-mails; an id may be typed). Sheet two lists the portal's employees.

Reading back (:func:`read_owner_choices`) takes that column for every row: a value is the
client's choice, an empty cell means "as proposed" (the column is filled with the choices
already made, so clearing a cell withdraws one). A value that is neither an id nor an e-mail
is an error naming sheet, row and column; whether it names an active portal user is checked by
the plan against `user.get`. Like `duplicates.xlsx`, the workbook is the client's work: `plan`
reads it before writing a new one (:func:`unread_owner_choices`), and keeps a workbook it
cannot open aside under a new name instead of overwriting it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from mappings.entities import LOAD_ORDER, REGISTRY
from migrate.errors import ConfigError, SourceReadError, shorten
from migrate.plan import OwnerChoice, OwnerMapping, PortalUser
from migrate.reports._xlsx import column_of, keep_aside, write_table
from migrate.sources import check_workbook

__all__ = ["OWNER_HEADERS", "read_owner_choices", "unread_owner_choices", "write_owners_xlsx"]

_TEXT = {
    "ru": {
        "sheet": "Ответственные", "users": "Сотрудники портала", "legacy": "В источнике",
        "rows": "Записей всего", "user_id": "ID сотрудника", "user": "Сотрудник на портале",
        "email": "E-mail на портале", "how": "Как найден", "flag": "Отметка",
        "choice": "Исправить на (e-mail или ID сотрудника)", "note": "Пояснение",
        "active": "Работает", "yes": "да", "no": "уволен",
        "owner.email": "по e-mail", "owner.name": "по имени",
        "owner.initials": "по фамилии и инициалам", "owner.mapped": "карта в migration.yaml",
        "owner.client": "выбор клиента", "default": "ответственный по умолчанию",
        "owner.no_default": "никто — строки не загрузятся",
        "dismissed": "уволен: {name} (ID {id})",
        "ambiguous": "несколько сотрудников с таким именем", "unknown": "нет на портале",
        "empty": "ответственный не указан", "none": "(не указан)",
        "owner.webhook": "пользователь вебхука — задайте owners.default_owner",
    },
    "en": {
        "sheet": "Owners", "users": "Portal users", "legacy": "In the source",
        "rows": "Records", "user_id": "User id", "user": "Portal user", "email": "Portal e-mail",
        "how": "How matched", "flag": "Flag", "choice": "Correct to (e-mail or user id)",
        "note": "Note", "active": "Active", "yes": "yes", "no": "dismissed",
        "owner.email": "by e-mail", "owner.name": "by name",
        "owner.initials": "by surname and initials", "owner.mapped": "map in migration.yaml",
        "owner.client": "client's choice", "default": "default owner",
        "owner.no_default": "nobody — the rows are not loaded",
        "dismissed": "dismissed: {name} (id {id})",
        "ambiguous": "several employees with this name", "unknown": "not on the portal",
        "empty": "no owner given", "none": "(not given)",
        "owner.webhook": "the webhook's user — set owners.default_owner",
    },
}  # fmt: skip
#: The headers the reader looks for (either language): the legacy owner and the choice.
OWNER_HEADERS = {k: (_TEXT["ru"][k], _TEXT["en"][k]) for k in ("legacy", "choice")}
#: The row of records with no owner in the sources (either language): its choice decides who
#: gets them, as any other row's does.
NO_OWNER = (_TEXT["ru"]["none"], _TEXT["en"]["none"])
_REVIEW = PatternFill("solid", fgColor="FFF2CC")
_BLOCKED = PatternFill("solid", fgColor="F8CBAD")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")


def write_owners_xlsx(
    path: Path,
    owners: Sequence[OwnerMapping],
    choices: Mapping[str, OwnerChoice],
    users: Sequence[PortalUser],
    *,
    language: str = "ru",
) -> Path:
    """Write the owners workbook to ``path`` (the stored ``choices`` filled in); return it."""
    t = _TEXT["en" if language == "en" else "ru"]
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = t["sheet"]
    entities = _entities(owners)
    labels = [REGISTRY[e].label(language) if e in REGISTRY else e for e in entities]
    header = [t["legacy"], *labels, t["rows"], t["user_id"], t["user"], t["email"], t["how"],
              t["flag"], t["choice"], t["note"]]  # fmt: skip
    rows = [_row(o, entities, choices, t) for o in owners]
    count = write_table(sheet, header, rows)
    _mark(sheet, owners)
    people = book.create_sheet(t["users"])
    active = sorted(users, key=lambda u: (not u.active, u.id))
    write_table(
        people,
        [t["user_id"], t["user"], t["email"], t["active"]],
        ([u.id, u.full_name, u.email, t["yes" if u.active else "no"]] for u in active),
    )
    if count:
        _dropdown(sheet, header.index(t["choice"]) + 1, count, people.title, users)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


def _entities(owners: Sequence[OwnerMapping]) -> list[str]:
    found = {e for o in owners for e in o.by_entity}
    known = [e for e in LOAD_ORDER if e in found]
    return known + sorted(found - set(known))


def _row(
    owner: OwnerMapping, entities: list[str], choices: Mapping[str, OwnerChoice], t: dict[str, str]
) -> list[Any]:
    choice = choices.get(owner.key)
    how = t.get(owner.rule) or t["default"]
    flag = t.get(owner.flag, "").format(name=owner.matched_name, id=owner.matched_id)
    return [owner.legacy or t["none"], *(owner.by_entity.get(e, 0) for e in entities), owner.rows,
            owner.user_id, owner.user_name, owner.user_email, how, flag,
            choice.value if choice else None, owner.message]  # fmt: skip


def _mark(sheet: Any, owners: Sequence[OwnerMapping]) -> None:
    """Rows for the client's attention: defaulted or guessed (yellow), blocked (red)."""
    for number, owner in enumerate(owners, start=2):
        fill = _BLOCKED if owner.user_id is None and owner.rule != "owner.webhook" else _REVIEW
        if owner.user_id is None or owner.defaulted or owner.rule == "owner.initials":
            for cell in sheet[number]:
                cell.fill = fill


def _dropdown(sheet: Any, column: int, count: int, users_title: str, users: Any) -> None:
    """The choice column offers the active employees' e-mails (an id may be typed too)."""
    from openpyxl.utils import get_column_letter

    shown = sum(1 for u in users)
    letter = get_column_letter(column)
    check = DataValidation(type="list", formula1=f"'{users_title}'!$C$2:$C${shown + 1}",
                           allow_blank=True, showErrorMessage=False)  # fmt: skip
    check.add(f"{letter}2:{letter}{count + 1}")
    sheet.add_data_validation(check)


class _Unreadable(Exception):
    """The file is not a workbook we can open (kept aside rather than overwritten)."""


def read_owner_choices(path: Path) -> dict[str, OwnerChoice]:
    """The client's choice for every legacy owner listed in ``path``, by its key (an empty
    ``value``: the cell is empty — as proposed).

    Raises:
        ConfigError: the file cannot be read as the owners workbook, or a choice is neither a
            user id nor an e-mail (every such cell listed with sheet, row and column).
    """
    try:
        return _read(path)
    except _Unreadable as exc:
        raise ConfigError(
            f"`{path}` cannot be read as the owners workbook ({exc})",
            next_step="pass the reports/owners.xlsx that `b24migrate plan` wrote, saved from "
            "Excel as .xlsx",
        ) from None


def unread_owner_choices(
    path: Path, stored: Mapping[str, OwnerChoice]
) -> tuple[list[OwnerChoice], Path | None]:
    """The choices in the workbook at ``path`` that ``stored`` (by key) does not hold (an
    empty value: a stored choice withdrawn).

    A workbook that cannot be opened is renamed to `owners.kept-<time>.xlsx` beside it and that
    path returned: the client's edits stay. A cell that is not a choice raises (the workbook
    stays in place for the client to fix).
    """
    if not path.is_file():
        return [], None
    try:
        read = _read(path)
    except _Unreadable:
        return [], keep_aside(path)
    changes = []
    for key, choice in read.items():
        before = stored.get(key)
        if (before.value if before else "") != choice.value:
            changes.append(choice)
    return changes, None


def _read(path: Path) -> dict[str, OwnerChoice]:
    try:
        check_workbook(path)  # before openpyxl expands it
        book = load_workbook(path, read_only=True, data_only=True)
    except (SourceReadError, Exception) as exc:  # an untrusted file: say what tripped
        raise _Unreadable(f"{type(exc).__name__}: {shorten(exc, 120)}") from None
    out: dict[str, OwnerChoice] = {}
    problems: list[str] = []
    try:
        for sheet in book.worksheets:
            rows = list(sheet.iter_rows(values_only=True))
            if rows:
                _sheet_choices(rows, f"`{path.name}` sheet `{sheet.title}`", out, problems)
    except Exception as exc:  # a damaged sheet part
        raise _Unreadable(f"{type(exc).__name__}: {shorten(exc, 120)}") from None
    finally:
        book.close()
    if problems:
        raise ConfigError(
            f"`{path}`: {len(problems)} owner choice(s) cannot be read:\n"
            + "\n".join(f"  - {p}" for p in problems),
            next_step="write a portal user's e-mail or id (or clear the cell) and run "
            "`b24migrate plan` again",
        )
    return out


def _sheet_choices(
    rows: list[tuple[Any, ...]],
    where: str,
    out: dict[str, OwnerChoice],
    problems: list[str],
) -> None:
    header = [str(h or "").strip() for h in rows[0]]
    columns = [column_of(header, names) for names in OWNER_HEADERS.values()]
    legacy_col, choice_col = columns
    if legacy_col is None or choice_col is None:
        return  # the users sheet, or a sheet the client added
    title = header[choice_col]
    for number, row in enumerate(rows[1:], start=2):
        legacy = str(row[legacy_col] or "").strip() if legacy_col < len(row) else ""
        if not legacy:
            continue
        legacy = "" if legacy in NO_OWNER else legacy
        raw = row[choice_col] if choice_col < len(row) else None
        cell = f"{where} row {number} column `{title}`"
        value = _choice_text(raw)
        if value is None and raw is not None and str(raw).strip():
            problems.append(f"{cell}: `{str(raw)[:80]}` is neither a user id nor an e-mail")
            continue
        choice = OwnerChoice(legacy, value or "", cell)
        out[choice.key] = choice


def _choice_text(raw: Any) -> str | None:
    """An id (``7``, ``7.0``, ``"7"``) as digits, an e-mail as written; ``None`` otherwise."""
    if isinstance(raw, bool) or raw is None:
        return None
    if isinstance(raw, int | float):
        return str(int(raw)) if float(raw).is_integer() and raw > 0 else None
    text = str(raw).strip()
    if text.isdigit() and int(text) > 0:
        return str(int(text))
    return text if _EMAIL.match(text) else None
