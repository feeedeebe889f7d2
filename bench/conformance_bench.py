"""Conformance suite timings: a full-profile certification of the reference SUT (target
≤ 30 s wall), against a minimal run in the same process (the axis, the reference SUT and one
test: the fixed cost of any run), and the mutant sweep as CI runs it (every mutant certified
on the requirements it must fail, two processes at a time).

``LIENTHONG_BENCH_FULL_SWEEP=1`` also times the sweep with every mutant on the full profile.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

from tqdm import tqdm

TARGET_FULL_S = 30.0
WORKERS = 4  # a certification mostly waits for model time: four overlap on two cores


def _certify(out: str, **settings: object) -> tuple[str, float]:
    from conformance.certify import run
    from conformance.settings import CertifySettings

    started = time.perf_counter()
    # The bench prints its own lines; each run's pytest output goes nowhere.
    with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink):
        key = Path(out) / "signing-key.pem"
        settings = {"adapter": "reference", "out_dir": Path(out), "signing_key": key, **settings}
        result = run(CertifySettings(**settings))  # type: ignore[arg-type]
    verdict = result.verdict.value if result.verdict else result.message
    return verdict, time.perf_counter() - started


def _mutant(name: str, out: str, full: bool) -> tuple[str, str, float]:
    from conformance.mutants import mutant

    m = mutant(name)
    options: dict[str, object] = {"mutant": name, "profile": "full" if full else m.profile}
    if not full:
        options |= {"requirements": m.fails, "exploration_examples": 0}
    verdict, seconds = _certify(out, **options)
    return name, verdict, seconds


def _sweep(out: str, *, full: bool) -> tuple[float, list[tuple[str, str, float]]]:
    from conformance.mutants import MUTANTS

    started = time.perf_counter()
    done = []
    with ProcessPoolExecutor(WORKERS) as pool:
        futures = [pool.submit(_mutant, m.name, out, full) for m in MUTANTS]
        label = "full-profile sweep" if full else "mutant sweep"
        for future in tqdm(as_completed(futures), total=len(futures), desc=label, leave=False):
            done.append(future.result())
    return time.perf_counter() - started, sorted(done)


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="conformance-bench-") as out:
        _, baseline = _certify(out, requirements=("TR-POLL-EDOC",), exploration_examples=0)
        verdict, full = _certify(out)
        print(f"minimal run (axis + reference SUT + 1 test): {baseline:6.1f} s  (baseline)")
        print(
            f"full profile, reference SUT:                 {full:6.1f} s  "
            f"({full / baseline:.1f}x baseline; {verdict}; target <= {TARGET_FULL_S:g} s: "
            f"{'met' if full <= TARGET_FULL_S else 'MISSED'})"
        )
        sweeps = [False] + ([True] if os.environ.get("LIENTHONG_BENCH_FULL_SWEEP") else [])
        for full_sweep in sweeps:
            wall, rows = _sweep(out, full=full_sweep)
            escaped = [name for name, v, _ in rows if v != "NOT CERTIFIED"]
            slowest = max(rows, key=lambda r: r[2])
            kind = "full profile" if full_sweep else "focused, as CI runs it"
            print(
                f"mutant sweep ({kind}), {len(rows)} mutants on {WORKERS} processes: "
                f"{wall:6.1f} s wall  ({wall / baseline:.1f}x baseline; slowest "
                f"{slowest[0]} {slowest[2]:.1f} s; escaped: {escaped or 'none'})"
            )


if __name__ == "__main__":
    main()
