"""`lienthong board`: import (refusals with the reason, nothing stored), status and its exit
codes, plans with their errors, diff, deploy, decide, forecast, simulate and export; one clear
line and exit 2 when it cannot run, never a traceback."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

from board.registry import open_registry
from lienthong import cmd_board
from lienthong.cli import main
from tests.board.helpers import BINH_DINH, EOFFICE_NEXT, Signer, write_run

AS_OF = ["--as-of", "2016-03-01"]
JUDGING = {"status", "simulate", "forecast", "serve", "export"}  # the actions that take --as-of
WAVE = "name: wave-a\nstart: 2016-03-07\nend: 2016-03-31\nmembers: [000.00.00.H08]\n"


@pytest.fixture
def env(tmp_path: Path, signer: Signer) -> dict[str, object]:
    keys = tmp_path / "keys"
    signer.public_key_file(keys)
    return {
        "opts": [
            "--registry",
            str(tmp_path / "board.sqlite"),
            "--trusted-keys",
            str(keys),
            "--as",
            "Nguyễn Văn A",
        ],
        "registry": tmp_path / "board.sqlite",
        "tmp": tmp_path,
    }


def board(env: dict[str, object], *argv: str) -> int:
    """``lienthong board ARGV`` on the test's registry and keys, judged on 1 March 2016."""
    judged = AS_OF if argv[0] in JUDGING else []
    return main(["board", *argv, *env["opts"], *judged])  # type: ignore[misc]


def test_import_refuses_forged_and_untrusted_and_stores_nothing_for_them(
    env: dict[str, object], signer: Signer, capsys: pytest.CaptureFixture[str]
) -> None:
    tmp: Path = env["tmp"]  # type: ignore[assignment]
    good = signer.file(tmp / "good")
    forged_doc = signer.document()
    forged_doc["software"]["build"] = "not-what-was-certified"
    forged = write_run(tmp / "forged", forged_doc)
    untrusted = Signer().file(tmp / "untrusted")
    assert board(env, "import", str(good), str(forged), str(untrusted)) == 1
    out = capsys.readouterr().out
    assert "REFUSED " + str(forged) + " (invalid)" in out
    assert "REFUSED " + str(untrusted) + " (untrusted)" in out
    assert "changed after it was signed" in out and "not trusted" in out
    assert "1 imported or already present, 2 refused" in out
    with open_registry(env["registry"]) as registry:  # type: ignore[arg-type]
        assert len(registry.certificates_of(BINH_DINH.organ_id)) == 1
        assert [e.action for e in registry.audit()] == ["deploy", "import", "create"]
        assert registry.audit()[0].who == "Nguyễn Văn A"
    assert board(env, "import", str(good)) == 0
    assert "already in the registry, unchanged" in capsys.readouterr().out


def test_status_json_and_exit_codes_follow_readiness(
    env: dict[str, object], signer: Signer, capsys: pytest.CaptureFixture[str]
) -> None:
    tmp: Path = env["tmp"]  # type: ignore[assignment]
    (tmp / "wave.yaml").write_text(WAVE, "utf-8")
    assert board(env, "plan", str(tmp / "wave.yaml")) == 0
    assert "plan wave-a loaded: 1 members" in capsys.readouterr().out
    assert board(env, "status", "--phase", "wave-a") == 1
    out = capsys.readouterr().out
    assert "BLOCKED" in out and "[no-certificate]" in out
    assert board(env, "import", str(signer.file(tmp / "c"))) == 0
    capsys.readouterr()
    assert board(env, "status", "--phase", "wave-a", "--json") == 0
    [phase] = json.loads(capsys.readouterr().out)
    assert phase["plan"] == "wave-a" and phase["ready"] and phase["as_of"] == "2016-03-01"
    [member] = phase["agencies"]
    assert member["organ_id"] == BINH_DINH.organ_id and member["state"] == "ready"
    assert member["certificate"]["software"]["build"] == "git-9f2c1e"
    # A new build in production needs re-certification.
    assert board(
        env, "deploy", BINH_DINH.organ_id, "--vendor", EOFFICE_NEXT.vendor, "--product",
        EOFFICE_NEXT.product, "--version", EOFFICE_NEXT.version, "--build", str(EOFFICE_NEXT.build),
    ) == 0  # fmt: skip
    capsys.readouterr()
    assert board(env, "status", "--phase", "wave-a") == 1
    assert "[wrong-build]" in capsys.readouterr().out
    assert board(env, "status") == 0
    assert "wave-a" in capsys.readouterr().out


def test_plan_errors_name_the_line_and_exit_2(
    env: dict[str, object], capsys: pytest.CaptureFixture[str]
) -> None:
    tmp: Path = env["tmp"]  # type: ignore[assignment]
    (tmp / "bad.yaml").write_text(WAVE.replace("000.00.00.H08", "000.00.00.H99"), "utf-8")
    assert board(env, "plan", str(tmp / "bad.yaml")) == 2
    err = capsys.readouterr().err
    assert "members[0] (line 4)" in err and "Traceback" not in err
    assert board(env, "plan", str(tmp / "missing.yaml")) == 2
    assert "cannot read plan" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["status", "--phase", "nope"], "plan 'nope' is not in the registry"),
        (["forecast", "nope"], "plan 'nope' is not in the registry"),
        (["decide", "phase-1-2016", "000.00.00.H44", "--fix-days", "3"], "not a member"),
        (
            [
                "deploy",
                "000.00.00.H99",
                "--vendor",
                "v",
                "--product",
                "p",
                "--version",
                "1",
                "--build",
                "b",
            ],
            "no agency",
        ),
    ],
)
def test_errors_are_one_line_and_exit_2(
    env: dict[str, object], capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    assert board(env, *argv) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_a_file_that_is_not_a_registry(
    env: dict[str, object], capsys: pytest.CaptureFixture[str]
) -> None:
    tmp: Path = env["tmp"]  # type: ignore[assignment]
    junk = tmp / "junk.sqlite"
    junk.write_bytes(b"no database here" * 64)
    assert main(["board", "status", "--registry", str(junk)]) == 2
    assert "not a board registry" in capsys.readouterr().err


def test_a_broken_trusted_key_is_an_error(
    env: dict[str, object], capsys: pytest.CaptureFixture[str]
) -> None:
    tmp: Path = env["tmp"]  # type: ignore[assignment]
    bad = tmp / "bad.pem"
    bad.write_text("garbage", "utf-8")
    assert (
        main(["board", "status", "--registry", str(tmp / "r.sqlite"), "--trusted-key", str(bad)])
        == 2
    )
    assert "not a PEM public key" in capsys.readouterr().err


def test_diff_decide_forecast(
    env: dict[str, object], signer: Signer, capsys: pytest.CaptureFixture[str]
) -> None:
    tmp: Path = env["tmp"]  # type: ignore[assignment]
    a = signer.file(tmp / "a")
    b = signer.file(tmp / "b", software=EOFFICE_NEXT, verdict="NOT CERTIFIED")
    assert board(env, "diff", str(a), str(b)) == 0
    out = capsys.readouterr().out
    assert "git-9f2c1e  →  git-77aa01" in out and "5/5 (0 waived)  →  4/5 (0 waived)" in out
    assert "newly failed (1): LC-NO-REPEAT" in out
    untrusted = Signer().file(tmp / "u")
    assert board(env, "diff", str(a), str(untrusted)) == 2
    assert "untrusted" in capsys.readouterr().err
    assert (
        board(
            env,
            "decide",
            "phase-1-2016",
            "H19",
            "--expected-ready",
            "2016-04-11",
            "--fix-days",
            "20",
        )
        == 0
    )
    capsys.readouterr()
    assert board(env, "forecast", "phase-1-2016", "--capacity", "3") == 0
    out = capsys.readouterr().out
    assert "go-live forecast of phase-1-2016 as of 2016-03-01 (3 certification run(s) a week" in out
    assert "000.00.00.H19" in out and "ready 2016-04-11 (officer" in out


@pytest.mark.slow
def test_simulate_prints_the_cost_and_stores_it(
    env: dict[str, object], capsys: pytest.CaptureFixture[str]
) -> None:
    argv = [
        "simulate",
        "phase-1-2016",
        "-r",
        "2",
        "--days",
        "2",
        "--scale",
        "0.02",
        "-j",
        "1",
        "-q",
    ]
    assert board(env, *argv) == 0
    out = capsys.readouterr().out
    assert (
        "phase simulation of phase-1-2016: 2016-03-25 to 2016-03-26 (2 days after 7 of "
        "warm-up), 2 replication(s)" in out
    )
    # Nothing certified: the go-live forecast connects each member after its fix and its run.
    assert re.search(r"\b\d+ of 30 members connect late or not at all in the window", out)
    share = next(line for line in out.splitlines() if "share delivered electronically" in line)
    assert "pp [" in share and " %" in share  # percent, and the difference with its interval
    assert "sends 95 % electronically from" in out and "n/a" in out and "nan" not in out
    assert "(4 runs in" in out and "each week of delay:" in out
    with open_registry(env["registry"]) as registry:  # type: ignore[arg-type]
        simulation = registry.latest_simulation("phase-1-2016")
        assert simulation is not None and simulation["replications"] == 2


@pytest.mark.slow
def test_export_writes_pages_csv_and_the_front_page_index(
    env: dict[str, object], signer: Signer, capsys: pytest.CaptureFixture[str]
) -> None:
    tmp: Path = env["tmp"]  # type: ignore[assignment]
    board(env, "import", str(signer.file(tmp / "c")))
    out_dir = tmp / "out"
    assert board(env, "export", "--out", str(out_dir)) == 0
    assert "board exported:" in capsys.readouterr().out
    assert (out_dir / "index.html").is_file()
    assert (out_dir / "phase" / "phase-1-2016.html").is_file()
    assert (out_dir / f"agency/{BINH_DINH.organ_id}.html").is_file()
    index = (out_dir / "index.html").read_text("utf-8")
    for name in ("base.css", "board.css", "board.js"):
        assert (out_dir / "static" / name).is_file() and f'"static/{name}"' in index
    run = json.loads((out_dir / "run.json").read_text("utf-8"))
    assert run["kind"] == "board" and run["index"] == "index.html"
    with (out_dir / "readiness.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    phase1 = [r for r in rows if r["plan"] == "phase-1-2016"]
    assert len(phase1) == 30
    assert next(r for r in phase1 if r["organ_id"] == BINH_DINH.organ_id)["state"] == "ready"
    with (out_dir / "certificates.csv").open(encoding="utf-8", newline="") as f:
        [cert] = list(csv.DictReader(f))
    assert cert["verification"] == "VALID" and cert["build"] == "git-9f2c1e"


def test_the_simulation_defaults_are_the_boards() -> None:
    from board import simulate

    assert (cmd_board.REPLICATIONS, cmd_board.SCALE) == (simulate.REPLICATIONS, simulate.SCALE)


def test_as_of_is_for_the_actions_that_judge(
    env: dict[str, object], signer: Signer, capsys: pytest.CaptureFixture[str]
) -> None:
    tmp: Path = env["tmp"]  # type: ignore[assignment]
    with pytest.raises(SystemExit):
        main(["board", "import", str(signer.file(tmp / "c")), *AS_OF])
    assert "unrecognized arguments: --as-of" in capsys.readouterr().err


def test_every_action_has_help(capsys: pytest.CaptureFixture[str]) -> None:
    for action in (
        "import",
        "status",
        "plan",
        "plans",
        "diff",
        "deploy",
        "decide",
        "simulate",
        "forecast",
        "serve",
        "export",
    ):
        with pytest.raises(SystemExit) as done:
            main(["board", action, "--help"])
        assert done.value.code == 0
        assert "--registry" in capsys.readouterr().out


@pytest.mark.slow
def test_serve_announces_its_url_and_token_and_serves_read_only(env: dict[str, object]) -> None:
    import subprocess
    import sys

    import httpx

    command = [sys.executable, "-m", "lienthong", "board", "serve", "--port", "0", *env["opts"]]  # type: ignore[misc]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline() for _ in range(4)]
        url = lines[0].split()[-1]
        assert lines[0].startswith("onboarding board listening on http://127.0.0.1:")
        token = lines[3].split()[2]
        assert len(token) >= 24
        with httpx.Client(base_url=url, timeout=30) as client:
            assert client.get("/phase/phase-1-2016").status_code == 200
            refused = client.post("/admin/deploy", data={"organ_id": "H08"})
            assert refused.status_code == 403
            allowed = client.post(
                "/admin/decide",
                data={"plan": "phase-1-2016", "organ_id": "H08", "fix_days": "4"},
                headers={"Authorization": f"Bearer {token}", "X-Board-User": "L%C3%AA%20C"},
            )
            assert allowed.status_code == 200
    finally:
        process.terminate()
        process.wait(30)
        if process.stdout:
            process.stdout.close()
        if process.stderr:
            process.stderr.close()
    with open_registry(env["registry"]) as registry:  # type: ignore[arg-type]
        assert registry.audit()[0].who == "Lê C"


def test_defaults_live_in_the_users_data_directory(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    signer: Signer,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.chdir(tmp_path)
    certificate = signer.file(tmp_path / "c")
    assert main(["board", "import", str(certificate)]) == 1  # no trusted key yet
    assert "no trusted key configured" in capsys.readouterr().err
    # The trusted-keys folder `lienthong report verify` reads too.
    signer.public_key_file(tmp_path / "config" / "lienthong" / "trusted-keys")
    assert main(["board", "import", str(certificate)]) == 0
    assert (tmp_path / "data" / "lienthong" / "board.sqlite").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c", "config", "data"]


@pytest.mark.slow
def test_the_export_has_no_broken_link(env: dict[str, object], signer: Signer) -> None:
    import lxml.html

    tmp: Path = env["tmp"]  # type: ignore[assignment]
    board(env, "import", str(signer.file(tmp / "c")))
    out_dir = tmp / "out"
    assert board(env, "export", "--out", str(out_dir)) == 0
    pages = list(out_dir.rglob("*.html"))
    assert len(pages) > 100
    for page in pages:
        tree = lxml.html.fromstring(page.read_text("utf-8"))
        for href in tree.xpath("//a/@href | //link/@href | //script/@src"):
            target = (page.parent / href.split("?")[0].split("#")[0]).resolve()
            assert target.is_file(), f"{page.relative_to(out_dir)} links {href}"
