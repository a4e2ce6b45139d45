"""Loading of the YAML test vectors shared by the cleaner tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

VECTORS = Path(__file__).parent / "vectors"


def load_vectors() -> list[tuple[str, dict[str, Any]]]:
    """Every case of every vector file as ``(id, case)``; the case knows its target."""
    cases: list[tuple[str, dict[str, Any]]] = []
    for path in sorted(VECTORS.glob("*.yaml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        target = {k: document[k] for k in ("cleaner", "function") if k in document}
        defaults = document.get("options", {})
        for index, case in enumerate(document["cases"]):
            case = {**target, **case, "options": {**defaults, **case.get("options", {})}}
            cases.append((f"{path.stem}-{index}", case))
    return cases
