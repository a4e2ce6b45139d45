"""What `init` prints: the export found, the files placed, what was left out, the next step."""

from __future__ import annotations

import click

from migrate.cli._safe import terminal_text
from migrate.workspace.scaffold import InitResult

__all__ = ["render_init"]

_TEXT = {
    "ru": {
        "written": "Рабочая папка: {root}",
        "kind": "  Выгрузка: {preset}",
        "entity": "  {entity}: {files}",
        "dropped": "    нет колонок для полей: {fields}",
        "unread": "    колонки без поля (не загрузятся): {columns}",
        "note": "    {note}",
        "exchange": "  прочитаны вместе с import: {files}",
        "unplaced": "  НЕ РАСПОЗНАН файл {file} ({why}) — он не будет загружен",
        "missing": "  нет файла для: {entities}",
        "alternative": "  Похоже на выгрузку «{kind}»: попробуйте `--from {kind}`",
        "sample": "  источники — встроенные демонстрационные данные",
        "no_source": "  файлов нет: положите выгрузку в {root}/data или запустите init с --source",
        "portal": "  источник — другой портал Битрикс24 (только чтение): задайте его вебхук в "
        "B24_SOURCE_WEBHOOK_URL (или блок source_portal в migration.yaml)",
        "next": "Дальше: b24migrate validate --workspace {root}",
    },
    "en": {
        "written": "Workspace written: {root}",
        "kind": "  Export: {preset}",
        "entity": "  {entity}: {files}",
        "dropped": "    no columns for fields: {fields}",
        "unread": "    columns no field reads (not loaded): {columns}",
        "note": "    {note}",
        "exchange": "  read with the import file: {files}",
        "unplaced": "  NOT RECOGNISED: {file} ({why}) — it will not be loaded",
        "missing": "  no file for: {entities}",
        "alternative": "  This looks like a `{kind}` export: try `--from {kind}`",
        "sample": "  sources point at the bundled sample data",
        "no_source": "  no files: put the export in {root}/data or run init again with --source",
        "portal": "  the source is another Bitrix24 portal (read only): set its webhook in "
        "B24_SOURCE_WEBHOOK_URL (or the source_portal block of migration.yaml)",
        "next": "Next: b24migrate validate --workspace {root}",
    },
}


def render_init(result: InitResult, language: str) -> None:
    """Print the result of `init` in the workspace's language."""
    t = _TEXT["en" if language == "en" else "ru"]
    root = result.workspace.root

    def say(text: str) -> None:
        click.echo(terminal_text(text))  # file and column names come from the export

    say(t["written"].format(root=root))
    say(t["kind"].format(preset=result.preset))
    for report in result.reports:
        say(t["entity"].format(entity=report.entity, files=", ".join(report.files)))
        if report.dropped:
            say(t["dropped"].format(fields="; ".join(report.dropped)))
        if report.unread:
            say(t["unread"].format(columns=", ".join(report.unread)))
        for note in report.notes:
            say(t["note"].format(note=note))
    if result.exchange:
        say(t["exchange"].format(files=", ".join(result.exchange)))
    for file, why in result.unplaced:
        say(t["unplaced"].format(file=file, why=why))
    if result.missing:
        say(t["missing"].format(entities=", ".join(result.missing)))
    if result.alternative:
        say(t["alternative"].format(kind=result.alternative))
    if result.uses_sample:
        say(t["sample"])
    elif any("portal" in spec for spec in result.sources.values()):
        say(t["portal"])
    elif not result.reports:
        say(t["no_source"].format(root=root))
    say(t["next"].format(root=root))
