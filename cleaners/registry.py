"""Cleaner names as mapping files use them (``clean: [phone]``) → functions.

Cleaner modules register themselves with :func:`register`; :func:`get_cleaner` looks one up
and :func:`cleaner_names` lists them (for docs and for "did you mean" in mapping errors).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["cleaner_names", "get_cleaner", "register"]

F = TypeVar("F", bound=Callable[..., Any])

_REGISTRY: dict[str, Callable[..., Any]] = {}


def register(name: str) -> Callable[[F], F]:
    """Register the decorated cleaner under ``name`` (unique)."""

    def decorate(func: F) -> F:
        if name in _REGISTRY and _REGISTRY[name] is not func:
            raise ValueError(f"cleaner `{name}` is registered twice")
        _REGISTRY[name] = func
        return func

    return decorate


def get_cleaner(name: str) -> Callable[..., Any]:
    """Return the cleaner registered as ``name``; ``KeyError`` names the known ones."""
    _load_builtin()
    try:
        return _REGISTRY[name]
    except KeyError:
        known = ", ".join(sorted(_REGISTRY))
        raise KeyError(f"unknown cleaner `{name}`; known cleaners: {known}") from None


def cleaner_names() -> list[str]:
    """All registered cleaner names, sorted."""
    _load_builtin()
    return sorted(_REGISTRY)


def _load_builtin() -> None:
    import cleaners  # noqa: F401  (importing the package registers the built-in cleaners)
