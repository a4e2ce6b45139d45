"""Replay the recorded cases against a served portal and print one line per case.

``python -m tests.loaders.sandbox.recorded http://127.0.0.1:8024/rest/1/secret/ [-k NAME]``

Cases that need portal settings (``portal``) or change portal-wide state (``isolated``) are
skipped: they need a portal of their own (the pytest form serves one for each).
"""

from __future__ import annotations

import argparse
import sys

from tests.loaders.sandbox.recorded.replay import Served, SetupFailed, load_cases, replay


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("webhook", help="the portal's webhook URL, ending in /rest/USER/CODE/")
    parser.add_argument("-k", default="", help="only cases whose id contains this text")
    args = parser.parse_args(argv)
    target = Served(args.webhook)
    failed = skipped = 0
    for case in load_cases():
        if args.k not in case.id:
            continue
        if case.portal or case.isolated:
            skipped += 1
            continue
        try:
            problems = replay(case, target)
        except SetupFailed as exc:
            problems = [str(exc)]
        failed += bool(problems)
        print(f"{'FAIL' if problems else 'ok  '} {case.id}")
        for problem in problems:
            print(f"       {problem}")
    target.close()
    print(f"{failed} failed, {skipped} skipped (need a portal of their own)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
