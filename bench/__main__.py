"""Run every benchmark module (``bench/bench_*.py``), or those named on the command line."""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
import time
import traceback

import bench


def main() -> int:
    names = sorted(
        m.name for m in pkgutil.iter_modules(bench.__path__) if m.name.startswith("bench_")
    )
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "only", nargs="*", help=f"benchmarks to run (default all: {', '.join(names)})"
    )
    args = parser.parse_args()
    chosen = [n for n in names if not args.only or n in args.only or n[6:] in args.only]
    failed = []
    for name in chosen:
        print(f"\n=== {name} " + "=" * max(0, 70 - len(name)), flush=True)
        started = time.perf_counter()
        try:
            importlib.import_module(f"bench.{name}").main()
        except Exception:
            traceback.print_exc()
            failed.append(name)
        print(f"--- {name}: {time.perf_counter() - started:.1f} s", flush=True)
    if failed:
        print(f"\nfailed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
