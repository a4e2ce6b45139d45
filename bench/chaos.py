"""The chaos run at full size: the whole amoCRM sample, a served faulty sandbox, 20 SIGKILLs.

Faults: 5 % 503, 2 % 500, 2 % replies dropped after the commit, 1 % timeouts (+1 % expired
tokens with --oauth). Prints the figures and `lost=N duplicated=N`. Noisy on a shared machine.

    python bench/chaos.py [--kills 20] [--rows N] [--oauth]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.migrate.load.chaos import run_chaos


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--rows", type=int, default=None, help="first N rows per entity")
    parser.add_argument("--oauth", action="store_true")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        result = run_chaos(
            Path(tmp), kills=args.kills, rows=args.rows, seed=args.seed, oauth=args.oauth
        )
    print(f"planned={dict(result.planned)} found={dict(result.found)}")
    print(f"blocked by the plan (not loadable)={dict(result.blocked)}")
    print(
        f"kills={result.kills} left_sending_after_kills={result.left_sending} "
        f"faults={result.faults} failed={result.failed} wrong_refs={result.wrong_refs} "
        f"seconds={result.seconds:.0f}"
    )
    print(result.line())


if __name__ == "__main__":
    main()
