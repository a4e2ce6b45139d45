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
    "history_dates": {
        "ru": "История: исходные даты сохранятся — {kept}; не сохранятся (портал ставит "
        "свою, исходная — в тексте) — {moved}; лист «Даты истории»",
        "en": "History: original dates kept — {kept}; not kept (the portal sets its own, the "
        "original goes into the text) — {moved}; sheet History dates",
    },
    "structure": {
        "ru": "Структура: план предлагает создать {fields} польз. полей ({items} значений "
        "списков), {pipelines} воронок, {stages} стадий — {state}; лист «Структура»",
        "en": "Structure: the plan proposes {fields} user fields ({items} list values), "
        "{pipelines} pipelines, {stages} stages — {state}; sheet Structure",
    },
    "structure_done": {
        "ru": "Структура: создана ранее ({fields} польз. полей, {pipelines} воронок, {stages} "
        "стадий) — создавать нечего; лист «Структура»",
        "en": "Structure: created earlier ({fields} user fields, {pipelines} pipelines, "
        "{stages} stages) — nothing left to create; sheet Structure",
    },
    "structure_accepted": {
        "ru": "принято, load создаст их первыми",
        "en": "accepted, load creates them first",
    },
    "structure_ask": {
        "ru": "не принято: строки с ними отклонены; примите: plan --accept-structure",
        "en": "not accepted: the rows that need them are refused; accept: plan --accept-structure",
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
    "conflicts": {
        "ru": "Конфликты (изменены на портале после нашей загрузки, не перезаписываются): {n}, "
        "ждут решения: {open} — лист «Конфликты» в plan.xlsx; «взять из источника» и снова "
        "`b24migrate plan`",
        "en": "Conflicts (edited in the portal since our load, not overwritten): {n}, awaiting "
        "a decision: {open} — sheet Conflicts in plan.xlsx; “take source” and run "
        "`b24migrate plan` again",
    },
    "gone": {
        "ru": "Удалены в источнике (загружены раньше, в новой выгрузке их нет; на портале "
        "остаются): {n} — лист «Удалены в источнике»",
        "en": "Gone from the source (loaded before, not in the new export; they stay in the "
        "portal): {n} — sheet Gone from the source",
    },
    "kept_plan": {
        "ru": "Решения в прежнем plan.xlsx не прочитаны; файл сохранён как {path}",
        "en": "The decisions of the previous plan.xlsx could not be read; it is kept as {path}",
    },
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
        "ru": "впишите сотрудника портала в reports/owners.xlsx (столбец «Исправить на»), "
        "задайте `owners.default_owner` в migration.yaml или сопоставьте в `owners.map`",
        "en": "write a portal user into reports/owners.xlsx (column “Correct to”), set "
        "`owners.default_owner` in migration.yaml, or map them in `owners.map`",
    },
    "owners_line": {
        "ru": "Ответственные: {n} в выгрузке, {matched} найдено на портале, {defaulted} — "
        "ответственному по умолчанию, {blocked} без ответственного; проверить и исправить: "
        "{path}",
        "en": "Owners: {n} in the exports, {matched} found in the portal, {defaulted} to the "
        "default owner, {blocked} with nobody; review and correct: {path}",
    },
    "owners_none": {
        "ru": "Записей без ответственного в выгрузке: {n} — получат {who} (строка «(не указан)» "
        "в owners.xlsx)",
        "en": "Records with no owner in the exports: {n}; they get {who} (the “(not given)” row "
        "of owners.xlsx)",
    },
    "owners_none_webhook": {
        "ru": "пользователя вебхука: задайте `owners.default_owner` в migration.yaml или "
        "выберите сотрудника в owners.xlsx",
        "en": "the webhook's user: set `owners.default_owner` in migration.yaml or choose an "
        "employee in owners.xlsx",
    },
    "owners_read": {
        "ru": "Прочитано исправлений ответственных из owners.xlsx: {n}",
        "en": "Owner corrections read from owners.xlsx: {n}",
    },
    "owners_kept": {
        "ru": "owners.xlsx не открывается; он сохранён как {path}, записан новый",
        "en": "owners.xlsx could not be opened; it is kept as {path}, a new one was written",
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
    "load_structure": {
        "ru": "Структура: создано польз. полей {user_field}, значений списков {field_item}, "
        "воронок {pipeline}, стадий {stage}; найдено после обрыва {found}; отказано {refused}.",
        "en": "Structure: created {user_field} user fields, {field_item} list values, "
        "{pipeline} pipelines, {stage} stages; found after a lost reply {found}; refused "
        "{refused}.",
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
    # `status`
    "status_title": {"ru": "Миграция `{name}`", "en": "Migration `{name}`"},
    "status_cols": {
        "ru": "сущность|к отправке|заблокировано|отправляется|загружено|ошибки|всего",
        "en": "entity|planned|blocked|sending|done|failed|total",
    },
    "no_load": {"ru": "Загрузка ещё не запускалась.", "en": "No load has run yet."},
    "who": {
        "ru": "`{command}` (запуск {run}, процесс {pid})",
        "en": "`{command}` (run {run}, process {pid})",
    },
    "answered": {
        "ru": "; портал последний раз ответил в {at}",
        "en": "; the portal last answered at {at}",
    },
    "pace": {
        "ru": "; {rate:.1f} записей/с, осталось около {left}",
        "en": "; {rate:.1f} records/s, about {left} left",
    },
    "act_running": {"ru": "Загрузка идёт: {who}{pace}.", "en": "Load running: {who}{pace}."},
    "act_reconciling": {
        "ru": "Загрузка идёт: {who} ищет на портале {detail}, ответ на которые потерялся "
        "(с {since}).",
        "en": "Load running: {who} is looking up {detail} whose reply was lost (since {since}).",
    },
    "act_waiting": {
        "ru": "Загрузка ждёт портал с {since}: {who}; {detail}{answered}.",
        "en": "Load waiting for the portal since {since}: {who}; {detail}{answered}.",
    },
    "act_stuck": {
        "ru": "Загрузка зависла: {who} ничего не пишет с {at}.",
        "en": "Load stuck: {who} has not written since {at}.",
    },
    "act_gone": {
        "ru": "Загрузка прервана: процесса {who} больше нет (убит или упал); последний признак "
        "жизни в {at}{answered}.",
        "en": "Load interrupted: {who} is gone (killed or crashed); its last sign of life was "
        "at {at}{answered}.",
    },
    "act_interrupted": {
        "ru": "Загрузка прервана в {since}: {who}: {detail}.",
        "en": "Load interrupted at {since}: {who}: {detail}.",
    },
    "act_finished": {
        "ru": "Последняя загрузка закончилась в {since}: {who}.",
        "en": "Last load finished at {since}: {who}.",
    },
    "act_failed": {
        "ru": "Последняя загрузка упала в {since}: {who}: {detail}.",
        "en": "Last load failed at {since}: {who}: {detail}.",
    },
    "stopped": {"ru": "остановлена", "en": "stopped"},
    "last_command": {
        "ru": "Последняя команда: `{command}` в {at} остановилась с кодом {code}: {text}",
        "en": "Last command: `{command}` at {at} stopped with exit {code}: {text}",
    },
    "blocked_records": {
        "ru": "{n:,} записей заблокировано: они ждут запись, которая не загрузилась или отклонена "
        "планом (их перечисляет reports/load.xlsx).",
        "en": "{n:,} records are blocked: they wait for a record that failed or that the plan "
        "refused (reports/load.xlsx lists them).",
    },
    "blocking_rows": {
        "ru": "{n} строк с проблемами, которые блокируют загрузку (reports/plan.xlsx).",
        "en": "{n} rows have problems that block the load (reports/plan.xlsx).",
    },
    "failed_by_reason": {
        "ru": "{n:,} записей не загрузились, по причинам:",
        "en": "{n:,} records failed, by reason:",
    },
    # `retry`
    "retry_nothing": {
        "ru": "Повторять нечего: ни одна запись с ошибкой не подходит.",
        "en": "Nothing to re-send: no failed record matches.",
    },
    "retry_would": {"ru": "Будет отправлено", "en": "Would re-send"},
    "retry_sends": {"ru": "Отправляется снова", "en": "Re-sending"},
    "retry_line": {
        "ru": "{verb} {n} записей ({listing}): {chosen} с ошибкой, {needed} нужных им раньше, "
        "{waiting} ждущих их.",
        "en": "{verb} {n} records ({listing}): {chosen} that failed, {needed} they need first, "
        "{waiting} that wait on them.",
    },
    "retry_reasons": {
        "ru": "Записи с ошибкой, по последней причине портала:",
        "en": "The failed ones, by the portal's last reason:",
    },
    "retry_replanned": {
        "ru": "  {n} заново запланированы с новым содержимым последним планом",
        "en": "  {n} planned again with new content by the last plan",
    },
    "retry_also": {
        "ru": "Отправляются и другие изменения (--include-changes): {listing}.",
        "en": "It also sends (--include-changes): {listing}.",
    },
    "retry_also_would": {
        "ru": "Будут отправлены и другие изменения: {listing}.",
        "en": "It would also send: {listing}.",
    },
    "retry_not_sent": {
        "ru": "Этот повтор не отправляет: {listing} (изменения, найденные перепланированием, "
        "или записи, оставшиеся от прошлой загрузки): {next}.",
        "en": "Not sent by this retry: {listing} (changes the re-plan found, or records an "
        "earlier load left): {next}.",
    },
    "retry_unknown": {
        "ru": "Это не записи с ошибкой, оставлены как есть: {keys}",
        "en": "Not failed records, left alone: {keys}",
    },
    "retry_gone": {
        "ru": "Больше не в плане (теперь отклонены, см. reports/plan.xlsx): {keys}",
        "en": "No longer in the plan (refused now: see reports/plan.xlsx): {keys}",
    },
    "retry_done": {"ru": "Уже загружены: {keys}", "en": "Loaded meanwhile: {keys}"},
    # `rollback`
    "rb_nothing": {
        "ru": "Откатывать нечего: в журнале нет записей портала этого запуска.",
        "en": "Nothing to roll back: no portal record of this run is in the ledger.",
    },
    "rb_run": {"ru": "запуска {run}", "en": "run {run}"},
    "rb_all": {"ru": "всех загрузок", "en": "every load run"},
    "rb_would": {
        "ru": "Откат {which}: будет удалено {listing}.",
        "en": "Rollback of {which}: would delete {listing}.",
    },
    "rb_dependents": {
        "ru": "  из них {listing} — потому что ссылаются на записи {entities}.",
        "en": "  {listing} of them because they refer to the {entities} records.",
    },
    "rb_edited": {
        "ru": "{n:,} из них изменены на портале после загрузки (они тоже удалятся, вместе с "
        "правками):",
        "en": "{n:,} of them were edited in the portal after the load (they are deleted too, "
        "with those edits):",
    },
    "rb_edited_line": {
        "ru": "  {entity} {id} «{title}» (`{source}`): изменена {when} пользователем {user}",
        "en": "  {entity} {id} «{title}» (`{source}`): changed {when} by user {user}",
    },
    "rb_foreign": {
        "ru": "{n:,} записей, созданных не загрузкой, ссылаются на них; они останутся без связи:",
        "en": "{n:,} records the load did not create refer to them; they stay and lose the link:",
    },
    "rb_more": {"ru": "  … и ещё {n:,}", "en": "  … and {n:,} more"},
    "rb_confirm": {
        "ru": "Удалить эти {n:,} записей с портала?",
        "en": "Delete these {n:,} records from the portal?",
    },
    "rb_declined": {"ru": "Ничего не удалено.", "en": "Nothing deleted."},
    "rb_done": {
        "ru": "Откат {run}: удалено {deleted}; {gone} уже не было.",
        "en": "Rollback run {run}: deleted {deleted}; {gone} were gone already.",
    },
    "rb_none": {"ru": "ничего", "en": "nothing"},
    "rb_check": {
        "ru": "Проверка: на портале {held:,} записей с ORIGINATOR_ID этой миграции ({per}); "
        "{kept:,} — записи других загрузок, которые журнал хранит, {left:,} — лишние.",
        "en": "Check: the portal holds {held:,} records with this migration's ORIGINATOR_ID "
        "({per}); {kept:,} are other loads' records the ledger keeps, {left:,} are left over.",
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
