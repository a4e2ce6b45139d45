"""What the load says while it works: a heartbeat in the ledger, notes, and outages.

A load must never freeze in silence. :class:`LoadWatch` is told of every batch answered,
every retry the client waits for and every look-up of records whose reply was lost; it turns
them into

* notes (one line each, for the terminal above the progress bar or a log line without one):
  "the portal does not answer since 12:01:05 …; retrying in 4 s", "the portal answers again
  after 37 s", "checking 100 records whose reply was lost …";
* the ledger's heartbeat (:mod:`migrate.ledger.heartbeat`), so `status` in another terminal
  tells a live load, one waiting for the portal and a dead one apart;
* the decision to stop waiting: a portal that has not answered for ``max_outage`` seconds
  ends the load with exit 4 (resumable), instead of waiting forever or failing for good.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta

from loaders.errors import (
    AmbiguousWrite,
    PortalError,
    PortalOperationLimited,
    PortalUnavailable,
)
from migrate.ledger import Ledger
from migrate.ledger._store import utc_now
from migrate.ledger.heartbeat import HeartbeatWriter

__all__ = ["DEFAULT_PORTAL_WAIT", "LoadWatch", "Note", "duration", "is_outage"]

#: Seconds a load waits for a portal that does not answer before it stops (exit 4).
DEFAULT_PORTAL_WAIT = 900.0
#: Seconds between two "still waiting" notes.
_REPEAT = 15.0
#: Seconds of failures without an answer before an outage is announced (shorter is a hiccup).
_QUIET = 3.0

Note = Callable[[str], None]


def is_outage(error: PortalError) -> bool:
    """Whether ``error`` means the portal (or the way to it) is down, not that it refused."""
    return isinstance(error, PortalUnavailable | AmbiguousWrite)


_UNITS = {"en": ("s", "min", "h"), "ru": ("с", "мин", "ч")}


def duration(seconds: float, language: str = "en") -> str:
    """``45 s``, ``3 min 05 s``, ``1 h 02 min`` (``45 с``, ``3 мин 05 с`` in Russian)."""
    s, m, h = _UNITS["ru" if language == "ru" else "en"]
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds} {s}"
    if seconds < 3600:
        return f"{seconds // 60} {m} {seconds % 60:02d} {s}"
    return f"{seconds // 3600} {h} {seconds % 3600 // 60:02d} {m}"


#: The notes, in the workspace's language.
_NOTES: dict[str, tuple[str, str]] = {
    "down": (
        "Портал не отвечает с {since} ({error}){again}. Ничего не потеряно: записи в пути "
        "будут найдены на портале, когда он вернётся; ждём до {limit}.",
        "The portal does not answer since {since} ({error}){again}. Nothing is lost: records "
        "in flight are looked up when it is back; waiting up to {limit}.",
    ),
    "again": ("; новая попытка через {wait}", "; retrying in {wait}"),
    "still": ("Всё ещё ждём портал (не отвечает с {since}, {away}){again}.",
              "Still waiting for the portal (down since {since}, {away}){again}."),
    "back": ("Портал снова отвечает, через {away}; загрузка продолжается.",
             "The portal answers again after {away}; the load goes on."),
    "checking": ("Проверяем {n} записей, ответ на которые потерялся{pause}.",
                 "Checking {n} records whose reply was lost{pause}."),
    "pause": ("; портал ещё может их записывать, поэтому поиск ждёт до {until} ({wait})",
              "; the portal may still be writing them, so the look-up waits until {until} "
              "({wait})"),
    "checked": ("Найдено на портале {found} из {n} записей; {again} отправятся снова.",
                "Looked up {n} records: {found} were written, {again} go again."),
    "budget": ("`{method}` исчерпал бюджет времени выполнения на портале; ждём {wait}, пока "
               "он восстановится.",
               "`{method}` has used up its operating-time budget on the portal; waiting {wait} "
               "for it to reset."),
}  # fmt: skip


def _at(moment: datetime) -> str:
    return moment.astimezone().strftime("%H:%M:%S")


class LoadWatch:
    """Notes, heartbeat and the outage clock of one load run (see the module docstring)."""

    def __init__(
        self,
        ledger: Ledger,
        run_id: int,
        *,
        command: str = "load",
        note: Note | None = None,
        max_outage: float = DEFAULT_PORTAL_WAIT,
        clock: Callable[[], datetime] = utc_now,
        monotonic: Callable[[], float] = time.monotonic,
        language: str = "en",
    ) -> None:
        self.note, self.max_outage, self.clock, self.monotonic = note, max_outage, clock, monotonic
        self.language = "ru" if language == "ru" else "en"
        self.heartbeat = HeartbeatWriter(ledger, command, run_id, clock=clock)
        self.down_since: datetime | None = None
        self.down_error = ""
        self.announced = False
        self._retry_in: float | None = None
        self._down_clock = 0.0
        self._said = 0.0
        self._limited: dict[str, float] = {}
        self.outages = 0

    # ------------------------------------------------------------------ events
    def say(self, key: str, **values: object) -> None:
        """One note (:data:`_NOTES` ``key``), stamped with the local time."""
        if self.note is not None:
            self.note(f"{_at(self.clock())} {self._text(key, **values)}")

    def _text(self, key: str, **values: object) -> str:
        return _NOTES[key][0 if self.language == "ru" else 1].format(**values)

    def _took(self, seconds: float) -> str:
        return duration(seconds, self.language)

    def answered(self) -> None:
        """A batch got its reply: the portal is up."""
        if self.announced:
            away = self.monotonic() - self._down_clock
            self.say("back", away=self._took(away))
            self.heartbeat.state("working")
        self.down_since, self.announced = None, False
        self.heartbeat.beat(answered=True)

    def retrying(self, error: PortalError, attempt: int, wait: float) -> None:
        """The client waits ``wait`` seconds before trying a request again."""
        if is_outage(error):
            self.unreachable(error, wait)
        elif isinstance(error, PortalOperationLimited):
            self._budget_spent(error.method or "?", wait)

    def unreachable(self, error: PortalError, retry_in: float | None = None) -> None:
        """The portal did not answer (no connection, 5xx, a reply lost).

        One failure followed by an answer is a hiccup (the client and reconciliation handle
        it); failures for :data:`_QUIET` seconds without an answer are an outage, said aloud.
        """
        text = (error.description or type(error).__name__).strip()[:120]
        if self.down_since is None:
            self.down_since, self.down_error = self.clock(), text
            self._down_clock = self.monotonic()
        self.down_error, self._retry_in = text, retry_in
        self._announce()

    def _announce(self) -> None:
        if self.down_since is None:
            return
        away = self.monotonic() - self._down_clock
        again = self._text("again", wait=self._took(self._retry_in)) if self._retry_in else ""
        if not self.announced:
            if away < _QUIET:
                return
            self.announced, self._said = True, self.monotonic()
            self.outages += 1
            self.say("down", since=_at(self.down_since), error=self.down_error, again=again,
                     limit=self._took(self.max_outage))  # fmt: skip
            self.heartbeat.state("waiting", self.down_error, since=self.down_since)
        elif self.monotonic() - self._said >= _REPEAT:
            self._said = self.monotonic()
            self.say("still", since=_at(self.down_since), away=self._took(away), again=again)

    def reconciling(self, records: int, wait: float) -> None:
        """Records whose reply was lost are about to be looked up (after ``wait`` seconds)."""
        until = _at(self.clock() + timedelta(seconds=wait))
        pause = "" if wait <= 0 else self._text("pause", until=until, wait=self._took(wait))
        self.say("checking", n=records, pause=pause)
        self.heartbeat.state("reconciling", f"{records} records")

    def reconciled(self, found: int, again: int) -> None:
        self.say("checked", n=found + again, found=found, again=again)
        self.heartbeat.state("working")

    def beat(self) -> None:
        """A sign of life (the load calls it at least once a second)."""
        self._announce()
        self.heartbeat.beat()

    def end(self, status: str, detail: str = "") -> None:
        self.heartbeat.end(status, detail)

    # ------------------------------------------------------------------ decisions
    @property
    def down(self) -> bool:
        """Whether the portal is (announced) down: the load then probes with one batch."""
        return self.announced

    def gave_up(self) -> bool:
        """Whether the portal has been down longer than the load is willing to wait."""
        since = self.down_since is not None
        return since and self.monotonic() - self._down_clock > self.max_outage

    def outage_text(self) -> str:
        """``the portal has not answered since 12:01:05 (16 min 00 s: …)``."""
        assert self.down_since is not None
        away = duration(self.monotonic() - self._down_clock)
        return (
            f"the portal has not answered since {_at(self.down_since)} ({away}: {self.down_error})"
        )

    def _budget_spent(self, method: str, wait: float) -> None:
        now = self.monotonic()
        if now < self._limited.get(method, 0.0):
            return
        self._limited[method] = now + max(wait, _REPEAT)
        self.say("budget", method=method, wait=self._took(wait))
