"""Pure, typed normalizers for CRM data (phones, e-mails, names, INN, dates, money, ...).

See :mod:`cleaners._base` for the contract and :mod:`cleaners.registry` for the names that
mapping files use (``clean: [phone]``, ``clean: [{phone: {region: KZ}}]``). This package
imports nothing else of b24migrate.

Match-key helpers for dedupe: :func:`company_name_key`, :func:`legal_form`,
:func:`translit_key`, :func:`split_fio`, :func:`fix_mixed_script`.
"""

from cleaners._base import CleanerError, OnError, Severity, handle_error
from cleaners.companies import clean_company_name, company_name_key, legal_form
from cleaners.emails import clean_email, clean_emails, suggest_domain
from cleaners.lookalikes import fix_mixed_script
from cleaners.names import clean_person_name, is_patronymic, split_fio
from cleaners.phones import clean_phone, clean_phones
from cleaners.registry import cleaner_names, get_cleaner, register
from cleaners.translit import translit_key

__all__ = [
    "CleanerError",
    "OnError",
    "Severity",
    "clean_company_name",
    "clean_email",
    "clean_emails",
    "clean_person_name",
    "clean_phone",
    "clean_phones",
    "cleaner_names",
    "company_name_key",
    "fix_mixed_script",
    "get_cleaner",
    "handle_error",
    "is_patronymic",
    "legal_form",
    "register",
    "split_fio",
    "suggest_domain",
    "translit_key",
]
