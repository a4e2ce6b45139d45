"""Cleaner names as mapping files use them (``clean: [phone]``) → functions.

Cleaner modules register themselves with :func:`register`; :func:`get_cleaner` looks one up
and :func:`cleaner_names` lists them (for docs and for "did you mean" in mapping errors).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

__all__ = [
    "REQUIRED",
    "bind_cleaner",
    "cleaner_names",
    "cleaner_options",
    "get_cleaner",
    "register",
]

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


REQUIRED: Any = inspect.Parameter.empty
"""The default :func:`cleaner_options` reports for an option that must be given."""


def cleaner_options(name: str) -> dict[str, Any]:
    """The keyword options of cleaner ``name`` → their defaults (``REQUIRED`` when none).

    ``on_error`` is among them. Example: ``cleaner_options("phone")`` →
    ``{"on_error": "raise", "region": "RU"}``.
    """
    parameters = inspect.signature(get_cleaner(name)).parameters.values()
    return {p.name: p.default for p in parameters if p.kind is inspect.Parameter.KEYWORD_ONLY}


def bind_cleaner(name: str, options: Mapping[str, Any] | None = None) -> Callable[..., Any]:
    """Cleaner ``name`` with ``options`` bound, as a mapping file asks for it.

    ``clean: [{phone: {region: KZ}}]`` becomes ``bind_cleaner("phone", {"region": "KZ"})``;
    the result takes the cell (and ``on_error`` unless it was bound). Unknown or missing
    options raise ``ValueError`` naming the known ones; an unknown name ``KeyError``.
    """
    known = cleaner_options(name)
    options = dict(options or {})
    unknown = sorted(set(options) - set(known))
    missing = sorted(k for k, v in known.items() if v is REQUIRED and k not in options)
    if unknown or missing:
        allowed = ", ".join(sorted(known))
        problems = [f"unknown option(s) {', '.join(unknown)}"] if unknown else []
        problems += [f"missing option(s) {', '.join(missing)}"] if missing else []
        raise ValueError(f"cleaner `{name}`: {'; '.join(problems)}; its options: {allowed}")
    return functools.partial(get_cleaner(name), **options)


def _load_builtin() -> None:
    import cleaners  # noqa: F401  (importing the package registers the built-in cleaners)
