"""The contract every cleaner follows.

A cleaner is a pure function: one value in, one value out, no I/O, no globals::

    def phone(value: str, *, on_error: OnError = "raise", region: str = "RU") -> str | None

* ``value`` is the cell as text (sources keep every cell as ``str``); empty text, ``None`` and
  the texts tools write for "nothing" (``nan``, ``NULL``, ``#N/A``...) mean "no value" and a
  cleaner returns ``None`` (``[]`` for multi-valued ones) for it without complaint.
* ``on_error`` decides what happens when the value cannot be cleaned:
  ``"raise"`` raises :class:`CleanerError`, ``"keep"`` returns the input unchanged,
  ``"null"`` returns ``None``.
* A value that can be cleaned but deserves a note (a likely typo in an e-mail domain, a phone
  without a region) raises :class:`CleanerError` with ``severity="warning"`` and the cleaned
  value in ``cleaned`` under ``on_error="raise"``; under ``"keep"``/``"null"`` the cleaned value is
  returned. The pipeline catches the error and turns it into an Issue row.
* Multi-valued cleaners (several phones in one cell) return a ``list[str]``; the mapping stage
  turns the list into a Bitrix24 multi-field.

Messages are produced in Russian (default) or English from ``rule`` and ``params`` by
:meth:`CleanerError.message`, so the same error reads well in either report language; the
value is cut to 80 characters there (a 5 MB cell does not make a 5 MB message).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ["CleanerError", "OnError", "Severity", "cut", "handle_error"]

OnError = Literal["raise", "keep", "null"]
Severity = Literal["error", "warning"]


@dataclass(eq=False)
class CleanerError(ValueError):
    """A value a cleaner could not clean (or cleaned with a warning).

    Attributes:
        rule: stable machine code of the rule, e.g. ``"phone.invalid"``.
        value: the input value.
        params: values for the message template (``{"value": ..., "region": ...}``).
        severity: ``"error"`` keeps the row out of the load, ``"warning"`` loads ``cleaned``.
        suggestion: a proposed correction the client can accept, or ``None``.
        cleaned: the value to load when ``severity == "warning"``.
        messages: ``{"ru": template, "en": template}`` formatted with ``params``.
    """

    rule: str
    value: str
    messages: Mapping[str, str]
    params: Mapping[str, Any] = field(default_factory=dict)
    severity: Severity = "error"
    suggestion: str | None = None
    cleaned: Any = None

    def __post_init__(self) -> None:
        super().__init__(self.rule)

    def __str__(self) -> str:
        return self.message("en")

    def message(self, language: str = "ru") -> str:
        """The human message in ``language`` (``ru`` or ``en``; falls back to ``ru``)."""
        template = self.messages.get(language) or self.messages.get("ru") or self.rule
        values = {"suggestion": self.suggestion, **self.params, "value": cut(self.value)}
        try:
            return template.format(**values)
        except (KeyError, IndexError, ValueError):
            return template


def cut(value: object, limit: int = 80) -> str:
    """``value`` as text, cut to ``limit`` characters with ``…`` (for messages and reports)."""
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def handle_error(error: CleanerError, on_error: OnError) -> Any:
    """Apply the ``on_error`` policy to ``error`` (call it from inside ``except``)."""
    if on_error == "raise":
        raise error
    if error.severity == "warning":
        return error.cleaned
    return error.value if on_error == "keep" else None


Cleaner = Callable[..., Any]
