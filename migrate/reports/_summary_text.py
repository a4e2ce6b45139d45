# ruff: noqa: E501 (tables of client-facing sentences read better one per line)
"""Words and number formats of the summary page, in Russian and English.

Numbers are grouped the Russian way in ``ru`` (``1 234 567`` with a no-break space, decimal
comma) and the English way in ``en`` (``1,234,567``). Nouns agree with their number
(``1 строка``, ``3 строки``, ``5 строк``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from migrate.reports._labels import ENTITY_LABELS

__all__ = [
    "ENTITY_NAMES",
    "LANGUAGES",
    "TEXT",
    "check_language",
    "count_noun",
    "format_datetime",
    "format_duration",
    "format_number",
    "is_one",
    "plural",
]

LANGUAGES = ("ru", "en")
NBSP = "\u00a0"

ENTITY_NAMES = ENTITY_LABELS

_MONTHS_RU = ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа",
              "сентября", "октября", "ноября", "декабря")  # fmt: skip
_MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August",
              "September", "October", "November", "December")  # fmt: skip

# Noun forms: ru (one, few, many), en (one, other).
_NOUNS: dict[str, dict[str, tuple[str, ...]]] = {
    "ru": {
        "row": ("строка", "строки", "строк"),
        "record": ("запись", "записи", "записей"),
        "pair": ("пара дубликатов", "пары дубликатов", "пар дубликатов"),
        "problem": ("ошибка", "ошибки", "ошибок"),
        "warning": ("предупреждение", "предупреждения", "предупреждений"),
    },
    "en": {
        "row": ("row", "rows"),
        "record": ("record", "records"),
        "pair": ("duplicate pair", "duplicate pairs"),
        "problem": ("error", "errors"),
        "warning": ("warning", "warnings"),
    },
}

TEXT: dict[str, dict[str, str]] = {
    "ru": {
        "lang": "ru",
        "title": "Итоги переноса данных в Битрикс24",
        "run": "Миграция", "portal": "Портал", "started": "Начало", "finished": "Окончание",
        "duration": "Длительность", "running": "ещё идёт", "sandbox": "песочница (локальный портал)",
        "status_done": "Перенос завершён", "status_attention": "Нужно ваше внимание",
        "status_dry": "Пробный прогон: данные в Битрикс24 ещё не загружались",
        "status_running": "Загрузка не завершена",
        "kpi_read": "строк прочитано из файлов",
        "kpi_read_portal": "записей прочитано с портала-источника",
        "kpi_read_both": "строк прочитано из файлов и с портала-источника", "kpi_warn": "предупреждений (строки сохранены)",
        "kpi_merged": "дубликатов объединено", "kpi_loaded": "записей загружено в Битрикс24",
        "kpi_refused": "строк и записей не загружено",
        "todo": "Что нужно сделать",
        "todo_review": "{n} ждут вашего решения: отметьте «объединить» или «оставить» в {file}.",
        "todo_errors": "{n} не прошли проверку из-за ошибок в данных и не загружаются. Список с номерами строк — в {file}: исправьте исходные файлы, и мы повторим перенос.",
        "todo_plan": "{n} нельзя загрузить как есть (нет ответственного, стадии или связи) — причины в {file}.",
        "todo_failed": "{n} портал не принял — причины в {file}. После исправления загрузку повторят только для них.",
        "todo_pending": "{n} ещё ждут отправки: загрузку нужно продолжить той же командой.",
        "todo_warnings": "{n} — значения исправлены автоматически, строки сохранены; их стоит просмотреть в {file}.",
        "todo_review_one": "{n} ждёт вашего решения: отметьте «объединить» или «оставить» в {file}.",
        "todo_errors_one": "{n} не прошла проверку из-за ошибки в данных и не загружается. Список с номерами строк — в {file}: исправьте исходные файлы, и мы повторим перенос.",
        "todo_pending_one": "{n} ещё ждёт отправки: загрузку нужно продолжить той же командой.",
        "todo_conflicts": "{n} изменили на портале после нашей загрузки, и мы их не перезаписываем: выберите «оставить как на портале» или «взять из источника» на листе «Конфликты» в {file}.",
        "todo_gone": "{n} нет в новой выгрузке из старой CRM; на портале они остаются — список на листе «Удалены в источнике» в {file}.",
        "todo_no_owner": "{n} без ответственного в выгрузке: их получит сотрудник, выбранный в строке «(не указан)» в {file} (если не выбран — ответственный по умолчанию).",
        "todo_no_owner_one": "{n} без ответственного в выгрузке: её получит сотрудник, выбранный в строке «(не указан)» в {file} (если не выбран — ответственный по умолчанию).",
        "todo_none": "Ничего: все данные перенесены.",
        "todo_dry": "Когда ошибки исправлены и дубликаты разобраны, можно загружать данные в портал.",
        "charts": "Как прошёл перенос",
        "funnel": "От файлов до портала", "bars": "Что стало с каждой строкой",
        "funnel_desc": "Сколько строк прочитано, прошло проверку, осталось после объединения дубликатов и оказалось в Битрикс24 (загружено или уже было там).",
        "bars_desc": "Доли строк каждого объекта: загружено, без изменений, объединено, отклонено, ошибка портала, в очереди.",
        "step_read": "Прочитано", "step_clean": "Прошло проверку", "step_dedupe": "Без дубликатов",
        "step_load": "В Битрикс24",
        "seg_done": "Загружено", "seg_skip": "Уже были в портале", "seg_merged": "Объединено",
        "seg_refused": "Отклонено проверкой", "seg_failed": "Не принято порталом", "seg_pending": "В очереди",
        "as_table": "Данные диаграммы таблицей",
        "overview": "По объектам", "entity": "Объект", "rows_read": "Прочитано",
        "rows_kept": "Прошло проверку", "rows_refused": "Отклонено", "errors": "Ошибки", "warnings": "Предупр.",
        "clusters": "Групп дубликатов", "records_merged": "Объединено", "review_pending": "Ждут решения",
        "create": "Создать", "update": "Обновить", "skip": "Без изменений", "plan_refused": "Нельзя загрузить",
        "done": "Загружено", "failed": "Ошибка портала", "pending": "В очереди",
        "validation": "Проверка данных", "dedupe": "Дубликаты", "plan": "План загрузки", "load": "Загрузка",
        "details": "Подробности", "sources": "Файлы", "file": "Файл", "sheet": "Лист", "rows": "Строк",
        "top_rules": "Частые проблемы в данных", "rule": "Проблема", "severity": "Важность", "count": "Сколько",
        "error": "ошибка", "warning": "предупреждение",
        "top_reasons": "Почему нельзя загрузить", "top_failures": "Что ответил портал", "reason": "Причина",
        "not_run": "этап не выполнялся",
        "timings": "Время этапов", "stage": "Этап", "time": "Время", "total": "Всего",
        "workbooks": "Подробные отчёты",
        "wb_errors.xlsx": "все проблемы в данных, построчно, с исходными значениями",
        "wb_duplicates.xlsx": "найденные дубликаты и колонка для вашего решения",
        "wb_plan.xlsx": "что будет создано, обновлено и почему некоторые записи нельзя загрузить",
        "wb_owners.xlsx": "ответственные из выгрузки, сотрудники портала, которым они "
        "сопоставлены, и колонка для ваших исправлений",
        "wb_load.xlsx": "результат загрузки каждой записи и ответы портала",
        "no_workbooks": "Отчёты в формате Excel ещё не сформированы.",
        "footer": "Сформировано b24migrate. Числа — по состоянию на момент формирования отчёта.",
        "st_read": "Чтение файлов", "st_map": "Сопоставление полей", "st_clean": "Очистка",
        "st_validate": "Проверка", "st_dedupe": "Поиск дубликатов", "st_plan": "План", "st_load": "Загрузка",
        "st_report": "Отчёты",
    },
    "en": {
        "lang": "en",
        "title": "Bitrix24 data migration summary",
        "run": "Migration", "portal": "Portal", "started": "Started", "finished": "Finished",
        "duration": "Duration", "running": "still running", "sandbox": "sandbox (local portal)",
        "status_done": "Migration complete", "status_attention": "Your attention is needed",
        "status_dry": "Dry run: nothing has been loaded into Bitrix24 yet",
        "status_running": "The load is not finished",
        "kpi_read": "rows read from files",
        "kpi_read_portal": "records read from the source portal",
        "kpi_read_both": "rows read from files and the source portal", "kpi_warn": "warnings (rows kept)",
        "kpi_merged": "duplicates merged", "kpi_loaded": "records loaded into Bitrix24",
        "kpi_refused": "rows and records not loaded",
        "todo": "What you need to do",
        "todo_review": "{n} await your decision: mark “merge” or “keep separate” in {file}.",
        "todo_errors": "{n} failed the checks because of data errors and are kept out of the load. The list with row numbers is in {file}: fix the source files and we will run the migration again.",
        "todo_plan": "{n} cannot be loaded as they are (no owner, stage or link) — reasons in {file}.",
        "todo_failed": "{n} were refused by the portal — reasons in {file}. Once fixed, only they are loaded again.",
        "todo_pending": "{n} still wait to be sent: continue the load with the same command.",
        "todo_warnings": "{n} — values were corrected automatically and the rows kept; worth a look in {file}.",
        "todo_review_one": "{n} awaits your decision: mark “merge” or “keep separate” in {file}.",
        "todo_errors_one": "{n} failed the checks because of a data error and is kept out of the load. The row number is in {file}: fix the source file and we will run the migration again.",
        "todo_failed_one": "{n} was refused by the portal — the reason is in {file}. Once fixed, only it is loaded again.",
        "todo_pending_one": "{n} still waits to be sent: continue the load with the same command.",
        "todo_conflicts": "{n} were edited in the portal since our load and are not overwritten: choose “keep portal” or “take source” on the sheet Conflicts in {file}.",
        "todo_gone": "{n} are not in the new export of the old CRM; they stay in the portal — listed on the sheet Gone from the source in {file}.",
        "todo_no_owner": "{n} have no owner in the export: they get the employee chosen on the “(not given)” row of {file} (if none is chosen, the default owner).",
        "todo_no_owner_one": "{n} has no owner in the export: it goes to the employee chosen on the “(not given)” row of {file} (if none is chosen, the default owner).",
        "todo_none": "Nothing: all data has been moved.",
        "todo_dry": "When the errors are fixed and the duplicates reviewed, the data can be loaded.",
        "charts": "How the migration went",
        "funnel": "From files to the portal", "bars": "What happened to each row",
        "funnel_desc": "How many rows were read, passed the checks, remained after merging duplicates and ended up in Bitrix24 (loaded or already there).",
        "bars_desc": "Share of each entity's rows: loaded, unchanged, merged, refused, portal error, queued.",
        "step_read": "Read", "step_clean": "Passed checks", "step_dedupe": "Without duplicates",
        "step_load": "In Bitrix24",
        "seg_done": "Loaded", "seg_skip": "Already in the portal", "seg_merged": "Merged",
        "seg_refused": "Refused by checks", "seg_failed": "Refused by the portal", "seg_pending": "Queued",
        "as_table": "Chart data as a table",
        "overview": "By entity", "entity": "Entity", "rows_read": "Read",
        "rows_kept": "Passed checks", "rows_refused": "Refused", "errors": "Errors", "warnings": "Warnings",
        "clusters": "Duplicate groups", "records_merged": "Merged", "review_pending": "Awaiting review",
        "create": "Create", "update": "Update", "skip": "Unchanged", "plan_refused": "Cannot load",
        "done": "Loaded", "failed": "Portal error", "pending": "Queued",
        "validation": "Data checks", "dedupe": "Duplicates", "plan": "Load plan", "load": "Load",
        "details": "Details", "sources": "Files", "file": "File", "sheet": "Sheet", "rows": "Rows",
        "top_rules": "Most frequent data problems", "rule": "Problem", "severity": "Severity", "count": "Count",
        "error": "error", "warning": "warning",
        "top_reasons": "Why records cannot be loaded", "top_failures": "What the portal answered", "reason": "Reason",
        "not_run": "stage not run",
        "timings": "Stage times", "stage": "Stage", "time": "Time", "total": "Total",
        "workbooks": "Detailed reports",
        "wb_errors.xlsx": "every data problem, row by row, with the original values",
        "wb_duplicates.xlsx": "the duplicates found and a column for your decision",
        "wb_plan.xlsx": "what will be created or updated and why some records cannot be loaded",
        "wb_owners.xlsx": "the owners of the exports, the portal users they are matched to, "
        "and a column for your corrections",
        "wb_load.xlsx": "the outcome of every record and the portal's answers",
        "no_workbooks": "No Excel reports have been written yet.",
        "footer": "Written by b24migrate. Figures are as of the time the report was written.",
        "st_read": "Reading files", "st_map": "Mapping fields", "st_clean": "Cleaning",
        "st_validate": "Checks", "st_dedupe": "Duplicate search", "st_plan": "Plan", "st_load": "Load",
        "st_report": "Reports",
    },
}  # fmt: skip


def check_language(language: str) -> str:
    """``language`` if it is one the page is written in, else ``ValueError``."""
    if language not in LANGUAGES:
        raise ValueError(f"report language `{language}` is not one of {', '.join(LANGUAGES)}")
    return language


def format_number(value: float, language: str, digits: int = 0) -> str:
    """``1 234 567`` (ru, no-break spaces, decimal comma) or ``1,234,567`` (en)."""
    text = f"{value:,.{digits}f}"
    if language == "ru":
        return text.replace(",", NBSP).replace(".", ",")
    return text


def plural(n: int, noun: str, language: str) -> str:
    """The form of ``noun`` (a key of the noun table) that agrees with ``n``."""
    forms = _NOUNS[language][noun]
    if is_one(n, language):
        return forms[0]
    if language != "ru":
        return forms[1]
    tens, ones = n % 100, n % 10
    if 2 <= ones <= 4 and not 12 <= tens <= 14:
        return forms[1]
    return forms[2]


def is_one(n: int, language: str) -> bool:
    """Whether ``n`` takes the singular (``1``, ``21``, ``101`` in ru; only ``1`` in en)."""
    return n == 1 if language != "ru" else n % 10 == 1 and n % 100 != 11


def count_noun(n: int, noun: str, language: str) -> str:
    """``n`` formatted, a no-break space and the agreeing noun: ``3 пары дубликатов``."""
    return f"{format_number(n, language)}{NBSP}{plural(n, noun, language)}"


def format_datetime(moment: datetime, language: str) -> str:
    """``26 ноября 2026, 09:05 UTC`` / ``26 November 2026, 09:05 UTC+03:00``."""
    months = _MONTHS_RU if language == "ru" else _MONTHS_EN
    offset = moment.utcoffset() or timedelta(0)
    zone = "UTC" if not offset else f"UTC{moment.strftime('%z')[:3]}:{moment.strftime('%z')[3:]}"
    return f"{moment.day} {months[moment.month - 1]} {moment.year}, {moment:%H:%M} {zone}"


def format_duration(seconds: float, language: str) -> str:
    """``0,4 с``, ``12 с``, ``2 мин 05 с``, ``1 ч 03 мин`` (``min``/``h`` in en)."""
    units = ("с", "мин", "ч") if language == "ru" else ("s", "min", "h")
    if seconds < 10:
        return f"{format_number(seconds, language, 1)}{NBSP}{units[0]}"
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}{NBSP}{units[2]} {minutes:02d}{NBSP}{units[1]}"
    if minutes:
        return f"{minutes}{NBSP}{units[1]} {secs:02d}{NBSP}{units[0]}"
    return f"{secs}{NBSP}{units[0]}"
