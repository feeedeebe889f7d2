"""``lienthong certify``: one vocabulary of outcomes and clean error paths. A run that could not
run exits 2 with one reason line, no traceback or pytest internals, and writes no certificate;
INCOMPLETE has its own exit code; an unused waiver is a note."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from lienthong.cli import main
from tests.side_by_side import lienthong, side_by_side

UNUSED_WAIVER = """\
- requirement: TR-ACK-DONE
  reason: the ack was late in release 4.1 (VND-7), fixed since
  expires: 2099-12-31
  approved_by: Trần Thị B, certification office
"""


def _certify(capfd: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    try:
        code = main(["certify", *args])
    except SystemExit as exc:  # argparse's way out, as the command line sees it
        code = int(exc.code or 0)
    out, err = capfd.readouterr()
    return code, out, err


def _could_not_run(code: int, out: str, err: str, reason: str) -> None:
    assert code == 2, out + err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("lienthong certify: could not run: "), lines[0]
    assert reason in lines[0]
    for leak in ("Traceback", "_pytest", "INTERNALERROR", "Exit:", "ERROR"):
        assert leak not in out + err


def _no_certificate(out_dir: Path) -> None:
    assert not list(out_dir.rglob("certificate.json")) if out_dir.exists() else True


def test_the_adapter_is_required(capfd: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = _certify(capfd, "--out", str(tmp_path))
    _could_not_run(code, out, err, "the adapter is required: give --adapter")
    _no_certificate(tmp_path)


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["--frobnicate"], "unrecognized arguments: --frobnicate"),
        (["--seed", "abc"], "argument --seed: invalid int value: 'abc'"),
        (["--require-signature", "maybe"], "'maybe' is not yes or no"),
        (["--profile", "everything"], "profile='everything' is not a profile"),
        (["--adapter", "http://127.0.0.1:9"], "organ_id is required"),
        (["--organ-id", "000.00.24.H44"], "not in the registry of agencies"),
        (["--mutant", "nope"], "nope"),
    ],
)
def test_bad_options_are_one_line(
    capfd: pytest.CaptureFixture[str], tmp_path: Path, args: list[str], reason: str
) -> None:
    if "--adapter" not in args:
        args = ["--adapter", "reference", *args]
    code, out, err = _certify(capfd, *args, "--out", str(tmp_path))
    _could_not_run(code, out, err, reason)
    _no_certificate(tmp_path)


def test_a_missing_or_broken_replay_file(capfd: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    missing = tmp_path / "scenarios" / "gone.json"
    code, out, err = _certify(
        capfd, "--adapter", "reference", "--replay", str(missing), "--out", str(tmp_path)
    )
    _could_not_run(code, out, err, f"replay='{missing}': no such file")
    broken = tmp_path / "broken.json"
    broken.write_text('{"format": "something else"}', "utf-8")
    code, out, err = _certify(
        capfd, "--adapter", "reference", "--replay", str(broken), "--out", str(tmp_path)
    )
    _could_not_run(code, out, err, "is not a lienthong-scenario")
    _no_certificate(tmp_path)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("- requirement: TR-ACK-DONE\n  reason: [unclosed\n", "is not valid YAML"),
        (UNUSED_WAIVER.replace("TR-ACK-DONE", "TR-ACK-DONNE"), "'TR-ACK-DONNE' names no"),
    ],
)
def test_a_bad_waivers_file(
    capfd: pytest.CaptureFixture[str], tmp_path: Path, text: str, reason: str
) -> None:
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text(text, "utf-8")
    out_dir = tmp_path / "out"
    code, out, err = _certify(
        capfd, "--adapter", "reference", "--waivers", str(waivers), "--out", str(out_dir)
    )
    _could_not_run(code, out, err, reason)
    assert not out_dir.exists()


def test_a_signing_key_readable_by_others(
    capfd: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    key = tmp_path / "key.pem"
    assert main(["keys", "create", "--signing-key", str(key)]) == 0
    os.chmod(key, 0o644)
    capfd.readouterr()
    code, out, err = _certify(
        capfd, "--adapter", "reference", "--signing-key", str(key), "--out", str(tmp_path)
    )
    _could_not_run(code, out, err, "chmod 600")


@pytest.mark.slow
def test_an_unreachable_axis(capfd: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = _certify(
        capfd, "--adapter", "reference", "--axis", "http://127.0.0.1:9", "--axis-token", "t",
        "--out", str(tmp_path),
    )  # fmt: skip
    _could_not_run(code, out, err, "the axis at 'http://127.0.0.1:9' does not answer")
    _no_certificate(tmp_path)


@pytest.mark.slow
def test_an_unreachable_sut(capfd: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = _certify(
        capfd, "--adapter", "http://127.0.0.1:9", "--organ-id", "000.00.00.H41",
        "--out", str(tmp_path),
    )  # fmt: skip
    _could_not_run(code, out, err, "cannot reach the SUT controller at 'http://127.0.0.1:9'")
    _no_certificate(tmp_path)


@pytest.mark.slow
def test_a_sut_too_slow_for_the_time_scale_is_told_the_largest_it_can_meet(
    capfd: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # No software answers two HTTP calls in 0.12 ms: 120 model s at a million times real time.
    code, out, err = _certify(
        capfd, "--adapter", "reference", "--time-scale", "1000000", "--out", str(tmp_path)
    )
    _could_not_run(code, out, err, "beyond the profile's poll bound of 120 model s")
    assert "the largest scale it can meet is " in err and "run again with --time-scale" in err
    _no_certificate(tmp_path)


@pytest.mark.slow
def test_a_partial_run_is_incomplete_with_its_own_exit_code(
    capfd: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, err = _certify(
        capfd, "--adapter", "reference", "--requirements", "TR-ACK-DONE",
        "--exploration-examples", "0", "--no-pdf", "--out", str(tmp_path),
    )  # fmt: skip
    assert code == 3, out + err
    assert "\nINCOMPLETE: " in out and "NOT CERTIFIED" not in out
    (certificate,) = tmp_path.rglob("certificate.json")
    assert json.loads(certificate.read_text("utf-8"))["verdict"] == "INCOMPLETE"


@pytest.mark.slow
def test_a_mutant_is_not_certified_and_named_everywhere(
    capfd: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, err = _certify(
        capfd, "--adapter", "reference", "--mutant", "never-ack", "--requirements",
        "TR-ACK-DONE", "--exploration-examples", "0", "--no-pdf", "--out", str(tmp_path),
    )  # fmt: skip
    assert code == 1, out + err
    assert "NOT CERTIFIED" in out and "TR-ACK-DONE" in out
    (folder,) = (p.parent for p in tmp_path.rglob("certificate.json"))
    certificate = json.loads((folder / "certificate.json").read_text("utf-8"))
    assert certificate["mutant"] == "never-ack"
    assert certificate["software"]["build"].endswith("+never-ack")
    html = (folder / "report.html").read_text("utf-8")
    assert "with mutant never-ack" in html.split("</title>")[0]
    junit = (folder / "junit.xml").read_text("utf-8")
    assert "with mutant never-ack" in junit
    index = json.loads((folder / "run.json").read_text("utf-8"))
    assert "with mutant never-ack" in index["title"]


def _certify_with_an_unused_waiver(home: Path) -> tuple[int, str, Path]:
    home.mkdir(parents=True)
    waivers = home / "waivers.yaml"
    waivers.write_text(UNUSED_WAIVER, "utf-8")
    code, printed = lienthong(
        "certify", "--adapter", "reference", "--profile", "receiver",
        "--exploration-examples", "0", "--waivers", str(waivers), "--no-pdf",
        "--out", str(home / "out"),
    )  # fmt: skip
    return code, printed, home / "out"


@pytest.mark.slow
@side_by_side(_certify_with_an_unused_waiver)
def test_an_unused_waiver_is_a_note_and_the_re_certification_goes_ahead(
    ran: list[tuple[int, str, Path]],
) -> None:
    ((code, out, out_dir),) = ran
    assert code == 0, out
    assert "CERTIFIED: all" in out
    assert "note: the waiver for TR-ACK-DONE excused nothing in this run" in out
    (folder,) = (p.parent for p in out_dir.rglob("certificate.json"))
    certificate = json.loads((folder / "certificate.json").read_text("utf-8"))
    assert certificate["waivers"]["unused"][0]["requirement"] == "TR-ACK-DONE"
    assert (folder / "waivers.yaml").read_text("utf-8") == UNUSED_WAIVER
