"""The conformance suite as a whole: one option table for the command and the plugin, settings
that refuse what cannot make a run, profiles computed from the catalogue with a check for every
requirement, the reference SUT certified on every profile and as two different agencies, and a
run's folder whose certificate verifies."""

from __future__ import annotations

import argparse
import dataclasses
import json
from functools import partial
from pathlib import Path

import pytest

from axis.transcript import verify_file
from conformance.certify import CHECKS, EXIT_CERTIFIED, EXIT_INCOMPLETE, CertifyResult, run
from conformance.evidence import Ledger, TestRecord
from conformance.judge import Judge, Judgement, RequirementsFailed
from conformance.options import add_cli_arguments, values_of
from conformance.party import Cast, sut_party
from conformance.profiles import PROFILES, ProfileError, profile
from conformance.runtime import declared_ids
from conformance.settings import OPTIONS, CertifySettings, SettingsError
from reports.keys import TrustedKeys
from reports.model import Outcome, Report, Verdict
from reports.verification import verify_certificate_file
from spec.catalogue import Level, catalogue
from spec.clock import vietnam_today
from spec.errors import UnknownRequirement
from tests.side_by_side import side_by_side

# -- settings and profiles ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"profile": "everything"}, "profile='everything'"),
        ({"adapter": "ftp://sut"}, "adapter='ftp://sut'"),
        (
            {"mutant": "skip-arrived", "adapter": "manual", "organ_id": "000.00.00.H41"},
            "mutant='skip-arrived'",
        ),
        ({"mutant": "no-such-defect"}, "mutant='no-such-defect'"),
        ({"time_scale": 0}, "time_scale=0"),
        ({"seed": -1}, "seed=-1"),
        ({"axis_url": "http://127.0.0.1:9"}, "axis_url='http://127.0.0.1:9'"),
        ({"requirements": ("NOT-AN-ID",)}, "NOT-AN-ID"),
        ({"adapter": "http://127.0.0.1:9"}, "organ_id is required"),
        ({"organ_id": "00.44.W00"}, "names a connection system"),
        ({"organ_id": "000.00.24.H44"}, "not in the registry of agencies"),
        ({"system_id": "000.00.00.H41"}, "system_id='000.00.00.H41' is an agency id"),
        ({"officer": "  "}, "officer='  '"),
        ({"validity_months": 0}, "validity_months=0"),
        ({"replay": Path("no/such/scenario.json")}, "replay='no/such/scenario.json': no such file"),
        ({"waivers": Path("no/such/waivers.yaml")}, "waivers='no/such/waivers.yaml': no such file"),
    ],
)
def test_settings_refuse_what_cannot_make_a_run(changes: dict, named: str) -> None:
    with pytest.raises(SettingsError) as caught:
        CertifySettings(**{"adapter": "reference", **changes})
    assert named in str(caught.value)


def test_the_adapter_is_required() -> None:
    with pytest.raises(SettingsError, match="the adapter is required: give --adapter"):
        CertifySettings.from_options({"profile": "full"})
    with pytest.raises(TypeError):
        CertifySettings()  # type: ignore[call-arg]


def test_one_option_table_serves_the_command_and_the_plugin() -> None:
    names = {o.name for o in OPTIONS}
    fields = {f.name for f in dataclasses.fields(CertifySettings)}
    assert {o.field for o in OPTIONS} == fields
    assert {"adapter", "profile", "organ-id", "system-id", "officer", "signing-key"} <= names
    assert all(o.help and o.pytest_flag == f"--lienthong-{o.name}" for o in OPTIONS)
    # The same table builds both front ends, so both read the same values.
    cli = argparse.ArgumentParser()
    add_cli_arguments(cli, OPTIONS)
    given = ["--adapter", "reference", "--profile", "receiver", "--require-signature", "yes",
             "--requirements", "TR-ACK-DONE, RCV-ARRIVED", "--seed", "7", "--organ-id",
             "000.00.00.G12", "--officer", "Nguyễn Văn A"]  # fmt: skip
    from_cli = CertifySettings.from_options(values_of(cli.parse_args(given), OPTIONS))
    assert from_cli == CertifySettings(
        adapter="reference",
        profile="receiver",
        require_signature=True,
        requirements=("TR-ACK-DONE", "RCV-ARRIVED"),
        seed=7,
        organ_id="000.00.00.G12",
        officer="Nguyễn Văn A",
    )
    assert from_cli.overrides() == {
        "require_signature": True,
        "requirements": ["TR-ACK-DONE", "RCV-ARRIVED"],
        "seed": 7,
    }


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
        [
            str(CHECKS),
            "--collect-only",
            "-q",
            "-p",
            "no:cacheprovider",
            "--lienthong-adapter=reference",
        ],
        plugins=[items],
    )
    assert status == 0
    return items.declared


def _every_profile_id() -> set[str]:
    return {
        i
        for p in PROFILES.values()
        for signed in (False, True)
        for i in p.with_signatures(signed).requirement_ids
    }


@pytest.mark.slow
def test_every_check_belongs_to_a_profile_and_every_profile_requirement_has_a_check(
    declared: dict[str, tuple[str, ...]],
) -> None:
    verified = {i for ids in declared.values() for i in ids}
    in_profiles = _every_profile_id()
    assert sorted(verified - in_profiles) == [], "checks of requirements no profile holds"
    assert sorted(in_profiles - verified) == [], "profile requirements no check declares"


def test_profiles_are_computed_from_the_catalogue_roles() -> None:
    table = catalogue()
    assert set(profile("receiver").requirement_ids) == {
        i for i, r in table.items() if r.roles.get("receiver") == "always" and not r.retired
    }
    signed_sender = set(profile("sender").with_signatures(True).requirement_ids)
    assert {i for i, r in table.items() if r.roles.get("sender") == "signed"} <= signed_sender
    assert not any(
        table[i].roles.get("sender") == "signed" for i in profile("sender").requirement_ids
    )
    assert all(table[i].roles for i in _every_profile_id())


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
    check = verify_certificate_file(
        folder,
        trusted=TrustedKeys.of(certificate["signer"]["fingerprint"]),
        today=vietnam_today(),
        check_transcript=verify_file,
    )
    assert check.ok, check.problems
    return report


def _certify_on(name: str, out: Path) -> CertifyResult:
    settings = CertifySettings(adapter="reference", profile=name, out_dir=out, time_scale=300)
    if name != "full":  # the default exploration on full; two examples on the others
        settings = dataclasses.replace(settings, exploration_examples=2)
    return run(settings)


PROFILE_NAMES = ("full", "receiver", "sender")


@pytest.mark.slow
@side_by_side(*(partial(_certify_on, name) for name in PROFILE_NAMES))
def test_the_reference_sut_is_certified_on_every_profile(ran: list[CertifyResult]) -> None:
    results = dict(zip(PROFILE_NAMES, ran, strict=True))
    for name, result in results.items():
        assert result.verdict is Verdict.CERTIFIED, f"{name}: {result.message}"
        assert result.exit_code == EXIT_CERTIFIED
        assert result.outcome is not None and result.outcome.report is not None
        ids = {r.id for r in result.outcome.report.requirements}
        assert ids == set(profile(name).requirement_ids), name
    full = results["full"]
    assert full.folder is not None
    report = _check_folder(full.folder, Verdict.CERTIFIED)
    assert report.time_scale == 300.0 and report.profile == "full"
    must = [r for r in report.requirements if r.level is Level.MUST]
    assert {r.id for r in must} == set(profile("full").must_ids)
    assert all(r.verdict is Outcome.PASSED for r in must)
    assert report.timelines, "the report shows the timelines of some documents"
    assert report.sut.build and report.sut.build.startswith("src-")
    assert report.conditions.axis_kind == "in-process" and report.conditions.overrides == {}


AGENCIES = ("000.00.00.G12", "000.00.00.H41")


def _certify_as_each_agency(out: Path) -> list[CertifyResult]:
    """One certification per agency, one after the other in this process."""
    return [
        run(
            CertifySettings(
                adapter="reference",
                profile="receiver",
                organ_id=organ_id,
                exploration_examples=0,
                out_dir=out / organ_id,
            )
        )
        for organ_id in AGENCIES
    ]


@pytest.mark.slow
@side_by_side(_certify_as_each_agency)
def test_the_reference_sut_is_certified_as_two_agencies_in_one_session(
    ran: list[list[CertifyResult]],
) -> None:
    (results,) = ran
    named = {}
    for organ_id, result in zip(AGENCIES, results, strict=True):
        assert result.verdict is Verdict.CERTIFIED, result.message
        assert result.folder is not None
        certificate = json.loads((result.folder / "certificate.json").read_text("utf-8"))
        named[organ_id] = certificate["party"]
        report = _check_folder(result.folder, Verdict.CERTIFIED)
        assert report.sut.organ_id == organ_id
    assert named == {
        "000.00.00.G12": {
            "organ_id": "000.00.00.G12", "agency": "Bộ Tài chính", "system_id": "02.12.W00",
        },
        "000.00.00.H41": {
            "organ_id": "000.00.00.H41", "agency": "Ủy ban nhân dân tỉnh Nghệ An",
            "system_id": "00.41.W00",
        },
    }  # fmt: skip


def test_partners_never_share_the_certified_agency_or_its_system() -> None:
    for organ_id, system_id in (
        ("000.00.00.G12", None),
        ("000.00.00.H36", None),
        ("000.00.05.H36", None),
        ("000.00.00.H47", "00.36.W00"),
    ):
        cast = Cast.for_run(sut_party(organ_id, system_id))
        others = cast.harness
        assert len({p.organ_id for p in others}) == 3
        sut = cast.sut
        assert sut.organ_id == organ_id
        for party in others:
            assert party.system_id != sut.system_id
            assert party.organ_id.rsplit(".", 1)[-1] != organ_id.rsplit(".", 1)[-1]
        assert sut.secret and sut.secret not in {p.secret for p in others}
        again = Cast.for_run(sut_party(organ_id, system_id))
        assert again.sut.secret != sut.secret  # random at every run, never from the seed


def _certify_through_a_running_axis(out: Path) -> tuple[CertifyResult, int]:
    """A certification through an axis already running (and how many messages it then
    holds)."""
    from axis import AxisConfig, running_axis

    with running_axis(AxisConfig(seed=5, seed_defaults=False)) as axis:
        result = run(
            CertifySettings(
                adapter="reference",
                profile="receiver",
                axis_url=axis.url,
                axis_token=axis.admin_token,
                out_dir=out,
                exploration_examples=0,
            )
        )
        with axis.admin() as admin:
            messages = len(admin.messages(limit=1000))
    return result, messages


@pytest.mark.slow
@side_by_side(_certify_through_a_running_axis)
def test_a_running_axis_is_used_through_its_admin_api(
    ran: list[tuple[CertifyResult, int]],
) -> None:
    ((result, messages),) = ran
    assert result.verdict is Verdict.CERTIFIED, result.message
    assert messages, "the run went through the axis given, not one of its own"
    assert result.outcome is not None and result.outcome.report is not None
    assert result.outcome.report.conditions.axis_kind == "external"


@pytest.mark.slow
def test_a_partial_run_is_incomplete_everywhere(tmp_path: Path) -> None:
    result = run(
        CertifySettings(
            adapter="reference",
            requirements=("TR-POLL-EDOC",),
            exploration_examples=0,
            out_dir=tmp_path,
        )
    )
    assert result.verdict is Verdict.INCOMPLETE
    assert result.exit_code == EXIT_INCOMPLETE == 3
    assert result.message.startswith("INCOMPLETE: ")
    assert result.outcome is not None and result.outcome.report is not None
    report = result.outcome.report
    assert report.result("TR-POLL-EDOC").verdict is Outcome.PASSED
    overrides = {"requirements": ["TR-POLL-EDOC"], "exploration_examples": 0}
    assert report.conditions.overrides == overrides
    assert result.folder is not None
    certificate = json.loads((result.folder / "certificate.json").read_text("utf-8"))
    assert certificate["verdict"] == "INCOMPLETE"
    assert certificate["profile"]["overrides"] == overrides
