"""The writer lock of a workspace, on every operating system.

POSIX: ``flock`` on ``ledger.sqlite.lock``. Windows (no ``fcntl``): ``msvcrt.locking`` on the
first byte of the same file. Both are released by the operating system when the process dies,
even when it is killed, so a crash never leaves a workspace locked.
"""

from __future__ import annotations

import importlib
import os
from types import ModuleType
from typing import Any

__all__ = ["try_lock", "unlock"]

fcntl: ModuleType | None
msvcrt: Any = None
try:
    import fcntl
except ImportError:  # Windows
    fcntl = None
    msvcrt = importlib.import_module("msvcrt")


def try_lock(fd: int) -> bool:
    """Take the exclusive lock on the open file ``fd`` without waiting; ``False`` if taken."""
    if fcntl is not None:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True
    os.lseek(fd, 0, os.SEEK_SET)
    try:
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
    except OSError:
        return False
    return True


def unlock(fd: int) -> None:
    """Release the lock taken with :func:`try_lock`."""
    if fcntl is not None:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return
    os.lseek(fd, 0, os.SEEK_SET)
    msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
