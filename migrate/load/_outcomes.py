"""A batch reply → one ledger outcome per record (pure)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from loaders.batch import CommandResult
from loaders.entities import (
    UnexpectedResult,
    address_written,
    parse_import_result,
    parse_write_result,
)
from loaders.errors import (
    AmbiguousWrite,
    PortalAuthError,
    PortalBlocked,
    PortalError,
    PortalOperationLimited,
    PortalRateLimited,
    PortalUnavailable,
    PortalUnreachable,
)
from migrate.errors import PortalTerminalError, PortalTransientError, shorten
from migrate.ledger import NotSent, Op, Outcome, Refused, Unknown, Written
from migrate.load._schedule import Work

__all__ = ["error_text", "outcomes_for_error", "outcomes_for_result", "portal_errors"]

_NOT_EXECUTED = (
    PortalRateLimited, PortalOperationLimited, PortalAuthError, PortalBlocked, PortalUnreachable
)  # fmt: skip
_NOT_EXECUTED_CODES = frozenset({"ERROR_BATCH_LENGTH_EXCEEDED"})


def error_text(error: PortalError) -> str:
    """``CODE: description`` as the portal sent it (legacy CRM errors have no code)."""
    description = str(error.description or "").removesuffix("<br>").strip()
    text = ": ".join(part for part in (error.code, description) if part)
    return shorten(text or type(error).__name__, 500)


@contextmanager
def portal_errors(what: str, command: str, kept: str) -> Iterator[None]:
    """Portal errors of a read or delete pass → terminal (credentials) or transient errors.

    ``what`` names the step (``"refused a look-up"`` reads ``the portal refused a look-up``),
    ``command`` the one to run again, ``kept`` what stays as it was meanwhile.
    """
    step, _, noun = what.partition(": ")
    try:
        yield
    except (PortalAuthError, PortalBlocked) as exc:
        raise PortalTerminalError(
            f"{step}: the portal refused {noun} ({error_text(exc)})",
            next_step=f"fix the webhook's permissions, then run `{command}` again",
        ) from exc
    except PortalError as exc:
        raise PortalTransientError(
            f"{step}: the portal did not answer {noun} ({error_text(exc)})",
            next_step=f"run `{command}` again; {kept}",
        ) from exc


def outcomes_for_result(work: Work, result: CommandResult) -> list[Outcome]:
    """The outcome of each record of ``work`` from its command's result."""
    if result.status == "skipped":
        return [NotSent(r.id, "not run: the batch stopped before it") for r in work.records]
    if result.status == "error":
        assert result.error is not None
        return outcomes_for_error([work], result.error)
    try:
        if work.command.method == "crm.item.batchImport":
            items = parse_import_result(result.result, len(work.records))
            return [
                Written(r.id, item) if isinstance(item, int) else Refused(r.id, item)
                for r, item in zip(work.records, items, strict=True)
            ]
        (record,) = work.records
        parent = address_written(work.command, result.result)
        if parent is not None:  # an address has no id: the ledger keeps its requisite's
            return [Written(record.id, parent)]
        new_id = parse_write_result(
            work.command.method, "create" if record.op is Op.CREATE else "update", result.result
        )
        return [Written(record.id, new_id)]
    except UnexpectedResult as exc:
        return [Unknown(r.id, str(exc)) for r in work.records]


def outcomes_for_error(works: Sequence[Work], error: PortalError) -> list[Outcome]:
    """The outcome of each record when a command (or its whole batch) failed with ``error``.

    Refused before execution or never sent (no connection) → ``NotSent``; may have been
    written → ``Unknown``; anything else is the portal refusing the data → ``Refused``.
    """
    text = error_text(error)
    records = [r for work in works for r in work.records]
    if isinstance(error, _NOT_EXECUTED) or error.code.upper() in _NOT_EXECUTED_CODES:
        return [NotSent(r.id, text) for r in records]
    if isinstance(error, AmbiguousWrite | PortalUnavailable):
        return [Unknown(r.id, text) for r in records]
    return [Refused(r.id, text) for r in records]
