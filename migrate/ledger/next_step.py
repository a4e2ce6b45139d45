"""The one "Next:" line: what to do now, from the ledger's state.

`load`, `retry`, `status` and the runbook (docs/runbook.md §4 quotes every text of
:data:`NEXT`; a test keeps them equal) say the same thing in the same words, decided here in
one order: no plan yet → plan; a load alive → wait; records left in flight or an interrupted
load → load again; blocking plan problems → fix or leave out; failures → fix, then retry;
records still to send → load; otherwise → the report for the client.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["NEXT", "NEXT_RU", "WorkState", "next_step", "next_text"]

NEXT: dict[str, str] = {
    "plan": "run `b24migrate plan`: it checks everything against the portal and fills the ledger",
    "running": "wait: the load is running (`b24migrate status` shows how far it is)",
    "waiting": "wait: the load goes on by itself when the portal answers again (it gives up "
    "after `--wait-for-portal` seconds; then run `b24migrate load` again)",
    "stuck": "the load's process has not written to the ledger for minutes: if it hangs, stop "
    "it (Ctrl-C) and run `b24migrate load` again",
    "resume": "run `b24migrate load` again to resume: it first looks up the records whose reply "
    "was lost, so nothing is sent twice",
    "blocking": "fix the portal, data or mapping and run `b24migrate plan` again "
    "(reports/plan.xlsx lists the rows), or leave those rows out: `b24migrate plan "
    "--skip-refused`",
    "blocking_retry": "fix the portal, data or mapping and run `b24migrate retry` again "
    "(reports/plan.xlsx lists the rows), or leave those rows out: `b24migrate retry "
    "--skip-refused`",
    "retry": "fix the data or mapping (reports/load.xlsx groups the portal's reasons), then "
    "`b24migrate retry --dry-run` shows what `b24migrate retry` re-sends",
    "retry_now": "run `b24migrate retry` with the same options (without --dry-run) to send them",
    "load": "run `b24migrate load` to send the records still planned",
    "changes": "`b24migrate load` (or `b24migrate retry --include-changes`) sends the other "
    "changes the re-plan found",
    "done": "run `b24migrate report` and send reports/summary.html to the client",
}
"""Every "Next:" text, by situation (docs/runbook.md quotes each one)."""

NEXT_RU: dict[str, str] = {
    "plan": "запустите `b24migrate plan`: он сверит всё с порталом и заполнит журнал",
    "running": "подождите: загрузка идёт (`b24migrate status` покажет, сколько осталось)",
    "waiting": "подождите: загрузка продолжится сама, когда портал снова ответит (через "
    "`--wait-for-portal` секунд она остановится; тогда запустите `b24migrate load` снова)",
    "stuck": "процесс загрузки несколько минут ничего не пишет в журнал: если он завис, "
    "остановите его (Ctrl-C) и запустите `b24migrate load` снова",
    "resume": "запустите `b24migrate load` снова, чтобы продолжить: сначала он найдёт на "
    "портале записи, ответ на которые потерялся, — ничего не отправится дважды",
    "blocking": "исправьте портал, данные или маппинг и запустите `b24migrate plan` снова "
    "(строки — в reports/plan.xlsx) или оставьте эти строки в стороне: `b24migrate plan "
    "--skip-refused`",
    "blocking_retry": "исправьте портал, данные или маппинг и запустите `b24migrate retry` "
    "снова (строки — в reports/plan.xlsx) или оставьте эти строки в стороне: `b24migrate "
    "retry --skip-refused`",
    "retry": "исправьте данные или маппинг (причины отказов портала сгруппированы в "
    "reports/load.xlsx), затем `b24migrate retry --dry-run` покажет, что отправит "
    "`b24migrate retry`",
    "retry_now": "запустите `b24migrate retry` с теми же параметрами (без --dry-run), чтобы "
    "отправить их",
    "load": "запустите `b24migrate load`, чтобы отправить оставшиеся записи",
    "changes": "`b24migrate load` (или `b24migrate retry --include-changes`) отправит "
    "остальные изменения, найденные перепланированием",
    "done": "запустите `b24migrate report` и отправьте клиенту reports/summary.html",
}
"""The same texts in Russian (the workspace's `language: ru`, the default)."""


def next_text(key: str, language: str = "en") -> str:
    """The "Next:" text ``key`` in ``language`` (English unless `ru`)."""
    return (NEXT_RU if language == "ru" else NEXT)[key]


@dataclass(frozen=True, slots=True)
class WorkState:
    """What decides the next step (counts from the ledger, the load's activity)."""

    planned: bool  # a plan ran
    activity: str = "idle"  # heartbeat.Activity.state
    sending: int = 0
    ready: int = 0  # planned and not blocked
    failed: int = 0
    blocking: int = 0  # rows kept out by blocking plan problems (not accepted)


def next_step(state: WorkState, command: str = "", language: str = "en") -> str:
    """The "Next:" text for ``state`` in ``language`` (``command``: the one that just ran, for
    its own options, e.g. `retry --skip-refused`)."""
    return next_text(_next_key(state, command), language)


def _next_key(state: WorkState, command: str) -> str:
    if not state.planned:
        return "plan"
    if state.activity in ("running", "reconciling"):
        return "running"
    if state.activity in ("waiting", "stuck"):
        return state.activity
    if state.sending or (state.activity == "interrupted" and state.ready):
        return "resume"
    if state.blocking:
        return "blocking_retry" if command == "retry" else "blocking"
    if state.failed:
        return "retry"
    if state.ready:
        return "load"
    return "done"
