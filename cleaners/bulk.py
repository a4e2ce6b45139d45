"""Bulk fast paths: clean many distinct values at once, the common clean shapes vectorised.

A pipeline cleans each distinct value of a column once; at a million rows that is still
millions of calls. Most values come in a few clean shapes (``+7 912 476-37-21``,
``ivan@mail.ru``, ``Иван Петров``), so a cleaner may offer a fast path: a function that takes
all the values at once (a pyarrow string array), recognises the shapes it is sure about with
vectorised regular expressions, and returns their cleaned values. Every other value is a
miss and goes through the cleaner itself.

The contract, checked by property tests for every fast path: for each hit ``i``,
``cleaner(values[i], **options)`` returns ``cleaned[i]`` under ``on_error="raise"`` — no error,
no warning, the same value. A fast path returns ``None`` for options it does not handle.

    >>> result = fast_clean("phones", ["8 (916) 123-45-67", "нет"])
    >>> result.hits.tolist(), result.cleaned[0]
    ([True, False], ['+79161234567'])
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = [
    "FastResult",
    "as_strings",
    "fast_clean",
    "fast_names",
    "flag",
    "matches",
    "register_fast",
    "within",
]

F = TypeVar("F", bound=Callable[..., Any])

_FAST: dict[str, Callable[..., FastResult | None]] = {}


@dataclass(frozen=True, slots=True)
class FastResult:
    """What a fast path found: ``hits[i]`` is true where ``cleaned[i]`` is the cleaned value.

    Attributes:
        hits: boolean array, one per input value.
        cleaned: object array of the same length; entries at misses are ``None``.
    """

    hits: np.ndarray
    cleaned: np.ndarray

    @classmethod
    def none(cls, size: int) -> FastResult:
        """A result without hits."""
        return cls(np.zeros(size, dtype=bool), np.full(size, None, dtype=object))


def register_fast(name: str) -> Callable[[F], F]:
    """Register the decorated function as the fast path of cleaner ``name``.

    It is called as ``func(values, **options)`` with a pyarrow string array (no nulls) and the
    cleaner's options except ``on_error``, and returns a :class:`FastResult` or ``None``.
    """

    def decorate(func: F) -> F:
        _FAST[name] = func
        return func

    return decorate


def fast_names() -> list[str]:
    """The cleaners that have a fast path, sorted."""
    _load_builtin()
    return sorted(_FAST)


def fast_clean(
    name: str, values: pa.Array | Sequence[str], options: Mapping[str, Any] | None = None
) -> FastResult | None:
    """Run the fast path of cleaner ``name`` over ``values``; ``None`` when it has none.

    ``options`` are the cleaner's options (``on_error`` is ignored: hits never fail).
    """
    _load_builtin()
    func = _FAST.get(name)
    if func is None:
        return None
    options = {k: v for k, v in (options or {}).items() if k != "on_error"}
    try:
        inspect.signature(func).bind(values, **options)
    except TypeError:  # an option this fast path does not know: the cleaner decides
        return None
    return func(as_strings(values), **options)


def as_strings(values: pa.Array | pa.ChunkedArray | Sequence[str]) -> pa.Array:
    """``values`` as one pyarrow ``large_string`` array without nulls (null → ``""``)."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    elif not isinstance(values, pa.Array):
        values = pa.array(values, type=pa.large_string())
    if values.type != pa.large_string():
        values = values.cast(pa.large_string())
    return values.fill_null("") if values.null_count else values


def flag(array: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """A pyarrow boolean array as a numpy one (null → ``False``)."""
    filled = pc.fill_null(array, False)
    return np.asarray(filled.to_numpy(zero_copy_only=False), dtype=bool)


def matches(values: pa.Array, pattern: str) -> np.ndarray:
    """Where ``values`` match ``pattern`` (RE2 syntax; anchor it with ``^…$`` for a fullmatch)."""
    return flag(pc.match_substring_regex(values, pattern))


def within(values: pa.Array, limit: int) -> np.ndarray:
    """Where ``values`` have at most ``limit`` characters (a cleaner's cell limit)."""
    return flag(pc.less_equal(pc.utf8_length(values), limit))


def _load_builtin() -> None:
    import cleaners  # noqa: F401  (importing the package registers the built-in fast paths)
