"""The walls between the rooms, read from the import graph (see docs/architecture.md).

Every ``import`` of every module of the four packages is read with :mod:`ast` (imports under
``if TYPE_CHECKING:`` included: a type a module names is still an arrow), and every forbidden
arrow fails the test with the importing file and line:

* ``cleaners`` imports nothing of ours; ``loaders`` nothing of ``migrate``; ``mappings`` nothing
  of ``migrate`` or ``loaders``.
* The sandbox portal and the REST client share no code (``loaders.sandbox`` ↔ the rest of
  ``loaders``), so that a bug on one side cannot hide in its mirror image on the other.
* The library never imports the command line (``migrate.cli``), and nothing but the command
  line imports the demo.
* Stages (prepare → dedupe → plan → load) never import a later stage, take only *types*
  (classes) from an earlier one — a stage never runs another stage — and never import the
  reports or the orchestrator (``migrate.run``). The readers (``migrate.sources``) are a library
  the prepare stage reads with, as tools do (stand-alone dedupe, `inspect`, the demo's sample).
* Reports render results and run nothing: from a stage they take only classes, and they never
  import the orchestrator.
* The rooms under the stages (readers, workspace, ledger, portal, and the shared errors,
  progress and issues) import no stage, report or orchestrator.
"""

from __future__ import annotations

import ast
import importlib
import inspect
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("cleaners", "loaders", "mappings", "migrate")
STAGES = ("migrate.prepare", "migrate.dedupe", "migrate.plan", "migrate.load")
BELOW_STAGES = (
    "migrate.sources", "migrate.workspace", "migrate.ledger", "migrate.portal", "migrate.errors",
    "migrate.progress", "migrate.issues",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Arrow:
    """``source`` imports ``name`` from module ``target`` (``name`` empty: the module itself)."""

    source: str
    target: str
    name: str
    file: str
    line: int

    def __str__(self) -> str:
        what = f"{self.target}.{self.name}" if self.name else self.target
        return f"{self.file}:{self.line}: {self.source} → {what}"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {
        _module_name(p): p
        for package in PACKAGES
        for p in sorted((ROOT / package).rglob("*.py"))
        if ".venv" not in p.parts
    }


MODULES = _modules()


def _arrows() -> list[Arrow]:
    out = []
    for module, path in MODULES.items():
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            file = str(path.relative_to(ROOT))
            if isinstance(node, ast.Import):
                out += [Arrow(module, a.name, "", file, node.lineno) for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*parent, *([base] if base else [])])
                for alias in node.names:
                    full = f"{base}.{alias.name}"
                    if full in MODULES:
                        out.append(Arrow(module, full, "", file, node.lineno))
                    else:
                        out.append(Arrow(module, base, alias.name, file, node.lineno))
    return [a for a in out if a.target.split(".")[0] in PACKAGES and a.target != a.source]


ARROWS = _arrows()


def _in(module: str, *rooms: str) -> bool:
    return any(module == r or module.startswith(r + ".") for r in rooms)


def _stage(module: str) -> int | None:
    return next((i for i, s in enumerate(STAGES) if _in(module, s)), None)


def _is_class(arrow: Arrow) -> bool:
    if not arrow.name:
        return False
    found = getattr(importlib.import_module(arrow.target), arrow.name, None)
    return inspect.isclass(found)


def _forbidden(rule) -> list[str]:
    return [str(a) for a in ARROWS if rule(a)]


def test_the_graph_is_read():
    """The reader sees the arrows it must judge (a broken reader would pass every rule)."""
    assert len(MODULES) > 150
    seen = {(a.source, a.target, a.name) for a in ARROWS}
    assert ("migrate.run._migration", "migrate.plan", "plan_workspace") in seen
    assert ("migrate.plan._run", "migrate.dedupe.stage", "DedupedTables") in seen
    assert any(a.source.startswith("migrate.cli.") and a.target == "migrate.run" for a in ARROWS)


def test_cleaners_import_nothing_of_ours():
    assert _forbidden(lambda a: _in(a.source, "cleaners") and not _in(a.target, "cleaners")) == []


def test_loaders_and_mappings_do_not_import_migrate():
    assert _forbidden(lambda a: _in(a.source, "loaders") and _in(a.target, "migrate")) == []
    assert (
        _forbidden(lambda a: _in(a.source, "mappings") and _in(a.target, "migrate", "loaders"))
        == []
    )


def test_the_sandbox_and_the_client_share_no_code():
    def crosses(a: Arrow) -> bool:
        if not _in(a.source, "loaders") or not _in(a.target, "loaders"):
            return False
        return _in(a.source, "loaders.sandbox") != _in(a.target, "loaders.sandbox")

    assert _forbidden(crosses) == []


def test_the_library_never_imports_the_command_line():
    entry = ("migrate.cli", "migrate.__main__")  # `python -m migrate` runs the command line
    demo_users = ("migrate.cli", "migrate.demo")

    def into_cli(a: Arrow) -> bool:
        return _in(a.target, "migrate.cli") and not _in(a.source, *entry)

    def into_demo(a: Arrow) -> bool:
        return _in(a.target, "migrate.demo") and not _in(a.source, *demo_users)

    assert _forbidden(into_cli) == []
    assert _forbidden(into_demo) == []


def test_a_stage_never_imports_a_later_stage():
    def later(a: Arrow) -> bool:
        source, target = _stage(a.source), _stage(a.target)
        return source is not None and target is not None and target > source

    assert _forbidden(later) == []


def test_a_stage_takes_only_types_from_an_earlier_stage():
    def runs(a: Arrow) -> bool:
        source, target = _stage(a.source), _stage(a.target)
        return source is not None and target is not None and target < source and not _is_class(a)

    assert _forbidden(runs) == []


def test_stages_write_no_report_and_never_call_the_orchestrator():
    assert (
        _forbidden(
            lambda a: (
                _stage(a.source) is not None and _in(a.target, "migrate.reports", "migrate.run")
            )
        )
        == []
    )


def test_reports_render_results_and_run_nothing():
    def runs(a: Arrow) -> bool:
        if not _in(a.source, "migrate.reports"):
            return False
        if _in(a.target, "migrate.run", "migrate.cli"):
            return True
        return _stage(a.target) is not None and not _is_class(a)

    assert _forbidden(runs) == []


def test_the_rooms_below_the_stages_import_no_stage_report_or_orchestrator():
    def upward(a: Arrow) -> bool:
        return _in(a.source, *BELOW_STAGES) and (
            _stage(a.target) is not None or _in(a.target, "migrate.reports", "migrate.run")
        )

    assert _forbidden(upward) == []


@pytest.mark.parametrize(
    "rule",
    [
        test_a_stage_takes_only_types_from_an_earlier_stage,
        test_reports_render_results_and_run_nothing,
    ],
)
def test_the_rules_catch_a_forbidden_arrow(rule, monkeypatch):
    """Each rule fails on the arrow it forbids (a rule that cannot fail proves nothing)."""
    bad = {
        test_a_stage_takes_only_types_from_an_earlier_stage: Arrow(
            "migrate.plan._run", "migrate.prepare.stage", "prepare", "x.py", 1
        ),
        test_reports_render_results_and_run_nothing: Arrow(
            "migrate.reports.summary_build", "migrate.prepare.stage", "prepare", "x.py", 1
        ),
    }[rule]
    monkeypatch.setattr(__import__(__name__, fromlist=["ARROWS"]), "ARROWS", [*ARROWS, bad])
    with pytest.raises(AssertionError):
        rule()
