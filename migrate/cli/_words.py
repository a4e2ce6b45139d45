"""The commands' result lines in the workspace's language (`language:` in migration.yaml)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["WORDS", "say", "workspace_language"]

WORDS: dict[str, dict[str, str]] = {
    "report": {"ru": "Отчёт: {path}", "en": "Report: {path}"},
    "summary": {"ru": "Сводка: {path}", "en": "Summary: {path}"},
    "written": {"ru": "Записано: {path}", "en": "Written: {path}"},
    "validation": {"ru": "Проверка", "en": "Validation"},
    "validate_cols": {
        "ru": "сущность|файлы|прочитано строк|можно загрузить|ошибок|предупреждений|секунд",
        "en": "entity|files|rows read|loadable|errors|warnings|seconds",
    },
    "top": {"ru": "Частые проблемы", "en": "Most frequent problems"},
    "top_cols": {"ru": "сущность|важность|правило|сколько", "en": "entity|severity|rule|count"},
    "dedupe": {"ru": "Дубликаты", "en": "Dedupe"},
    "dedupe_cols": {
        "ru": "сущность|записей|пар-кандидатов|совпадений|на проверку|групп|объединено|"
        "решений|секунд",
        "en": "entity|records|candidate pairs|matched pairs|review pairs|clusters|"
        "merged records|decisions|seconds",
    },
    "folded": {
        "ru": "{entity}: ещё {n} строк файла — товарные строки записей выше, сложены в них",
        "en": "{entity}: {n} more rows of the file are product lines of records above them, "
        "folded into them",
    },
    "failing": {
        "ru": "[red]{n} проблем(ы) уровня `{level}` и выше[/]: исправьте данные или маппинги "
        "(см. отчёт) и запустите `b24migrate validate` снова",
        "en": "[red]{n} issue(s) at or above `{level}`[/]: fix the data or the mappings (see the "
        "report), then run `b24migrate validate` again",
    },
    "plan": {"ru": "План", "en": "Plan"},
    "plan_cols": {
        "ru": "сущность|создать|обновить|связи|пропустить|без изменений",
        "en": "entity|create|update|set|skip|unchanged",
    },
    "plan_line": {
        "ru": "{refused} строк отклонено, {warnings} предупреждений (и {owners} по "
        "ответственным — лист «Ответственные», {dates} по датам создания — лист «Даты "
        "создания»), {existing} записей уже на портале; отчёт: {path}",
        "en": "{refused} refused rows, {warnings} warnings (and {owners} about owners — sheet "
        "Owners, {dates} about creation dates — sheet Creation dates), {existing} records "
        "already in the portal; report: {path}",
    },
    "merges": {
        "ru": "Объединено дубликатов: {n} (каждое — на листе «Объединения»)",
        "en": "Duplicates merged: {n} (each one on the sheet Merges)",
    },
    "no_dedupe": {
        "ru": "Дубликаты не объединялись: `b24migrate dedupe` ещё не запускался",
        "en": "No duplicates merged: `b24migrate dedupe` has not run",
    },
    "reconcile": {"ru": "Сверка: {note}", "en": "Reconciliation: {note}"},
    "blocking": {
        "ru": "БЛОКИРУЕТ {entity} {field}: {message} ({n} строк)",
        "en": "BLOCKING {entity} {field}: {message} ({n} rows)",
    },
    "blocking_many": {
        "ru": "БЛОКИРУЕТ {rule} {field}: {n} значений в {rows} строках ({entities}){examples} "
        "— например: {message}",
        "en": "BLOCKING {rule} {field}: {n} values in {rows} rows ({entities}){examples} — "
        "e.g. {message}",
    },
    "values": {"ru": ", значения {values}", "en": ", values {values}"},
    "and_more": {"ru": " и ещё {n}", "en": " and {n} more"},
    "owner_hint": {
        "ru": "задайте `owners.default_owner` в migration.yaml или сопоставьте каждого в "
        "`owners.map` (plan.xlsx перечисляет их со строками)",
        "en": "set `owners.default_owner` in migration.yaml, or map each in `owners.map` "
        "(plan.xlsx lists them with their rows)",
    },
    "refused_by_reason": {
        "ru": "Отклонённые строки по причинам (не загружаются; каждая — в plan.xlsx):",
        "en": "Refused rows by reason (not loaded; every row is in plan.xlsx):",
    },
    "more_reasons": {"ru": "  … ещё причин: {n}", "en": "  … {n} more reasons"},
    "blocked_next": {
        "ru": "Исправьте портал или маппинг и запустите `b24migrate plan` снова, или оставьте эти "
        "строки в стороне: `b24migrate plan --skip-refused`.",
        "en": "Fix the portal or the mapping and run `b24migrate plan` again, or leave these "
        "rows out with `b24migrate plan --skip-refused`.",
    },
    "skipped_on_purpose": {
        "ru": "Отклонённые строки намеренно не загружаются (--skip-refused).",
        "en": "Refused rows are left out on purpose (--skip-refused).",
    },
    "load_line": {
        "ru": "Загрузка {run}: записано {written} записей в {batches} пакетах; {found} найдено "
        "сверкой.",
        "en": "Load run {run}: {written} records written in {batches} batches; {found} found by "
        "reconciliation.",
    },
    "load_left": {
        "ru": "{n} записей ещё не загружено: запустите `b24migrate load` снова (см. "
        "`b24migrate status`).",
        "en": "{n} records are not loaded yet: run `b24migrate load` again (see "
        "`b24migrate status`).",
    },
    "load_blocked": {
        "ru": "{n} записей ждут записи, которые не загрузились или отклонены планом (см. "
        "reports/load.xlsx).",
        "en": "{n} records wait for records that failed or that the plan refused (see "
        "reports/load.xlsx).",
    },
    "log_why": {
        "ru": "портал не отвечал {outages} раз(а), {retries} запросов отправлено повторно",
        "en": "the portal stopped answering {outages} time(s), {retries} requests were sent again",
    },
    "examples": {"ru": "      например {keys}", "en": "      e.g. {keys}"},
    "more_failures": {
        "ru": "  … ещё причин: {n} ({records:,} записей)",
        "en": "  … {n} more reasons ({records:,} records)",
    },
    # the parts of an entity's line, filled in one by one: `say` leaves single braces
    "report_line": {
        "ru": "прочитано {{read}}|проверено {{kept}}|объединено {{merged}}|в плане {{planned}}|"
        "загружено {{loaded}}|отклонено {{refused}}",
        "en": "read {{read}}|kept {{kept}}|merged {{merged}}|planned {{planned}}|"
        "loaded {{loaded}}|refused {{refused}}",
    },
}


def say(key: str, language: str, **values: Any) -> str:
    """The text ``key`` in ``language`` (Russian unless `en`) with ``values`` filled in."""
    texts = WORDS[key]
    return texts["en" if language == "en" else "ru"].format(**values)


def workspace_language(root: Path) -> str:
    """The `language:` of the workspace at ``root`` (`ru` when it cannot be read)."""
    from migrate.errors import MigrationError
    from migrate.workspace.config import Workspace

    try:
        return Workspace.at(root).load_config().language
    except MigrationError:
        return "ru"
