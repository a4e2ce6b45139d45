"""Test helper: run `plan` in forked children, each killed (SIGKILL) at its N-th ledger
statement — a kill at a chosen point between (or inside) the plan's ledger writes.

    python -m tests.migrate.trust._interrupt_plan count DIR        → prints the statement count
    python -m tests.migrate.trust._interrupt_plan kill DIR:N ...   → prints {DIR: exit status}

One process imports everything once and forks per run, so twenty kills cost twenty plans, not
twenty interpreter starts.
"""

from __future__ import annotations

import json
import os
import signal
import sys

from migrate.ledger import _store
from migrate.run import Migration
from migrate.workspace.config import Workspace

_count = 0


def _arm(kill_at: int) -> None:
    """Count the ledger's SQL statements; SIGKILL this process at number ``kill_at`` (0: never)."""
    original = _store.Store.__init__

    def init(self: _store.Store, *args: object, **kwargs: object) -> None:
        original(self, *args, **kwargs)  # type: ignore[arg-type]

        def trace(_sql: str) -> None:
            global _count
            _count += 1
            if kill_at and _count >= kill_at:
                os.kill(os.getpid(), signal.SIGKILL)

        self.conn.set_trace_callback(trace)

    _store.Store.__init__ = init  # type: ignore[method-assign]


def _plan(root: str) -> None:
    Migration(Workspace.at(root)).plan(skip_refused=True)


def main(argv: list[str]) -> None:
    if argv[0] == "count":
        _arm(0)
        _plan(argv[1])
        print(_count)
        return
    status = {}
    for item in argv[1:]:
        root, kill_at = item.rsplit(":", 1)
        pid = os.fork()
        if pid == 0:
            _arm(int(kill_at))
            _plan(root)
            os._exit(0)
        status[root] = os.waitpid(pid, 0)[1]
    print(json.dumps(status))


if __name__ == "__main__":
    main(sys.argv[1:])
