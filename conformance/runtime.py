"""The conformance suite inside a pytest session: fixtures in layers, per-requirement
bookkeeping, and the report at the end.

:mod:`conformance.plugin` registers a :class:`CertificationSession` when a session certifies
a SUT. Before the first test it opens the world (the axis and the SUT, started once) and
measures whether the SUT polls fast enough for the time scale (:mod:`conformance.preflight`);
if it cannot, the run could not run: no test is judged and nothing is written. Its fixtures go
from the world, through the gate that checks the SUT talks to the axis at all, to the
function-scoped judge each test records its verdicts with. Its hooks keep the tests to the
profile, charge every outcome to the requirements it proves, and at the end write the run's
folder (report, HTML, JUnit, signed certificate, transcript, the waivers file applied,
``run.json``).
"""

from __future__ import annotations

import contextlib
import json
import secrets
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from axis.errors import AxisError
from axis.transcript import verify_lines
from conformance.adapters.base import SutAdapter
from conformance.errors import (
    ConformanceError,
    ContractViolation,
    CouldNotRun,
    NotSupported,
    OperatorTimeout,
    RunIncomplete,
    SutError,
    SutUnreachable,
)
from conformance.evidence import Ledger, TestRecord, build_report, build_timelines
from conformance.judge import Judge, RequirementsFailed
from conformance.narration import Story, told, write_messages
from conformance.observe import (
    CALL,
    WireEvent,
    call_body,
    is_ok_call,
    listed_type,
    stored_body,
)
from conformance.preflight import preflight
from conformance.prepared import PreparedRun
from conformance.settings import CertifySettings
from conformance.suite import checks_digest, suite_version
from conformance.world import World, open_world
from reports.folder import write_certification_folder
from reports.layout import (
    CERTIFICATE_JSON,
    REPORT_HTML,
    SETTINGS_JSON,
    TRANSCRIPT_JSONL,
    WAIVERS_YAML,
)
from reports.model import Conditions, Outcome, Report, SutIdentity, Verdict
from reports.waivers import apply_waivers
from spec.catalogue import catalogue, catalogue_digest
from spec.clock import VIETNAM

__all__ = ["CertificationSession", "RunOutcome", "declared_ids", "make_adapter"]

JUDGE = pytest.StashKey[Judge]()
MARKER = "requirement"
SESSION_NODE = "session::the SUT comes online"
SESSION_PLUGIN = "lienthong-conformance-session"
_FAILED_TIMELINES = 4

# Failures that say nothing about the SUT's conformance: the run cannot be judged.
_INCOMPLETE = (SutUnreachable, RunIncomplete, ContractViolation, OperatorTimeout, AxisError)


@dataclass
class RunOutcome:
    """What a finished run gives :mod:`conformance.certify`: the report and the folder
    written, the verdict and its reason. ``verdict`` is None when the run could not run
    (``reason`` says why; nothing was written)."""

    report: Report | None
    folder: Path | None
    verdict: Verdict | None
    reason: str
    failed: tuple[str, ...] = ()
    scenarios: list[Path] = field(default_factory=list)
    signer: str | None = None


def declared_ids(item: pytest.Item) -> tuple[str, ...]:
    """The requirement ids a test declares with ``@pytest.mark.requirement(...)``."""
    ids: list[str] = []
    for mark in item.iter_markers(MARKER):
        ids.extend(str(a) for a in mark.args)
    return tuple(dict.fromkeys(ids))


def make_adapter(settings: CertifySettings) -> SutAdapter:
    """The adapter that drives the SUT the settings name."""
    kind = settings.adapter_kind
    if kind == "reference":
        from conformance.adapters.reference import ReferenceAdapter
        from conformance.mutants import mutant

        behaviour = mutant(settings.mutant).behaviour if settings.mutant else None
        return ReferenceAdapter(behaviour)
    if kind == "manual":
        from conformance.adapters.manual import ManualAdapter

        return ManualAdapter(timeout=settings.operator_timeout, workdir=settings.out_dir / "manual")
    from conformance.adapters.http import HttpAdapter

    return HttpAdapter(settings.adapter)


class CertificationSession:
    """The pytest plugin object of one certification session. ``summary`` False leaves the
    verdict for the caller to print (``lienthong certify`` does)."""

    def __init__(
        self,
        config: pytest.Config,
        prepared: PreparedRun,
        adapter_factory: Callable[[CertifySettings], SutAdapter] = make_adapter,
        *,
        summary: bool = True,
    ) -> None:
        self.config = config
        self.summary = summary
        self.prepared = prepared
        self.settings = prepared.settings
        self.profile = self.settings.resolved_profile()
        self.adapter_factory = adapter_factory
        self.ledger = Ledger()
        self.started = prepared.clock.now()
        self.outcome: RunOutcome | None = None
        self.scenarios: list[Path] = []
        self._stack = contextlib.ExitStack()
        self._world: World | None = None
        self._offline: str | None = None
        self._could_not_run: str | None = None
        self._gated = False
        self._ran = False
        self._folder: Path | None = None

    def __repr__(self) -> str:
        return f"<CertificationSession {self.settings!r}>"

    # -- the run's folder -------------------------------------------------------------------

    @property
    def folder(self) -> Path:
        """``<out_dir>/<run-id>``: created on first use, never shared with another run."""
        if self._folder is None:
            stamp = self.started.astimezone(VIETNAM).strftime("%Y%m%dT%H%M%S")
            name = f"{stamp}-seed{self.settings.seed}-{self.profile.name}"
            if self.settings.mutant:
                name += f"-{self.settings.mutant}"
            base = Path(self.settings.out_dir)
            base.mkdir(parents=True, exist_ok=True)
            folder = base / name
            while True:
                try:
                    folder.mkdir()
                    break
                except FileExistsError:
                    folder = base / f"{name}-{secrets.token_hex(2)}"
            self._folder = folder
        return self._folder

    # -- hooks ------------------------------------------------------------------------------

    def pytest_report_header(self, config: pytest.Config) -> list[str]:
        s = self.settings
        mutant = f", mutant={s.mutant}" if s.mutant else ""
        axis = s.axis_url or "in-process (free port)"
        key = self.prepared.key
        created = " (created now)" if key.created else ""
        return [
            f"lienthong conformance: profile={self.profile.name} adapter={s.adapter} "
            f"agency={s.agency}{mutant}",
            f"  seed={s.seed} time-scale={s.time_scale:g} axis={axis} "
            f"signatures={'required' if self.profile.require_signature else 'optional'}",
            f"  signing key {key.path}{created}: fingerprint {key.signer.fingerprint}",
        ]

    def pytest_collection_modifyitems(
        self, session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
    ) -> None:
        known = catalogue()
        wanted = set(self.profile.requirement_ids)
        if self.settings.requirements is not None:
            wanted &= set(self.settings.requirements)
        keep: list[pytest.Item] = []
        drop: list[pytest.Item] = []
        for item in items:
            ids = declared_ids(item)
            if not ids:
                raise pytest.UsageError(
                    f"{item.nodeid} declares no requirement: mark it with "
                    "@pytest.mark.requirement(<ids>)"
                )
            unknown = [i for i in ids if i not in known]
            if unknown:
                raise pytest.UsageError(
                    f"{item.nodeid} declares requirement ids {unknown!r} that are not in "
                    "spec/requirements/"
                )
            replaying = item.get_closest_marker("replay") is not None
            if (self.settings.replay is not None) != replaying:
                drop.append(item)
            else:
                (keep if wanted.intersection(ids) else drop).append(item)
        if drop:
            config.hook.pytest_deselected(items=drop)
        # The audit judges everything the SUT sent in the run: it goes last.
        keep.sort(key=lambda i: i.get_closest_marker("audit") is not None)
        items[:] = keep

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtestloop(self, session: pytest.Session) -> bool | None:
        """Open the world before the first test; a run that cannot start runs no test."""
        if session.config.option.collectonly:
            return None
        self._ran = True
        if not session.items:
            self._could_not_run = (
                f"no conformance test of profile {self.profile.name!r} verifies the requirements "
                "chosen (--requirements, -k)"
            )
            return True
        try:
            self.open()
        except CouldNotRun as exc:
            self._could_not_run = str(exc)
            return True
        return None

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(self, item: pytest.Item) -> Generator[None, object, object]:
        result = yield
        judge = item.stash.get(JUDGE, None)
        if judge is not None:
            judge.conclude()
        return result

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        report = yield
        phases = item.stash.setdefault(_PHASES, [])
        phases.append((call.when, report, call.excinfo))
        if call.when == "teardown":
            self._record(item, phases)
        return report

    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        if not self._ran:  # --collect-only, or pytest stopped before the tests
            self._close()
            return
        try:
            self.outcome = self._finish()
        finally:
            self._close()
        if self.outcome.verdict is None:
            session.exitstatus = pytest.ExitCode.INTERRUPTED

    def _close(self) -> None:
        """Stop the SUT and the axis; a failure to stop cleanly (the axis logged errors while
        it ran) means the run's evidence cannot be trusted."""
        try:
            self._stack.close()
        except (ConformanceError, AxisError, OSError) as exc:
            self.ledger.stop(f"the harness did not stop cleanly: {exc}")

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        outcome = self.outcome
        if outcome is None or not self.summary:
            return
        write = terminalreporter.write_line
        terminalreporter.section("lienthong certification")
        if outcome.verdict is None:
            write(f"could not run: {outcome.reason}")
            return
        write(f"verdict: {outcome.verdict.value} — {outcome.reason}")
        if outcome.failed and outcome.report is not None:
            write("failed requirements:")
            for result in outcome.report.requirements:
                if result.verdict is Outcome.FAILED:
                    first = result.evidence[0].summary if result.evidence else ""
                    write(f"  {result.id} ({result.level.value}): {first}"[:400])
        if outcome.report is not None:
            for waiver in outcome.report.unused_waivers:
                write(f"note: the waiver for {waiver.requirement} excused nothing in this run")
        if outcome.folder is not None:
            write(f"report: {outcome.folder / REPORT_HTML}")
            write(
                f"certificate: {outcome.folder / CERTIFICATE_JSON} (signed by key {outcome.signer})"
            )
        for path in outcome.scenarios:
            write(f"failing scenario written: {path} (replay with lienthong certify --replay)")

    # -- what the fixtures ask ---------------------------------------------------------------

    def open(self) -> World:
        """The axis, the cast and the configured SUT, started once; raises
        :class:`CouldNotRun` when they cannot be reached or the SUT polls too slowly for the
        time scale."""
        if self._could_not_run is not None:
            pytest.skip(self._could_not_run)
        if self._world is None:
            try:
                world = self._stack.enter_context(open_world(self.settings, self.adapter_factory))
            except (*_INCOMPLETE, SutError, httpx.HTTPError) as exc:
                raise CouldNotRun(f"the run cannot start: {exc}") from exc
            self._world = world
            self._announce(world)
            preflight(world)
        return self._world

    def _announce(self, world: World) -> None:
        """Tell the operator what the SUT is configured with (a vendor's SUT needs it)."""
        sut = world.cast.sut
        lines = [
            f"fake axis: {world.axis_url}",
            f"  the SUT is configured as: endpoint {world.axis_url}  systemId {sut.system_id}"
            f"  secret {sut.secret}  agency {sut.organ_id} ({sut.name})",
        ]
        if world.identity is not None:
            ident = world.identity
            build = f" (build {ident.build})" if ident.build else ""
            reset = " (reset before the run)" if world.was_reset else ""
            lines.append(f"  SUT: {ident.product} {ident.version}{build} by {ident.vendor}{reset}")
        self.say(lines)

    def say(self, lines: list[str]) -> None:
        """Write ``lines`` to the terminal, past pytest's capture."""
        capture = self.config.pluginmanager.getplugin("capturemanager")
        writer = self.config.pluginmanager.getplugin("terminalreporter")
        if writer is None:
            return
        context = capture.global_and_fixture_disabled() if capture else contextlib.nullcontext()
        with context:
            writer.write_line("")
            for line in lines:
                writer.write_line(line)

    def gate(self, world: World) -> World:
        """The world once the SUT has polled the axis successfully (checked once)."""
        if self._offline is not None:
            pytest.skip(self._offline)
        if not self._gated:
            self._gated = True
            judge = Judge((SESSION_NODE,))
            reason = _gate(world, judge)
            self.ledger.add(TestRecord(SESSION_NODE, (), "passed", judge.judgements))
            if reason is not None:
                self._offline = reason
                pytest.skip(reason)
        return world

    # -- recording --------------------------------------------------------------------------

    def _record(self, item: pytest.Item, phases: list[tuple[str, Any, Any]]) -> None:
        judge = item.stash.get(JUDGE, None)
        judgements = list(judge.judgements) if judge else []
        record = TestRecord(
            item.nodeid, declared_ids(item), "passed", judgements, judged=judge is not None
        )
        for when, report, excinfo in phases:
            if report.skipped:
                record.outcome = "skipped"
                break
            if not report.failed:
                continue
            error = excinfo.value if excinfo is not None else None
            record.outcome = "failed"
            if isinstance(error, RequirementsFailed):
                continue
            if isinstance(error, NotSupported):
                record.outcome = "skipped"
            elif isinstance(error, _INCOMPLETE):
                record.outcome = "skipped"
                self.ledger.stop(f"{item.nodeid}: {error}")
                if isinstance(error, SutUnreachable | RunIncomplete):
                    item.session.shouldstop = str(error)
            elif isinstance(error, AssertionError | SutError | TimeoutError | ConformanceError):
                record.failure = f"{type(error).__name__}: {error}"
            else:
                record.outcome = "skipped"
                self.ledger.stop(
                    f"the suite itself failed in {item.nodeid} ({when}): "
                    f"{type(error).__name__}: {error}"
                )
            break
        self.ledger.add(record)

    # -- the end ----------------------------------------------------------------------------

    def _finish(self) -> RunOutcome:
        if self._could_not_run is not None:
            return RunOutcome(None, None, None, self._could_not_run)
        world = self._world
        if world is None:
            return RunOutcome(None, None, None, "the run stopped before the SUT was started")
        folder = self.folder
        text = world.admin.transcript()
        (folder / TRANSCRIPT_JSONL).write_text(text, "utf-8")
        check = verify_lines(text.splitlines())
        events = world.observer.events(world.started_cursor)
        finished = self.prepared.clock.now()
        report = build_report(
            ledger=self.ledger,
            requirement_ids=self.profile.requirement_ids,
            suite_version=suite_version(),
            profile=self.profile.name,
            seed=self.settings.seed,
            time_scale=self.settings.time_scale,
            started=self.started,
            finished=finished,
            sut=_identity(world),
            axis_endpoint=world.axis_url,
            transcript_sha256=check.head,
            transcript_events=check.events,
            conditions=self._conditions(),
        )
        story = Story(events, world.cast.sut.system_id, _organ_of(world))
        report = report.with_results(
            told(report, story), timelines=_timelines(world, report, events)
        )
        write_messages(folder, story.linked, world.observer.body)
        self._close()
        if not self.ledger.completed and report.completed:
            reason = "; ".join(self.ledger.incomplete)
            report = replace(report, completed=False, incomplete_reason=reason)
        report = self._waive(report, finished)
        self._write_inputs(folder)
        signer = self.prepared.key.signer
        write_certification_folder(
            report,
            folder,
            signer=signer,
            issued=finished,
            validity_months=self.settings.validity_months,
        )
        verdict, reason = report.compute_verdict()
        failed = tuple(r.id for r in report.requirements if r.verdict is Outcome.FAILED)
        return RunOutcome(
            report, folder, verdict, reason, failed, list(self.scenarios), signer.fingerprint
        )

    def _conditions(self) -> Conditions:
        settings = self.settings
        return Conditions(
            require_signature=self.profile.require_signature,
            overrides=settings.overrides(),
            exploration_examples=settings.exploration_examples,
            mutant=settings.mutant,
            axis_kind="in-process" if settings.in_process_axis else "external",
            officer=settings.officer,
            waivers_sha256=self.prepared.waivers_sha256,
            catalogue_sha256=catalogue_digest(),
            checks_sha256=checks_digest(),
        )

    def _waive(self, report: Report, finished: datetime) -> Report:
        """The report with the waivers applied, judged on the Vietnam date the run finished
        (the waivers' requirement ids were checked before the run started)."""
        if not self.prepared.waivers:
            return report
        today = finished.astimezone(VIETNAM).date()
        return apply_waivers(report, self.prepared.waivers, today=today)

    def _write_inputs(self, folder: Path) -> None:
        """The options as given (never the admin token) and the waivers file's exact bytes,
        which the certificate names by their SHA-256."""
        (folder / SETTINGS_JSON).write_text(
            json.dumps(self.settings.to_json(), ensure_ascii=False, indent=2) + "\n", "utf-8"
        )
        if self.prepared.waivers_file is not None:
            (folder / WAIVERS_YAML).write_bytes(self.prepared.waivers_file)


_PHASES = pytest.StashKey[list]()


# -- fixtures (module level: this module is registered as a plugin beside the session) -------


def _session(config: pytest.Config) -> CertificationSession:
    plugin = config.pluginmanager.get_plugin(SESSION_PLUGIN)
    if not isinstance(plugin, CertificationSession):  # pragma: no cover - plugin.py registers it
        raise RuntimeError("the lienthong conformance session is not registered")
    return plugin


@pytest.fixture(scope="session")
def certification(request: pytest.FixtureRequest) -> CertificationSession:
    """The certification session itself (its folder, its settings, the scenarios written)."""
    return _session(request.config)


@pytest.fixture(scope="session")
def world(request: pytest.FixtureRequest) -> World:
    """The axis, the cast and the configured SUT: started once per run."""
    return _session(request.config).open()


@pytest.fixture(scope="session")
def online(request: pytest.FixtureRequest, world: World) -> World:
    """The world once the SUT has polled the axis successfully; every test that needs the SUT
    to act is skipped (and the gate's failure recorded) when it never does."""
    return _session(request.config).gate(world)


@pytest.fixture
def judge(request: pytest.FixtureRequest) -> Judge:
    """The judge this test records its per-requirement verdicts with."""
    found = Judge(declared_ids(request.node))
    request.node.stash[JUDGE] = found
    return found


@pytest.fixture
def fresh(online: World) -> Iterator[World]:
    """The world, with any fault plan the test installs removed afterwards."""
    yield online
    online.clear_faults()


def _identity(world: World) -> SutIdentity:
    ident = world.identity
    party = world.cast.sut
    return SutIdentity(
        product=ident.product if ident else "unknown SUT",
        vendor=ident.vendor if ident else "unknown",
        version=ident.version if ident else "unknown",
        build=ident.build if ident else None,
        contract_version=ident.contract_version if ident else "",
        adapter=world.settings.adapter_kind,
        organ_id=party.organ_id,
        agency=party.name,
        system_id=party.system_id,
    )


def _timelines(world: World, report: Report, events: list[WireEvent]) -> tuple:
    """Timelines of the documents the failures name (a few), then of the run's first two
    documents, so a passing report shows what a normal exchange looked like."""
    failing: list[str] = []
    for result in report.requirements:
        if result.verdict is not Outcome.FAILED:
            continue
        for evidence in result.evidence:
            detail = evidence.detail
            if isinstance(detail, dict) and detail.get("document_id"):
                failing.append(str(detail["document_id"]))
    samples: list[str] = []
    for event in events:
        noted = stored_body(event)
        if noted is not None and noted.messagetype == "edoc":
            samples.append(noted.document_id.strip())
        if len(samples) >= 2:
            break
    wanted = list(dict.fromkeys(failing))[:_FAILED_TIMELINES] + samples
    return build_timelines(events, _organ_of(world), wanted)


def _organ_of(world: World) -> dict[str, str]:
    """The agency each system of the run serves."""
    return {p.system_id: p.organ_id for p in (world.cast.sut, *world.cast.harness)}


def _gate(world: World, judge: Judge) -> str | None:
    """Wait for the SUT's first successful poll of an inbox (documents, or statuses for a
    sender). Records why it never came (bad signatures, or no call at all) and returns the
    reason, or None when online."""
    observer = world.observer
    receiver = "receiver" in world.profile.roles
    first = observer.wait(
        world.started_cursor,
        world.bounds.poll_interval * 2,
        lambda e: (
            is_ok_call(e) and listed_type(e) in (("edoc",) if receiver else ("edoc", "status"))
        ),
        kind=CALL,
        system=world.cast.sut.system_id,
        op="getReceivedEdocList",
    )
    if first is not None:
        return None
    calls = observer.sut_responses(world.started_cursor)
    refused = [e for e in calls if (c := call_body(e)) is not None and c.error_code == "1"]
    evidence = [_event_evidence(e) for e in (refused or calls)[:4]]
    first_refused = call_body(refused[0]) if refused else None
    if first_refused is not None:
        judge.fail(
            "SEC-SIGNED-REQUESTS",
            f"the axis refused all {len(refused)} call(s) of the SUT for their signature "
            f"(ErrorCode 1: {first_refused.error_desc!r}); the SUT cannot be tested "
            "further",
            evidence,
        )
        return "the SUT cannot talk to the axis: every call is refused for its signature"
    judge.fail(
        "TR-POLL-EDOC" if receiver else "TR-POLL-STATUS",
        f"the SUT did not list its inbox successfully within "
        f"{world.clock.span(world.bounds.poll_interval * 2)} of being configured "
        f"({len(calls)} call(s) seen)",
        evidence,
    )
    return "the SUT never polled the axis successfully"


def _event_evidence(event: WireEvent) -> Any:
    from reports.model import Evidence

    return Evidence("transcript", str(event), [event.excerpt()], (event.seq,))
