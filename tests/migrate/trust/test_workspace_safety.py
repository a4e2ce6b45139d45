"""The workspace and the terminal (issue #15): files private to the user, commands that run
without `fcntl` (Windows), no control character from the data on the terminal, and no
traceback when validation refuses every row of an entity."""

from __future__ import annotations

import json
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

from migrate.workspace.scaffold import init_workspace
from tests.migrate.plan.workspace import CONTACTS, make_workspace, write_csv
from tests.migrate.test_cli_load import run

_CONTROL = [chr(c) for c in (*range(9), *range(11, 32), 0x7F, 0x9B, 0x202E)]


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_workspace_is_private_to_the_user(tmp_path, capsys):
    code, _, err = run(capsys, "init", str(tmp_path / "w"), "--from", "amocrm")
    assert code == 0, err
    root = tmp_path / "w"
    assert {_mode(p) for p in (root, root / "mappings", root / "reports", root / ".b24migrate")} \
        == {0o700}  # fmt: skip
    assert {_mode(p) for p in (root / "migration.yaml", *(root / "mappings").iterdir())} == {0o600}


def test_what_commands_write_is_private_to_the_user(tmp_path, capsys):
    workspace = make_workspace(tmp_path / "w")  # written by hand, with the usual umask
    code, _, err = run(capsys, "plan", "-w", str(workspace.root), "--skip-refused", "--quiet")
    assert code == 0, err
    assert run(capsys, "load", "-w", str(workspace.root), "--quiet")[0] == 0
    written = [p for p in (workspace.root / ".b24migrate").rglob("*")]
    written += list((workspace.root / "reports").iterdir())
    assert any(p.name == "ledger.sqlite" for p in written)
    assert any(p.suffix == ".jsonl" for p in written)
    loose = {str(p.relative_to(workspace.root)): oct(_mode(p)) for p in written
             if _mode(p) & 0o077}  # fmt: skip
    assert loose == {}


def test_a_library_init_is_private_too(tmp_path):
    root = init_workspace(tmp_path / "w", "amocrm").workspace.root
    assert _mode(root / ".b24migrate") == 0o700
    assert _mode(root / "migration.yaml") == 0o600


_WITHOUT_FCNTL = """
import json, sys, types
sys.modules["fcntl"] = None  # as on Windows: `import fcntl` fails
import asyncio, subprocess  # they look for msvcrt to tell Windows: import them before the fake
calls = []
held = set()
fake = types.ModuleType("msvcrt")
fake.LK_NBLCK, fake.LK_UNLCK = 2, 0
def locking(fd, mode, nbytes):
    calls.append((mode, nbytes))
    if mode == fake.LK_NBLCK:
        if fd in held:
            raise OSError(36, "Resource deadlock avoided")
        held.add(fd)
    else:
        held.discard(fd)
fake.locking = locking
sys.modules["msvcrt"] = fake
from migrate.cli import main
codes = []
for args in (["plan", "--skip-refused", "--quiet"], ["load", "--quiet"], ["status", "--json"]):
    try:
        main([*args, "-w", sys.argv[1]])
        codes.append(0)
    except SystemExit as exc:
        codes.append(exc.code)
print(json.dumps({"codes": codes, "calls": calls}))
"""


def test_commands_run_without_fcntl_with_a_portable_lock(tmp_path):
    workspace = make_workspace(tmp_path / "w")
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(_WITHOUT_FCNTL),
                           str(workspace.root)], capture_output=True, text=True, timeout=300,
                          check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["codes"] == [0, 0, 0]
    assert result["calls"] == [[2, 1], [0, 1], [2, 1], [0, 1]]  # plan and load each lock once


def test_control_characters_from_the_data_never_reach_the_terminal(tmp_path, capsys):
    hostile = "\x1b[2J\x1b]0;pwned\x07Анна\x9b31m\u202eанна\x08\x0c"
    source = tmp_path / "contacts\x1b[31m.csv"
    rows = [f"{i},Пётр Петров {i},+7 916 111-22-{i:02d}" for i in range(2, 60)]  # mostly text
    source.write_text("\n".join([f"ID,Имя {hostile},Телефон", f"1,{hostile},+7 916 111-22-33",
                                  *rows]) + "\n", "utf-8")  # fmt: skip
    code, out, err = run(capsys, "inspect", str(source))
    assert code == 0, err
    assert "Анна" in out
    assert not [c for c in _CONTROL if c in out + err]
    code, out, err = run(capsys, "inspect", str(source), "--json")
    assert code == 0, err
    assert not [c for c in _CONTROL if c in out]  # escaped as \\uXXXX: the same data
    assert any(hostile.strip() in str(v) for v in _values(json.loads(out)))  # same data
    code, out, err = run(capsys, "inspect", str(tmp_path / "missing\x1b]0;x\x07.csv"))
    assert code == 2
    assert err.startswith("Error: ")
    assert not [c for c in _CONTROL if c in out + err]


def _values(data: object) -> list[object]:
    if isinstance(data, dict):
        return [v for x in data.values() for v in _values(x)]
    if isinstance(data, list):
        return [v for x in data for v in _values(x)]
    return [data]


def test_every_contact_row_refused_is_no_traceback(tmp_path, capsys):
    workspace = make_workspace(tmp_path / "w")
    write_csv(
        workspace.root / "data" / "contacts.csv",
        [CONTACTS[0], *(["", *row[1:]] for row in CONTACTS[1:])],
    )  # fmt: skip  (no keys)
    for command in ("dedupe", "report"):
        code, out, err = run(capsys, command, "-w", str(workspace.root))
        assert code == 0, err
        assert "Traceback" not in out + err
