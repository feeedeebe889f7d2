"""The conformance suite as a whole: the reference SUT is certified on every profile, the
verdict maps to the documented exit codes, the run's folder holds a report and a certificate
that verifies, every MUST requirement of every profile is verified by some test, and the
pytest plugin works with the usual pytest options without touching other test runs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from axis.transcript import verify_file
from conformance.certify import CHECKS, EXIT_CERTIFIED, EXIT_FAILED, EXIT_INCOMPLETE, run
from conformance.evidence import Ledger, TestRecord
from conformance.judge import Judge, Judgement, RequirementsFailed
from conformance.plugin import settings_args
from conformance.profiles import PROFILES, ProfileError, profile
from conformance.runtime import declared_ids
from conformance.settings import CertifySettings, SettingsError
from reports.certificate import verify_certificate
from reports.model import Outcome, Report, Verdict
from spec.catalogue import Level, catalogue
from spec.errors import UnknownRequirement

pytest_plugins = ("pytester",)


def _lienthong(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lienthong", "certify", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
    )


# -- settings and profiles ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"profile": "everything"}, "profile='everything'"),
        ({"adapter": "ftp://sut"}, "adapter='ftp://sut'"),
        ({"mutant": "skip-arrived", "adapter": "manual"}, "mutant='skip-arrived'"),
        ({"mutant": "no-such-defect"}, "mutant='no-such-defect'"),
        ({"time_scale": 0}, "time_scale=0"),
        ({"seed": -1}, "seed=-1"),
        ({"axis_url": "http://127.0.0.1:9"}, "axis_url='http://127.0.0.1:9'"),
        ({"requirements": ("NOT-AN-ID",)}, "NOT-AN-ID"),
    ],
)
def test_settings_refuse_what_cannot_make_a_run(changes: dict, named: str) -> None:
    with pytest.raises(SettingsError) as caught:
        CertifySettings(**changes)
    assert named in str(caught.value)


def test_settings_travel_through_pytest_options_unchanged() -> None:
    settings = CertifySettings(
        profile="receiver",
        seed=7,
        time_scale=120,
        mutant="never-ack",
        require_signature=True,
        requirements=("TR-ACK-DONE", "RCV-ARRIVED"),
        exploration_examples=0,
    )
    options = {}
    for arg in settings_args(settings):
        flag, _, value = arg.partition("=")
        options[flag] = value
    assert options["--profile"] == "receiver"
    assert options["--require-signature"] == "yes"
    assert options["--requirements"] == "TR-ACK-DONE,RCV-ARRIVED"
    rebuilt = CertifySettings.from_options(
        {
            "profile": options["--profile"],
            "adapter": options["--sut-adapter"],
            "seed": int(options["--seed"]),
            "time_scale": float(options["--time-scale"]),
            "out_dir": options["--report-dir"],
            "mutant": options["--mutant"],
            "require_signature": options["--require-signature"] == "yes",
            "requirements": options["--requirements"],
            "exploration_examples": int(options["--exploration-examples"]),
        }
    )
    assert rebuilt == settings


def test_profiles_name_catalogue_requirements_and_full_holds_both_sides() -> None:
    table = catalogue()
    for p in PROFILES.values():
        assert p.requirement_ids, p.name
        assert all(i in table and not table[i].retired for i in p.requirement_ids)
        assert set(p.must_ids) == {i for i in p.requirement_ids if table[i].level is Level.MUST}
    full = set(profile("full").requirement_ids)
    assert set(profile("receiver").requirement_ids) <= full
    assert set(profile("sender").requirement_ids) <= full
    assert "SEC-SIGNS-DOCUMENTS" in full
    assert "SEC-SIGNS-DOCUMENTS" not in profile("sender").requirement_ids
    assert "SEC-SIGNS-DOCUMENTS" in profile("sender").with_signatures(True).requirement_ids
    with pytest.raises(ProfileError, match="profile='both'"):
        profile("both")


class _Items:
    def __init__(self) -> None:
        self.declared: dict[str, tuple[str, ...]] = {}

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self.declared = {item.nodeid: declared_ids(item) for item in session.items}


@pytest.fixture(scope="module")
def declared() -> dict[str, tuple[str, ...]]:
    """The requirement ids each conformance test declares (collected, never run)."""
    items = _Items()
    status = pytest.main(
        [str(CHECKS), "--collect-only", "-q", "-p", "no:cacheprovider", "--sut-adapter=reference"],
        plugins=[items],
    )
    assert status == 0
    return items.declared


@pytest.mark.parametrize("name", sorted(PROFILES))
def test_every_must_of_every_profile_is_verified_by_a_conformance_test(
    name: str, declared: dict[str, tuple[str, ...]]
) -> None:
    verified = {i for ids in declared.values() for i in ids}
    uncovered = sorted(set(profile(name).must_ids) - verified)
    assert not uncovered, f"profile {name!r}: no conformance test declares {uncovered}"


def test_every_conformance_test_declares_catalogue_ids(
    declared: dict[str, tuple[str, ...]],
) -> None:
    table = catalogue()
    assert len(declared) > 50
    for nodeid, ids in declared.items():
        assert ids, f"{nodeid} declares no requirement"
        assert all(i in table for i in ids), nodeid


# -- from test outcomes to verdicts ----------------------------------------------------------------


def test_the_ledger_charges_each_outcome_to_the_right_requirements() -> None:
    ledger = Ledger()
    ledger.add(
        TestRecord(
            "t::judged",
            ("TR-ACK-DONE", "TR-DOWNLOAD", "RCV-ARRIVED"),
            "failed",
            [
                Judgement("TR-ACK-DONE", True, "acked"),
                Judgement("TR-DOWNLOAD", False, "never downloaded"),
            ],
            judged=True,
        )
    )
    ledger.add(TestRecord("t::hard", ("TR-POLL-EDOC",), "failed", failure="TimeoutError: x"))
    ledger.add(TestRecord("t::plain", ("TR-POLL-STATUS",), "passed"))
    ledger.add(TestRecord("t::skipped", ("SND-VALID",), "skipped"))
    ledger.add(
        TestRecord(
            "t::also",
            ("TR-ACK-DONE",),
            "passed",
            [Judgement("TR-ACK-DONE", False, "late")],
            judged=True,
        )
    )
    ids = (
        "TR-ACK-DONE",
        "TR-DOWNLOAD",
        "RCV-ARRIVED",
        "TR-POLL-EDOC",
        "TR-POLL-STATUS",
        "SND-VALID",
    )
    verdicts = {r.id: r.verdict for r in ledger.results(ids)}
    assert verdicts == {
        "TR-ACK-DONE": Outcome.FAILED,  # one failed check beats any number of passes
        "TR-DOWNLOAD": Outcome.FAILED,
        "RCV-ARRIVED": Outcome.NOT_TESTED,  # declared, but the judge had nothing to judge
        "TR-POLL-EDOC": Outcome.FAILED,  # a failure outside the judge charges what it declared
        "TR-POLL-STATUS": Outcome.PASSED,
        "SND-VALID": Outcome.NOT_TESTED,
    }
    assert ledger.completed
    ledger.stop("the SUT stopped answering")
    assert not ledger.completed and ledger.incomplete == ["the SUT stopped answering"]


def test_a_judge_raises_at_the_end_naming_each_failed_requirement() -> None:
    judge = Judge(("TR-ACK-DONE",))
    assert judge.check("TR-ACK-DONE", True, "fine")
    judge.conclude()
    judge.fail("RCV-ARRIVED", "no 01")
    with pytest.raises(RequirementsFailed, match="RCV-ARRIVED: no 01"):
        judge.conclude()
    with pytest.raises(UnknownRequirement):
        judge.check("NOT-AN-ID", True, "a typo in the suite must not pass silently")


# -- the reference is certified ----------------------------------------------------------------


def _check_folder(folder: Path, verdict: Verdict) -> Report:
    names = {p.name for p in folder.iterdir()}
    assert {"report.json", "report.html", "junit.xml", "run.json", "certificate.json"} <= names
    assert "transcript.jsonl" in names
    report = Report.loads((folder / "report.json").read_text("utf-8"))
    assert report.verdict is verdict
    index = json.loads((folder / "run.json").read_text("utf-8"))
    assert index["verdict"] == verdict.value and index["index"] == "report.html"
    certificate = json.loads((folder / "certificate.json").read_text("utf-8"))
    check = verify_certificate(
        certificate,
        json.loads((folder / "report.json").read_text("utf-8")),
        transcript=verify_file(folder / "transcript.jsonl"),
    )
    assert check.ok, check.problems
    return report


@pytest.mark.slow
def test_the_reference_sut_is_certified_on_the_full_profile(tmp_path: Path) -> None:
    result = run(CertifySettings(out_dir=tmp_path, time_scale=300))
    assert result.verdict is Verdict.CERTIFIED, result.message
    assert result.exit_code == EXIT_CERTIFIED
    assert result.folder is not None
    report = _check_folder(result.folder, Verdict.CERTIFIED)
    assert report.time_scale == 300.0 and report.profile == "full"
    must = [r for r in report.requirements if r.level is Level.MUST]
    assert {r.id for r in must} == set(profile("full").must_ids)
    assert all(r.verdict is Outcome.PASSED for r in must)
    assert report.timelines, "the report shows the timelines of some documents"


@pytest.mark.slow
@pytest.mark.parametrize("name", ["receiver", "sender"])
def test_the_reference_sut_is_certified_on_the_receiver_and_sender_profiles(
    name: str, tmp_path: Path
) -> None:
    result = run(CertifySettings(profile=name, out_dir=tmp_path, exploration_examples=2))
    assert result.verdict is Verdict.CERTIFIED, result.message
    assert result.outcome is not None and result.outcome.report is not None
    ids = {r.id for r in result.outcome.report.requirements}
    assert ids == set(profile(name).requirement_ids)


@pytest.mark.slow
def test_a_running_axis_is_used_through_its_admin_api(tmp_path: Path) -> None:
    from axis import AxisConfig, running_axis

    with running_axis(AxisConfig(seed=5, seed_defaults=False)) as axis:
        result = run(
            CertifySettings(
                profile="receiver",
                axis_url=axis.url,
                axis_token=axis.admin_token,
                out_dir=tmp_path,
                exploration_examples=0,
            )
        )
        with axis.admin() as admin:
            messages = admin.messages(limit=1000)
    assert result.verdict is Verdict.CERTIFIED, result.message
    assert messages, "the run went through the axis given, not one of its own"


# -- exit codes of lienthong certify -----------------------------------------------------------


@pytest.mark.slow
def test_certify_exits_0_for_a_certified_sut(tmp_path: Path) -> None:
    done = _lienthong(
        "--profile", "sender", "--exploration-examples", "0", "--out", str(tmp_path), cwd=tmp_path
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "CERTIFIED" in done.stdout and "systemId" in done.stdout


def test_certify_exits_1_when_a_requirement_failed(tmp_path: Path) -> None:
    done = _lienthong(
        "--mutant", "never-ack", "--requirements", "TR-ACK-DONE",
        "--exploration-examples", "0", "--out", str(tmp_path), cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 1, done.stdout + done.stderr
    assert "NOT CERTIFIED" in done.stdout and "TR-ACK-DONE" in done.stdout


def test_certify_exits_2_when_the_sut_cannot_be_reached(tmp_path: Path) -> None:
    done = _lienthong("--adapter", "http://127.0.0.1:9", "--out", str(tmp_path), cwd=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "cannot reach the SUT" in done.stdout


def test_certify_exits_2_on_bad_options(tmp_path: Path) -> None:
    done = _lienthong("--adapter", "ftp://sut", cwd=tmp_path)
    assert done.returncode == 2
    assert "adapter='ftp://sut'" in done.stderr


def test_an_unreadable_waivers_file_stops_the_run_before_it_starts(tmp_path: Path) -> None:
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text("- requirement: TR-ACK-DONE\n  reason: [unclosed\n", "utf-8")
    result = run(CertifySettings(waivers=waivers, out_dir=tmp_path / "out"))
    assert result.exit_code == EXIT_INCOMPLETE
    assert result.outcome is None and "bad options" in result.message
    assert not (tmp_path / "out").exists()


def test_a_partial_run_is_never_certified(tmp_path: Path) -> None:
    result = run(
        CertifySettings(requirements=("TR-POLL-EDOC",), exploration_examples=0, out_dir=tmp_path)
    )
    assert result.verdict is Verdict.INCOMPLETE
    assert result.exit_code == EXIT_FAILED
    assert result.outcome is not None and result.outcome.report is not None
    assert result.outcome.report.result("TR-POLL-EDOC").verdict is Outcome.PASSED
    assert EXIT_INCOMPLETE == 2


# -- the pytest plugin ---------------------------------------------------------------------------


def test_the_plugin_runs_with_k_and_junitxml(pytester: pytest.Pytester) -> None:
    junit = pytester.path / "junit.xml"
    result = pytester.runpytest_subprocess(
        str(CHECKS),
        "--sut-adapter=reference",
        "-k",
        "listed_within_the_poll_interval or downloaded",
        f"--junitxml={junit}",
        f"--report-dir={pytester.path / 'out'}",
        "-p",
        "no:cacheprovider",
    )
    result.assert_outcomes(passed=3)
    result.stdout.fnmatch_lines(["*lienthong conformance: profile=full adapter=reference*"])
    text = junit.read_text("utf-8")
    assert "test_documents_are_listed_within_the_poll_interval" in text
    assert "test_listed_documents_are_downloaded" in text


def test_the_plugin_stops_at_the_first_failure_with_x(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_subprocess(
        str(CHECKS / "test_transport.py"),
        "--sut-adapter=reference",
        "--mutant=never-ack",
        "-x",
        f"--report-dir={pytester.path / 'out'}",
        "-p",
        "no:cacheprovider",
    )
    outcomes = result.parseoutcomes()
    assert outcomes.get("failed") == 1, result.stdout.str()
    result.stdout.fnmatch_lines(["*verdict: NOT CERTIFIED*TR-ACK-DONE*"])


def test_the_plugin_leaves_other_test_runs_alone(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.requirement("TR-ACK-DONE")
        def test_plain():
            assert True
        """
    )
    result = pytester.runpytest_inprocess("--strict-markers", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    assert "lienthong certification" not in result.stdout.str()
    assert "lienthong conformance" not in result.stdout.str()
