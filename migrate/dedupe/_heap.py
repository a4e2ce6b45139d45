"""Memory settings for the engine's large, short-lived arrays.

Dedupe allocates and frees arrays of millions of pairs many times over. Two defaults make
that slow on Linux: numpy asks the kernel for transparent huge pages on every large array,
so each one is faulted in by zeroing 2 MiB pages (on a 100k-row table a fifth of the CPU time,
spent in the kernel), and glibc gives each freed block of a few megabytes back to the system,
so the next array of that size is faulted in again. Inside :func:`heap_kept`, numpy asks for
ordinary pages and blocks up to 32 MiB stay in the heap for reuse; on leaving, both go back
to what they were and the heap is trimmed. Where there is no glibc (macOS, Windows, musl)
only the numpy part applies.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import numpy as np

__all__ = ["heap_kept"]

_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
_KEEP_BELOW = 32 * 1024 * 1024  # glibc's largest mmap threshold on 64-bit systems
_NEVER_TRIM = 2**31 - 1
_DEFAULT = 128 * 1024  # glibc's defaults of both thresholds
_lock = threading.Lock()
_depth = 0
_huge_before = True


def _libc() -> ctypes.CDLL | None:
    if not sys.platform.startswith("linux") or os.environ.get("B24_HEAP_KEPT") == "0":
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.mallopt  # noqa: B018 — glibc only (musl has no mallopt)
        libc.malloc_trim  # noqa: B018
    except (OSError, AttributeError):
        return None
    return libc


def _hugepage_switch() -> Callable[[bool], bool] | None:
    core = getattr(np, "_core", None) or getattr(np, "core", None)
    switch = getattr(getattr(core, "multiarray", None), "_set_madvise_hugepage", None)
    return switch if callable(switch) and os.environ.get("B24_HUGEPAGE_OFF") != "0" else None


_LIBC = _libc()
_HUGEPAGE = _hugepage_switch()


@contextmanager
def heap_kept() -> Iterator[None]:
    """Within this block: no huge pages for new arrays, freed blocks below 32 MiB kept."""
    global _depth, _huge_before
    with _lock:
        if _depth == 0:
            if _HUGEPAGE is not None:
                _huge_before = bool(_HUGEPAGE(False))
            if _LIBC is not None:
                _LIBC.mallopt(_M_MMAP_THRESHOLD, _KEEP_BELOW)
                _LIBC.mallopt(_M_TRIM_THRESHOLD, _NEVER_TRIM)
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                if _HUGEPAGE is not None:
                    _HUGEPAGE(_huge_before)
                if _LIBC is not None:
                    _LIBC.mallopt(_M_MMAP_THRESHOLD, _DEFAULT)
                    _LIBC.mallopt(_M_TRIM_THRESHOLD, _DEFAULT)
                    _LIBC.malloc_trim(0)
