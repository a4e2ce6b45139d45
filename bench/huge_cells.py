"""The functions that read a cell, fed 40,000-character cells: none may take more than ~50 ms.

``bench/regex_audit.py`` times each pattern alone; this times what the code does with a cell
(a pattern that backtracks on ``search`` is harmless when the code only calls ``fullmatch``,
and a loop around a cheap pattern can still be quadratic). Each function runs in a child
process with a time cap, so a hang is reported, not waited on.

    .venv/bin/python -m bench.huge_cells [--size 40000] [--cap 5] [--only NAME]
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing as mp
import time
from collections.abc import Callable
from typing import Any


def _units() -> list[str]:
    seps = " -./,;@+_:'\n()"
    units = [c for c in "aZя1 -.+@,;:/'\"()<>#\n\t=0"]
    units += [x + s for x in ("a", "я", "1", "A", "Я", "aa", "11", "a1", "+7") for s in seps]
    units += ["+7", "8(", "1 ", "a@", "@a", "a.b@", "ООО ", "ип ", "доб ", "ext1", "1.1.",
              "01.01.", "a-1", "1-a", "a1-", "ИНН", "mailto:", "http://a", "UF_CRM_", "C1:", "\\",
              "\\\\", "руб", "1,", "1.0", "0.", "1e", "ab", "иван ", "ович ", "ев", "«", "'1",
              "=1", ",a@a", "a@a, "]  # fmt: skip
    return units


def cells(size: int) -> list[tuple[str, str]]:
    out = []
    for unit in _units():
        body = unit * (size // len(unit))
        out.append((f"{unit!r}*n", body))
        out.append((f"{unit!r}*n+'!'", body + "!"))
    return out


def targets() -> dict[str, Callable[[str], Any]]:
    import cleaners
    import migrate.dedupe._normalise as norm
    import migrate.dedupe.blocking as blocking
    import migrate.dedupe.compare as compare
    import migrate.dedupe.infer as infer
    import migrate.inspect.profile as profile
    import migrate.plan._files as files
    import migrate.plan._owners as owners
    import migrate.plan._types as types
    import migrate.sources._header as header
    import migrate.workspace.cells as wcells
    from cleaners.registry import bind_cleaner, cleaner_names
    from mappings.escape import escape_value, unescape_value
    from migrate.ledger.reasons import failure_reason

    found: dict[str, Callable[[str], Any]] = {}
    for name in cleaner_names():
        with contextlib.suppress(Exception):  # needs options: the functions below cover it
            found[f"cleaner {name}"] = bind_cleaner(name)
    for name in ("phone_key", "email_key", "inn_key", "fio_key", "company_name_key", "legal_form",
                 "translit_key", "split_fio", "fix_mixed_script", "suggest_domain", "clean_emails",
                 "clean_phones", "parse_amount", "parse_datetime", "clean_company_name",
                 "clean_url", "clean_text", "bank_digits", "clean_inn", "clean_kpp", "clean_ogrn",
                 "clean_person_name", "clean_date", "clean_datetime", "clean_money"):  # fmt: skip
        found[f"cleaners.{name}"] = getattr(cleaners, name)
    for name in ("translit_key", "name_tokens", "company_key", "split_multi", "identifier_key",
                 "split_fio", "code_tokens"):  # fmt: skip
        found[f"dedupe.{name}"] = getattr(norm, name)
    for name, fn in blocking._SINGLE.items():
        found[f"blocking.{name}"] = fn
    for name in ("_text_key", "_date_key", "_number_key", "_ordinal"):
        found[f"compare.{name}"] = getattr(compare, name)
    found["compare._valid(email)"] = lambda v: compare._valid(v, "email")
    found["compare._valid(phone)"] = lambda v: compare._valid(v, "phone")
    found["compare._valid(inn)"] = lambda v: compare._valid(v, "inn")
    found["infer._role"] = lambda v: infer._role("Комментарий", [v] * 3, 1, 3, 3)
    found["infer._role(inn)"] = lambda v: infer._role("ИНН", [v] * 3, 1, 3, 3)
    found["profile.guess_kind"] = lambda v: profile.guess_kind("Комментарий", [v] * 3,
                                                               distinct=1, filled=3)  # fmt: skip
    found["profile._is_phone"] = profile._is_phone
    found["plan._types._decimal"] = lambda v: types._decimal(v, "money")
    found["plan._types._money"] = lambda v: types._money(v, "RUB")
    found["plan._types._date"] = types._date
    found["plan._types._datetime"] = types._datetime
    found["plan._owners.owner_key"] = owners.owner_key
    found["plan._files.split_paths"] = files.split_paths
    found["sources.detect_header_row"] = lambda v: header.detect_header_row([[v, v], ["1", "2"]])
    found["workspace.formula_safe_text"] = wcells.formula_safe_text
    found["escape_value"] = escape_value
    found["unescape_value"] = unescape_value
    found["ledger.failure_reason"] = failure_reason
    return found


def _run(fn: Callable[[str], Any], cases: list[tuple[str, str]], pipe: Any) -> None:
    worst = (0.0, "")
    for label, text in cases:
        pipe.send(label)
        start = time.perf_counter()
        with contextlib.suppress(Exception):  # a refusal is an answer: only time matters
            fn(text)
        took = time.perf_counter() - start
        worst = max(worst, (took, label))
    pipe.send(worst)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=40_000)
    parser.add_argument("--cap", type=float, default=5.0)
    parser.add_argument("--limit-ms", type=float, default=50.0)
    parser.add_argument("--only", default="")
    args = parser.parse_args()
    cases = cells(args.size)
    slow = []
    for name, fn in targets().items():
        if args.only and args.only not in name:
            continue
        remaining = list(cases)
        worst: tuple[float, str] = (0.0, "")
        hangs = []
        while remaining:  # after a hang, go on with the cases after it
            ours, theirs = mp.Pipe()
            child = mp.get_context("fork").Process(target=_run, args=(fn, remaining, theirs))
            child.start()
            at, done = -1, False
            deadline = time.monotonic() + args.cap
            while time.monotonic() < deadline:
                if ours.poll(0.1):
                    got = ours.recv()
                    if isinstance(got, tuple):
                        worst, done = max(worst, got), True
                        break
                    at += 1
                    deadline = time.monotonic() + args.cap
                elif not child.is_alive():
                    break
            child.kill()
            child.join()
            if done:
                break
            hangs.append(remaining[at][0])
            remaining = remaining[at + 1 :]
        bad = hangs or worst[0] * 1000 > args.limit_ms
        line = (f"{'SLOW' if bad else 'ok  '}  {name}: worst {worst[0] * 1000:.1f} ms [{worst[1]}]"
                + (f"; HANG >{args.cap:.0f}s on {', '.join(hangs)}" if hangs else ""))  # fmt: skip
        if bad:
            slow.append(line)
        print(line, flush=True)
    print(f"\n{len(slow)} slow or hanging:")
    print("\n".join(slow))


if __name__ == "__main__":
    main()
