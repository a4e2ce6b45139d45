"""Pure, typed normalizers for CRM data (phones, e-mails, names, INN, dates, money, ...).

See :mod:`cleaners._base` for the contract and :mod:`cleaners.registry` for the names that
mapping files use (``clean: [phone]``, ``clean: [{phone: {region: KZ}}]``). This package
imports nothing else of b24migrate.

Match keys (:mod:`cleaners.keys`, the one rule used by cleaning, dedupe and the plan's matching
of portal records): :func:`phone_key`, :func:`email_key`, :func:`inn_key`, :func:`fio_key`;
and for dedupe :func:`company_name_key`, :func:`legal_form`, :func:`translit_key`,
:func:`split_fio`, :func:`fix_mixed_script`.
"""

from cleaners._base import CleanerError, OnError, Severity, handle_error
from cleaners.bank import account_key_ok, bank_digits
from cleaners.companies import clean_company_name, company_name_key, legal_form
from cleaners.dates import Reading, clean_date, clean_datetime, parse_datetime
from cleaners.emails import clean_email, clean_emails, suggest_domain
from cleaners.ids import clean_inn, clean_kpp, clean_ogrn, clean_ogrnip
from cleaners.keys import email_key, fio_key, inn_is_valid, inn_key, phone_key
from cleaners.lookalikes import fix_mixed_script
from cleaners.money import (
    CURRENCY_ALIASES,
    clean_currency,
    clean_decimal,
    clean_money,
    parse_amount,
)
from cleaners.names import clean_person_name, is_patronymic, split_fio
from cleaners.phones import clean_phone, clean_phones
from cleaners.registry import (
    REQUIRED,
    bind_cleaner,
    cleaner_names,
    cleaner_options,
    get_cleaner,
    register,
)
from cleaners.translit import translit_key
from cleaners.values import clean_boolean, clean_enum, clean_text, clean_url

__all__ = [
    "CURRENCY_ALIASES",
    "REQUIRED",
    "CleanerError",
    "OnError",
    "Reading",
    "Severity",
    "account_key_ok",
    "bank_digits",
    "bind_cleaner",
    "clean_boolean",
    "clean_company_name",
    "clean_currency",
    "clean_date",
    "clean_datetime",
    "clean_decimal",
    "clean_email",
    "clean_emails",
    "clean_enum",
    "clean_inn",
    "clean_kpp",
    "clean_money",
    "clean_ogrn",
    "clean_ogrnip",
    "clean_person_name",
    "clean_phone",
    "clean_phones",
    "clean_text",
    "clean_url",
    "cleaner_names",
    "cleaner_options",
    "company_name_key",
    "email_key",
    "fio_key",
    "fix_mixed_script",
    "get_cleaner",
    "handle_error",
    "inn_is_valid",
    "inn_key",
    "is_patronymic",
    "legal_form",
    "parse_amount",
    "parse_datetime",
    "phone_key",
    "register",
    "split_fio",
    "suggest_domain",
    "translit_key",
]
