"""The one exception a method handler raises: a portal error reply."""

from __future__ import annotations

__all__ = ["RestError", "legacy_error", "not_found"]


class RestError(Exception):
    """A reply ``{"error": code, "error_description": description}`` with an HTTP status."""

    def __init__(self, status: int, code: str | int, description: str) -> None:
        super().__init__(f"{status} {code or '(empty code)'}: {description}")
        self.status = status
        self.code = code
        self.description = description
        self.counted = False  # already in the sandbox's error statistics

    def body(self) -> dict[str, str | int]:
        return {"error": self.code, "error_description": self.description}


def legacy_error(description: str) -> RestError:
    """Legacy CRM methods answer 400 with an EMPTY error code and the text in the description."""
    return RestError(400, "", description)


def not_found() -> RestError:
    return legacy_error("Not found")
