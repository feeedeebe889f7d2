"""``lienthong load`` and ``lienthong front-page`` as a user meets them: durations in locust's
style, refusals before anything runs (an axis not on 127.0.0.1, a missing token or profile),
the plan written for locust's own command line, and the load package's public surface, which
never drags gevent into the harness's process."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import pytest

import load
from lienthong.cli import main
from lienthong.cmd_load import parse_duration


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("60", 60.0), ("45s", 45.0), ("2m", 120.0), ("1h30m", 5400.0), ("1m30s", 90.0), ("0.5", 0.5)],
)
def test_durations_are_read_as_locust_writes_them(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "soon", "0", "5x", "m"])
def test_a_bad_duration_is_refused_with_an_example(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError, match="60s"):
        parse_duration(text)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--axis", "http://10.0.0.5:8800", "--admin-token", "t"], "127.0.0.1 only"),
        (["--axis", "http://127.0.0.1:9"], "admin_token is required"),
        (["--profile", "no-such-profile.csv"], "cannot be read"),
        (["--users", "1"], "at least 2"),
    ],
)
def test_a_run_that_cannot_be_made_exits_2_before_starting(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert main(["load", "--quiet", "--out", str(tmp_path), *argv]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "load").exists()


def test_the_plan_for_locusts_command_line_names_target_and_credentials(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "plan.json"
    argv = ["load", "--write-plan", str(path), "--target", "http://axis.test:8080", "--users", "3"]
    assert main([*argv, "--scale", "20", "--run-time", "2m", "--seed", "4"]) == 0
    plan = load.LoadPlan.read(path)
    assert plan.axis_url == "http://axis.test:8080" and plan.send_seconds == 120.0
    assert len(plan.slots) == 3 and plan.scale == 20.0
    out = capsys.readouterr().out
    for slot in plan.slots:
        assert f"{slot.system_id}  {slot.secret}" in out
    assert json.loads(path.read_text("utf-8"))["format"] == "lienthong-load-plan"


def test_front_page_command_builds_the_page(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["front-page", "--out", str(tmp_path)]) == 0
    assert (tmp_path / "index.html").is_file()
    assert "0 runs listed" in capsys.readouterr().out


def test_the_public_surface_is_listed_and_keeps_gevent_out() -> None:
    assert len(set(load.__all__)) == len(load.__all__)
    assert all(hasattr(load, name) for name in load.__all__)
    assert {"run_load", "LoadOptions", "national_2022", "run_checks"} <= set(load.__all__)
    probe = "import load, sys; print(sorted({'gevent', 'locust'} & set(sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_the_run_settings_live_apart_from_the_runner() -> None:
    """No import cycle: the summary reads the run's settings from load.options, never from
    load.runner (which imports the summary), not even for type checking."""
    import ast

    def imported(module: str) -> set[str]:
        path = Path(load.__file__).parent / f"{module}.py"
        tree = ast.parse(path.read_text("utf-8"))
        return {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}

    assert "load.runner" not in imported("summary")
    assert not {"load.runner", "load.summary"} & imported("options")
    assert "load.summary" in imported("runner")
    assert load.LoadOptions.__module__ == "load.options"


def test_the_summary_says_which_hour_of_the_profile_was_played_and_at_what_scale() -> None:
    from lienthong.cmd_load import played

    profile = {"name": "traffic_profile", "hour": 9, "hour_label": "09:00", "hours": 24,
               "peak_hour": 9, "scale": 10.0}  # fmt: skip
    assert played(profile) == (
        "played hour 9 (09:00) of profile 'traffic_profile' (its busiest of 24 hours) at 10x "
        "its volume"
    )
    assert "chosen with --hour" in played({**profile, "hour": 3, "hour_label": "03:00"})
