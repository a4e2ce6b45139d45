"""Pure, typed normalizers for CRM data (phones, e-mails, names, INN, dates, money, ...).

See :mod:`cleaners._base` for the contract and :mod:`cleaners.registry` for the names that
mapping files use. This package imports nothing else of b24migrate.
"""

from cleaners._base import CleanerError, OnError, Severity, handle_error
from cleaners.registry import cleaner_names, get_cleaner, register

__all__ = [
    "CleanerError",
    "OnError",
    "Severity",
    "cleaner_names",
    "get_cleaner",
    "handle_error",
    "register",
]
