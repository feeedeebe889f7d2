"""`lienthong sim`: runs write their files and report; the same seed writes the same bytes;
comparisons and sweeps print paired differences with intervals; numbers are for people."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

from lienthong.cli import main
from sim.catalogue import METRICS
from sim.output import METRIC_FILES

QUICK = [
    "--days", "1",
    "--set", "topology.scale=0.02",
    "--set", "start=2016-06-06",
    "--set", "warmup_days=1",
    "--set", "engine.tick_seconds=300",
    "--jobs", "1",
    "--quiet",
]  # fmt: skip


def run(*argv: str) -> int:
    return main(["sim", *argv])


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.mark.slow
def test_run_writes_metrics_profile_and_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "a"
    profile = tmp_path / "profile.csv"
    argv = ["run", "baseline-2016", "-r", "2", "--seed", "7", "--out", str(out)]
    assert run(*argv, "--profile", str(profile), *QUICK) == 0
    for name in (*METRIC_FILES, "report.html", "run.json"):
        assert (out / name).is_file(), name
    index = json.loads((out / "run.json").read_text("utf-8"))
    assert index["kind"] == "sim" and index["seed"] == 7 and index["index"] == "report.html"
    metrics = json.loads((out / "metrics.json").read_text("utf-8"))
    assert metrics["seeds"] == [7, 8]
    assert [r["seed"] for r in metrics["replications"]] == [7, 8]
    assert set(metrics["summary"]) == {m.name for m in METRICS}
    page = (out / "report.html").read_text("utf-8")
    assert page.count("data:image/png;base64,") == 6
    rows = read_csv(profile)
    assert {"system", "hour", "sends_per_hour", "downloads_per_hour", "polls_per_hour"} <= set(
        rows[0]
    )
    assert any(float(r["sends_per_hour"]) > 0 for r in rows)
    printed = capsys.readouterr().out
    assert "the planner's answers" in printed and "bottleneck:" in printed
    assert "share delivered electronically" in printed
    # numbers for people: percent, thousands separators, no exponents
    assert re.search(r"\d+\.\d %", printed) and re.search(r"\d{1,3},\d{3}", printed)
    assert not re.search(r"\de[+-]\d", printed)


@pytest.mark.slow
def test_the_same_seed_writes_byte_identical_metric_files(tmp_path: Path) -> None:
    for name, seed in (("a", "7"), ("b", "7"), ("c", "8")):
        argv = ["run", "baseline-2016", "-r", "1", "--seed", seed]
        assert run(*argv, "--out", str(tmp_path / name), "--no-report", *QUICK) == 0
    for name in METRIC_FILES:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    assert (tmp_path / "a" / "metrics.json").read_bytes() != (
        tmp_path / "c" / "metrics.json"
    ).read_bytes()


@pytest.mark.slow
def test_compare_reports_paired_differences_for_a_slipped_phase(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "c"
    argv = ["compare", "baseline-2016", "baseline-2016", "-r", "3", "--out", str(out)]
    argv += ["--set-b", "phases.phase-2-2016.shift_days=30"]
    assert run(*argv, *QUICK) == 0
    printed = capsys.readouterr().out
    assert "phases.phase-2-2016.shift_days=30" in printed
    assert "B - A" in printed and "[" in printed
    # a month's slip of phase 2 in June 2016 costs electronic share, significantly
    line = next(x for x in printed.splitlines() if "share delivered electronically " in x)
    assert line.startswith("*") and " pp [" in line
    rows = {r["metric"]: r for r in read_csv(out / "differences.csv")}
    assert set(rows) == {m.name for m in METRICS}
    assert float(rows["electronic_share"]["difference"]) < 0
    assert rows["electronic_share"]["significant"] == "True"
    assert float(rows["paper_letters"]["difference"]) > 0
    for name in ("axis_office_utilisation", "axis_wait_p95_s", "axis_queue_max"):
        assert name in rows  # the axis's figures are compared too
    assert (out / "a" / "metrics.json").is_file() and (out / "b" / "metrics.json").is_file()
    page = (out / "report.html").read_text("utf-8")
    assert "What if the plan changes" in page and "★" in page


@pytest.mark.slow
def test_sweep_reports_each_variant_against_the_first(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "s"
    argv = ["sweep", "half-capacity", "--vary", "axis.servers=1,4", "-r", "2", "--out", str(out)]
    assert run(*argv, *QUICK) == 0
    rows = read_csv(out / "sweep.csv")
    assert {r["variant"] for r in rows} == {"axis.servers=1", "axis.servers=4"}
    differences = read_csv(out / "differences.csv")
    assert {r["variant"] for r in differences} == {"axis.servers=4"}
    by_metric = {r["metric"]: r for r in differences}
    assert float(by_metric["axis_capacity_per_s"]["difference"]) > 0
    assert float(by_metric["axis_office_utilisation"]["difference"]) < 0
    printed = capsys.readouterr().out
    assert "axis.servers=4 - axis.servers=1" in printed
    assert (out / "report.html").is_file()


def test_a_fixed_schedule_and_a_warning_for_an_event_outside_the_window(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["run", "axis-outage-day", "-r", "2", "--fixed-schedule", "--no-report"]
    assert run(*argv, "--out", str(tmp_path / "o"), *QUICK) == 0
    err = capsys.readouterr().err
    assert "warning: axis.outages[0]" in err and "outside the simulated window" in err
    metrics = json.loads((tmp_path / "o" / "metrics.json").read_text("utf-8"))
    assert ["rollout.schedule_seed", 2016] in metrics["overrides"]


@pytest.mark.slow
def test_a_run_without_out_goes_under_the_reports_folder_with_its_front_page(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["run", "baseline-2016", "-r", "1", "--seed", "5", "--reports", str(tmp_path)]
    assert run(*argv, *QUICK) == 0
    [folder] = (tmp_path / "sim").iterdir()
    assert folder.name.endswith("-seed5")
    assert (folder / "report.html").is_file() and (folder / "metrics.json").is_file()
    front = (tmp_path / "index.html").read_text("utf-8")
    assert f"sim/{folder.name}/report.html" in front
    assert f"written to {folder}" in capsys.readouterr().out


def test_bad_input_gets_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("run", "no-such-scenario", "--quiet") == 2
    assert "no-such-scenario" in capsys.readouterr().err
    assert run("run", "baseline-2016", "--set", "axis.servers=0", "--quiet") == 2
    assert "axis.servers" in capsys.readouterr().err
    assert run("run", "baseline-2016", "--set", "phases.phase-9.shift_days=3", "--quiet") == 2
    err = capsys.readouterr().err
    assert "phases.phase-9" in err and "phase-2-2016" in err and "Traceback" not in err
    assert run("check", "two-tier-2025") == 0
    with pytest.raises(SystemExit):
        run("run", "baseline-2016", "--days", "0")
