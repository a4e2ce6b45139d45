"""Whether a load is alive: a heartbeat the long commands keep in the ledger.

A `load` (or `retry`, `rollback`) writes one :class:`Heartbeat` into the ledger's ``meta``
table when it starts, at most once a second while it works, at once when its state changes
(waiting for the portal, reconciling records whose reply was lost) and a last time when it
ends. `status`, in another process, reads it back with :func:`read_activity`: a heartbeat in
an active state whose process no longer exists on this machine is a load that was killed
(SIGKILL, a crash, a closed terminal); one whose process lives but has not written for
:data:`STALL_SECONDS` is stuck. Nothing here is needed for correctness (the ledger's states
are); it is what lets `status` tell the truth about a load it did not start.
"""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from typing import Any

from migrate.ledger._ledger import Ledger
from migrate.ledger._store import utc_now

__all__ = [
    "ACTIVE_STATES",
    "HEARTBEAT_META",
    "OUTCOME_META",
    "STALL_SECONDS",
    "Activity",
    "CommandOutcome",
    "Heartbeat",
    "HeartbeatWriter",
    "read_activity",
    "read_heartbeat",
    "read_outcome",
    "record_outcome",
]

HEARTBEAT_META = "load.heartbeat"
#: How the last command that works on the ledger (`plan`, `load`, `retry`, `rollback`) ended.
OUTCOME_META = "console.last_command"
#: States of a command that is (or was, when it died) at work.
ACTIVE_STATES = frozenset({"working", "waiting", "reconciling"})
#: A live process that has not beaten for this long is reported as stuck.
STALL_SECONDS = 180.0

Clock = Callable[[], datetime]


@dataclass(frozen=True, slots=True)
class Heartbeat:
    """The last sign of life of a long command.

    Attributes:
        command: ``load``, ``retry`` or ``rollback``.
        pid, host: the process that writes it.
        run_id: its ledger run.
        started_at: when the command started.
        beat_at: when it last wrote.
        state: ``working``, ``waiting`` (for the portal), ``reconciling`` (looking up records
            whose reply was lost), or how it ended: ``finished``, ``interrupted``, ``failed``.
        since: when the current state began (the portal has not answered since …).
        detail: what it waits for, or why it ended.
        last_batch_at: when the portal last answered a batch.
    """

    command: str
    pid: int
    host: str
    run_id: int | None
    started_at: datetime
    beat_at: datetime
    state: str = "working"
    since: datetime | None = None
    detail: str = ""
    last_batch_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.state in ACTIVE_STATES

    def to_json(self) -> str:
        body = {k: v.isoformat() if isinstance(v, datetime) else v for k, v in asdict(self).items()}
        return json.dumps(body, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Heartbeat | None:
        try:
            body: dict[str, Any] = json.loads(text)
            for name in ("started_at", "beat_at", "since", "last_batch_at"):
                if body.get(name):
                    body[name] = datetime.fromisoformat(body[name])
            return cls(**body)
        except (ValueError, TypeError, KeyError):
            return None


def read_heartbeat(ledger: Ledger) -> Heartbeat | None:
    """The heartbeat of the last long command (``None`` when there was none)."""
    text = ledger.meta(HEARTBEAT_META)
    return None if text is None else Heartbeat.from_json(text)


class HeartbeatWriter:
    """Keeps a command's heartbeat in the ledger (the command holds the writer lock).

    Args:
        ledger: the workspace ledger.
        command: the command's name.
        run_id: its ledger run.
        clock: the time (injected by tests).
        every: seconds between two beats when nothing changes.
    """

    def __init__(
        self,
        ledger: Ledger,
        command: str,
        run_id: int | None,
        *,
        clock: Clock = utc_now,
        every: float = 1.0,
    ) -> None:
        self.ledger, self.clock, self.every = ledger, clock, every
        now = clock()
        self._current = Heartbeat(command, os.getpid(), socket.gethostname(), run_id, now, now)
        self._write()

    @property
    def current(self) -> Heartbeat:
        return self._current

    def beat(self, *, answered: bool = False) -> None:
        """A sign of life (``answered``: the portal just answered a batch); written at most
        once per ``every`` seconds."""
        now = self.clock()
        if answered:
            self._current = replace(self._current, last_batch_at=now)
        if (now - self._current.beat_at).total_seconds() >= self.every:
            self._write(now)

    def state(self, state: str, detail: str = "", since: datetime | None = None) -> None:
        """Enter ``state`` (written at once when it changes)."""
        if (state, detail) == (self._current.state, self._current.detail):
            return
        changed = state != self._current.state
        start = since or (self.clock() if changed else self._current.since)
        self._current = replace(self._current, state=state, detail=detail, since=start)
        self._write()

    def end(self, state: str, detail: str = "") -> None:
        """The command ended ``finished``, ``interrupted`` or ``failed``."""
        self._current = replace(self._current, state=state, detail=detail, since=self.clock())
        self._write()

    def _write(self, now: datetime | None = None) -> None:
        self._current = replace(self._current, beat_at=now or self.clock())
        self.ledger.set_meta(HEARTBEAT_META, self._current.to_json())


@dataclass(frozen=True, slots=True)
class Activity:
    """What a reader concludes from the heartbeat.

    ``state``: ``idle`` (no long command yet), ``running``, ``waiting`` (for the portal),
    ``reconciling``, ``stuck`` (alive but silent), ``interrupted`` (ended so, or its process
    is gone while it claimed to work), ``finished`` or ``failed``.
    """

    state: str
    heartbeat: Heartbeat | None = None
    alive: bool = False

    @property
    def since(self) -> datetime | None:
        return self.heartbeat.since if self.heartbeat else None


def read_activity(
    ledger: Ledger, *, clock: Clock = utc_now, pid_alive: Callable[[int], bool] | None = None
) -> Activity:
    """Whether the last long command is alive, and in which state (see :class:`Activity`)."""
    beat = read_heartbeat(ledger)
    if beat is None:
        return Activity("idle")
    if not beat.active:
        return Activity(beat.state, beat)
    if beat.host == socket.gethostname() and not (pid_alive or _pid_alive)(beat.pid):
        return Activity("interrupted", beat)
    if (clock() - beat.beat_at).total_seconds() > STALL_SECONDS:
        return Activity("stuck", beat, alive=True)
    state = {"working": "running"}.get(beat.state, beat.state)
    return Activity(state, beat, alive=True)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass(frozen=True, slots=True)
class CommandOutcome:
    """How the last ledger command ended: its exit code and one line (the error's message)."""

    command: str
    at: datetime
    exit_code: int
    text: str = ""


def record_outcome(
    ledger: Ledger, command: str, exit_code: int, text: str = "", *, clock: Clock = utc_now
) -> None:
    """Remember how ``command`` ended, so `status` can say "`retry` stopped (exit 1): …"."""
    body = {"command": command, "at": clock().isoformat(), "exit_code": exit_code, "text": text}
    ledger.set_meta(OUTCOME_META, json.dumps(body, ensure_ascii=False))


def read_outcome(ledger: Ledger) -> CommandOutcome | None:
    """How the last ledger command ended (``None`` before any)."""
    text = ledger.meta(OUTCOME_META)
    if text is None:
        return None
    try:
        body = json.loads(text)
        return CommandOutcome(
            str(body["command"]), datetime.fromisoformat(body["at"]), int(body["exit_code"]),
            str(body.get("text") or ""),
        )  # fmt: skip
    except (ValueError, TypeError, KeyError):
        return None
