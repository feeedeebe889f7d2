"""`lienthong sim`: runs write their files and report; the same seed writes the same bytes."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from lienthong.cli import main
from sim.output import METRIC_FILES

QUICK = [
    "--days", "1",
    "--set", "topology.scale=0.02",
    "--set", "start=2016-06-06",
    "--set", "engine.tick_seconds=300",
    "--jobs", "1",
    "--quiet",
]  # fmt: skip


def run(*argv: str) -> int:
    return main(["sim", *argv])


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_run_writes_metrics_profile_and_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "a"
    profile = tmp_path / "profile.csv"
    assert (
        run(
            "run",
            "baseline-2016",
            "-r",
            "2",
            "--seed",
            "7",
            "--out",
            str(out),
            "--profile",
            str(profile),
            *QUICK,
        )
        == 0
    )
    for name in (*METRIC_FILES, "report.html", "run.json"):
        assert (out / name).is_file(), name
    index = json.loads((out / "run.json").read_text("utf-8"))
    assert index["kind"] == "sim" and index["seed"] == 7 and index["index"] == "report.html"
    metrics = json.loads((out / "metrics.json").read_text("utf-8"))
    assert metrics["seeds"] == [7, 8]
    assert [r["seed"] for r in metrics["replications"]] == [7, 8]
    page = (out / "report.html").read_text("utf-8")
    assert page.count("data:image/png;base64,") == 5
    rows = read_csv(profile)
    assert {"system", "hour", "sends_per_hour", "downloads_per_hour", "polls_per_hour"} <= set(
        rows[0]
    )
    assert any(float(r["sends_per_hour"]) > 0 for r in rows)
    assert "electronic_share" in capsys.readouterr().out


def test_the_same_seed_writes_byte_identical_metric_files(tmp_path: Path) -> None:
    for name, seed in (("a", "7"), ("b", "7"), ("c", "8")):
        assert (
            run(
                "run",
                "baseline-2016",
                "-r",
                "1",
                "--seed",
                seed,
                "--out",
                str(tmp_path / name),
                "--no-report",
                *QUICK,
            )
            == 0
        )
    for name in METRIC_FILES:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    assert (tmp_path / "a" / "metrics.json").read_bytes() != (
        tmp_path / "c" / "metrics.json"
    ).read_bytes()


def test_sweep_and_compare(tmp_path: Path) -> None:
    assert (
        run(
            "sweep",
            "half-capacity",
            "--vary",
            "axis.servers=1,4",
            "-r",
            "1",
            "--out",
            str(tmp_path / "s"),
            *QUICK,
        )
        == 0
    )
    rows = read_csv(tmp_path / "s" / "sweep.csv")
    assert {r["variant"] for r in rows} == {"axis.servers=1", "axis.servers=4"}
    assert (tmp_path / "s" / "report.html").is_file()
    assert (
        run(
            "compare",
            "baseline-2016",
            "no-paper-dependence",
            "-r",
            "1",
            "--out",
            str(tmp_path / "c"),
            *QUICK,
        )
        == 0
    )
    assert (tmp_path / "c" / "a" / "metrics.json").is_file() and (
        tmp_path / "c" / "b" / "metrics.json"
    ).is_file()
    page = (tmp_path / "c" / "report.html").read_text("utf-8")
    assert "baseline-2016" in page and "no-paper-dependence" in page


def test_bad_input_gets_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("run", "no-such-scenario", "--quiet") == 2
    assert "no-such-scenario" in capsys.readouterr().err
    assert run("run", "baseline-2016", "--set", "axis.servers=0", "--quiet") == 2
    assert "axis.servers" in capsys.readouterr().err
    assert run("check", "two-tier-2025") == 0
    with pytest.raises(SystemExit):
        run("run", "baseline-2016", "--days", "0")
