"""Run every benchmark module (``bench/*_bench.py``), or only those named on the command line."""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

import bench


def main(argv: list[str] | None = None) -> int:
    names = sorted(
        m.name for m in pkgutil.iter_modules(bench.__path__) if m.name.endswith("_bench")
    )
    parser = argparse.ArgumentParser(prog="python -m bench", description="lienthong benchmarks")
    parser.add_argument("only", nargs="*", choices=[*names, []], help="benchmark modules to run")
    args = parser.parse_args(argv)
    for name in args.only or names:
        print(f"\n##### {name}", flush=True)
        importlib.import_module(f"bench.{name}").main()
    return 0


if __name__ == "__main__":
    sys.exit(main())
