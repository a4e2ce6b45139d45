"""Every regular expression in cleaners/, mappings/, migrate/ against 40,000-character cells.

Collects the patterns two ways: compiled ``re.Pattern`` objects reachable from module globals
(also inside dicts, lists, tuples: the date formats, the phone shapes…), and the literal
pattern of every ``re.<fn>("…")`` / ``.str.<fn>("…")`` call in the source (patterns written
inline in a function). Each runs ``search``, ``fullmatch`` and ``findall`` on adversarial
strings: one character repeated, a character and a separator alternating, strings built from
examples the pattern itself accepts (repeated, with a character it refuses appended). A
pattern runs in a child process with a time cap, so a hang is reported instead of waited on.

    .venv/bin/python -m bench.regex_audit [--size 40000] [--limit-ms 50] [--only SUBSTRING]
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import importlib
import multiprocessing as mp
import pkgutil
import re
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("cleaners", "mappings", "migrate")
_FUNCS = {"compile", "match", "search", "sub", "subn", "findall", "finditer", "split", "fullmatch"}
_STR_FUNCS = {"contains", "extract", "extractall", "replace", "match", "fullmatch", "findall",
              "split", "count"}  # fmt: skip
_CHARS = "aZя1 -._/+@,;:'\"()<>#\n\t="


def _walk(value: object, seen: set[int], depth: int = 0):
    if id(value) in seen or depth > 3:
        return
    seen.add(id(value))
    if isinstance(value, re.Pattern):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _walk(item, seen, depth + 1)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            yield from _walk(item, seen, depth + 1)


def collect() -> dict[tuple[object, int], str]:
    """``(pattern, flags) → where`` for every pattern found."""
    found: dict[tuple[object, int], str] = {}
    for package in PACKAGES:
        base = importlib.import_module(package)
        names = [package] + [m.name for m in pkgutil.walk_packages(base.__path__, package + ".")]
        for name in names:
            try:
                module = importlib.import_module(name)
            except Exception as error:  # a module needing an optional extra: say so
                print(f"skip {name}: {error}", file=sys.stderr)
                continue
            seen: set[int] = set()
            for attr, value in vars(module).items():
                for pattern in _walk(value, seen):
                    found.setdefault((pattern.pattern, pattern.flags), f"{name}.{attr}")
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                    continue
                owner, fn = node.func.value, node.func.attr
                is_re = isinstance(owner, ast.Name) and owner.id == "re" and fn in _FUNCS
                is_str = (
                    isinstance(owner, ast.Attribute) and owner.attr == "str" and fn in _STR_FUNCS
                )
                if not (is_re or is_str) or not node.args:
                    continue
                arg = node.args[0]
                if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str | bytes)):
                    continue
                if is_str and any(k.arg == "regex" and getattr(k.value, "value", True) is False
                                  for k in node.keywords):  # fmt: skip
                    continue
                flags = 0
                for k in node.keywords:
                    if k.arg == "flags" and isinstance(k.value, ast.Attribute):
                        flags |= getattr(re, k.value.attr)
                positional = fn in {"match", "search", "fullmatch", "findall", "finditer", "split"}
                if is_re and positional and len(node.args) >= 3:
                    flags |= getattr(re, getattr(node.args[2], "attr", ""), 0)
                try:
                    compiled = re.compile(arg.value, flags)
                except re.error:
                    continue
                key = (compiled.pattern, compiled.flags)
                found.setdefault(key, f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def _examples(pattern: re.Pattern, count: int = 12) -> list[str]:
    """Short strings the pattern accepts (from hypothesis), to build near-misses from."""
    if isinstance(pattern.pattern, bytes):
        return []
    try:
        from hypothesis import HealthCheck, given, settings
        from hypothesis import strategies as st
    except ImportError:
        return []
    out: list[str] = []

    @settings(max_examples=count, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(st.from_regex(pattern))
    def grab(text: str) -> None:
        out.append(text)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with contextlib.suppress(Exception):  # no example: the fixed strings still run
            grab()
    return [t for t in out if 0 < len(t) <= 200]


def adversarial(pattern: re.Pattern, size: int) -> list[tuple[str, str]]:
    cases: list[tuple[str, str]] = []
    for c in _CHARS:
        cases.append((f"{c!r}*n", c * size))
    for x in ("a", "я", "1", "A", "aa", "11", "a1", "+7"):
        for sep in " -./,;@+_:'\n":
            unit = x + sep
            cases.append((f"{unit!r}*n", unit * (size // len(unit))))
    cases.append(("'+7'*n", "+7" * (size // 2)))
    cases.append(("'1 '*n+'x'", "1 " * (size // 2) + "x"))
    for example in _examples(pattern):
        reps = max(1, size // len(example))
        cases.append((f"ex {example[:20]!r}*n+'!'", example * reps + "!"))
        cases.append((f"ex {example[:20]!r}*n+'\\x00'", example * reps + "\x00"))
        for c in set(example):
            cases.append((f"{c!r}*n (from ex)", c * size))
        if len(example) >= 2:
            cases.append((f"ex {example[:20]!r}[:-1]*n", example[:-1] * (size // len(example))))
    if isinstance(pattern.pattern, bytes):
        cases = [(label, text.encode("utf-8")) for label, text in cases]  # type: ignore[misc]
    unique: dict[object, str] = {}
    for label, text in cases:
        unique.setdefault(text, label)
    return [(label, text) for text, label in unique.items()]


def _run(pattern: re.Pattern, method: str, cases: list, progress) -> None:
    worst = (0.0, "")
    call = getattr(pattern, method)
    for label, text in cases:
        progress.send(("at", label))
        start = time.perf_counter()
        call(text)
        took = time.perf_counter() - start
        if took > worst[0]:
            worst = (took, label)
    progress.send(("done", worst))


def _measure(pattern: re.Pattern, method: str, cases: list, cap: float) -> tuple[float, str, bool]:
    """Worst time and case of one method; ``hung`` when the cap ran out (then at that case)."""
    ours, theirs = mp.Pipe()
    child = mp.get_context("fork").Process(target=_run, args=(pattern, method, cases, theirs))
    child.start()
    last = ""
    deadline = time.monotonic() + cap
    while time.monotonic() < deadline:
        if ours.poll(0.1):
            kind, value = ours.recv()
            if kind == "done":
                child.join()
                return value[0], value[1], False
            last = value
            deadline = time.monotonic() + cap  # the cap is per case
        elif not child.is_alive():
            break
    child.kill()
    child.join()
    return cap, last, True


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=40_000)
    parser.add_argument("--limit-ms", type=float, default=50.0)
    parser.add_argument(
        "--cap", type=float, default=20.0, help="seconds on one case before it is a hang"
    )
    parser.add_argument("--only", default="")
    args = parser.parse_args()
    found = collect()
    print(f"{len(found)} distinct patterns", flush=True)
    slow = []
    for key, where in sorted(found.items(), key=lambda kv: kv[1]):
        if args.only and args.only not in where:
            continue
        pattern = re.compile(key[0], key[1])  # type: ignore[call-overload]
        cases = adversarial(pattern, args.size)
        parts, bad = [], False
        for method in ("search", "fullmatch", "findall"):
            took, case, hung = _measure(pattern, method, cases, args.cap)
            over = hung or took * 1000 > args.limit_ms
            bad |= over
            shown = f">{args.cap:.0f}s HANG" if hung else f"{took * 1000:.1f}ms"
            parts.append(f"{method} {shown}" + (f" [{case}]" if over else ""))
        line = f"{'SLOW' if bad else 'ok  '}  {where}  {key[0]!r}  " + "; ".join(parts)
        if bad:
            slow.append(line)
        print(line, flush=True)
    print(f"\n{len(slow)} slow or hanging:")
    for line in slow:
        print(line)


if __name__ == "__main__":
    main()
