"""The conformance suite inside a pytest session: fixtures in layers, per-requirement
bookkeeping, and the report at the end.

:mod:`conformance.plugin` registers a :class:`CertificationSession` when a session certifies
a SUT. Its fixtures go from the settings to the costly session-wide world (the axis and the
SUT, started once), through the gate that checks the SUT talks to the axis at all, to the
function-scoped judge each test records its verdicts with. Its hooks keep the tests to the
profile, charge every outcome to the requirements it proves, and at the end write the run's
folder (report, HTML, JUnit, certificate, transcript, ``run.json``).
"""

from __future__ import annotations

import contextlib
import json
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest

from axis.errors import AxisError
from axis.transcript import verify_lines
from conformance.adapters.base import SutAdapter
from conformance.errors import (
    ConformanceError,
    ContractViolation,
    NotSupported,
    OperatorTimeout,
    RunIncomplete,
    SutError,
    SutUnreachable,
)
from conformance.evidence import Ledger, TestRecord, build_report, build_timelines
from conformance.judge import Judge, RequirementsFailed
from conformance.observe import CALL, WireEvent
from conformance.settings import CertifySettings
from conformance.world import World, open_world
from reports.certificate import CertificateSigner
from reports.errors import WaiverError
from reports.folder import write_certification_folder
from reports.model import Outcome, Report, SutIdentity, Verdict, Waiver
from reports.waivers import apply_waivers, load_waivers
from spec.catalogue import catalogue
from spec.clock import VIETNAM

__all__ = ["CertificationSession", "RunOutcome", "declared_ids", "make_adapter"]

JUDGE = pytest.StashKey[Judge]()
MARKER = "requirement"
SESSION_NODE = "session::the SUT comes online"
SESSION_PLUGIN = "lienthong-conformance-session"
TRANSCRIPT_FILE = "transcript.jsonl"
SETTINGS_FILE = "settings.json"
_FAILED_TIMELINES = 4

# Failures that say nothing about the SUT's conformance: the run cannot be judged.
_INCOMPLETE = (SutUnreachable, RunIncomplete, ContractViolation, OperatorTimeout, AxisError)


@dataclass
class RunOutcome:
    """What a finished run gives :mod:`conformance.certify`: the report (None when the run
    never reached the SUT), the folder written, the verdict and its reason."""

    report: Report | None
    folder: Path | None
    verdict: Verdict
    reason: str
    failed: tuple[str, ...] = ()
    scenarios: list[Path] = field(default_factory=list)


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


def _suite_version() -> str:
    try:
        return metadata.version("lienthong")
    except metadata.PackageNotFoundError:  # pragma: no cover - an uninstalled checkout
        return "0+unknown"


class CertificationSession:
    """The pytest plugin object of one certification session."""

    def __init__(
        self,
        config: pytest.Config,
        settings: CertifySettings,
        adapter_factory: Callable[[CertifySettings], SutAdapter] = make_adapter,
    ) -> None:
        self.config = config
        self.settings = settings
        self.profile = settings.resolved_profile()
        self.adapter_factory = adapter_factory
        self.ledger = Ledger()
        self.started = datetime.now(UTC)
        # Salts the axis's DocIds (recorded in the transcript's start event): no two runs
        # share a DocId, even with the same seed.
        self.run_id = secrets.token_hex(8)
        self.outcome: RunOutcome | None = None
        self.scenarios: list[Path] = []
        self.waivers: tuple[Waiver, ...] = ()
        if settings.waivers is not None:
            try:
                self.waivers = load_waivers(settings.waivers)
            except WaiverError as exc:
                raise pytest.UsageError(f"--waivers {str(settings.waivers)!r}: {exc}") from None
        self._stack = contextlib.ExitStack()
        self._world: World | None = None
        self._offline: str | None = None
        self._gated = False
        self._folder: Path | None = None

    def __repr__(self) -> str:
        return f"<CertificationSession {self.settings!r}>"

    # -- the run's folder -------------------------------------------------------------------

    @property
    def folder(self) -> Path:
        """``<out_dir>/<run-id>``: created on first use, never shared with another run."""
        if self._folder is None:
            stamp = self.started.strftime("%Y%m%dT%H%M%S")
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
        return [
            f"lienthong conformance: profile={self.profile.name} adapter={s.adapter}{mutant}",
            f"  seed={s.seed} time-scale={s.time_scale:g} axis={axis} "
            f"signatures={'required' if self.profile.require_signature else 'optional'}",
        ]

    def pytest_collection_modifyitems(
        self, session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
    ) -> None:
        known = catalogue()
        wanted = set(self.profile.requirement_ids)
        if self.settings.requirements is not None:
            wanted &= set(self.settings.requirements)
        keep, drop = [], []
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

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(self, item: pytest.Item) -> Iterator[None]:
        result = yield
        judge = item.stash.get(JUDGE, None)
        if judge is not None:
            judge.conclude()
        return result

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Iterator[pytest.TestReport]:
        report = yield
        phases = item.stash.setdefault(_PHASES, [])
        phases.append((call.when, report, call.excinfo))
        if call.when == "teardown":
            self._record(item, phases)
        return report

    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        try:
            self.outcome = self._finish()
        finally:
            self._close()

    def _close(self) -> None:
        """Stop the SUT and the axis; a failure to stop cleanly (the axis logged errors while
        it ran) means the run's evidence cannot be trusted."""
        try:
            self._stack.close()
        except (ConformanceError, AxisError, OSError) as exc:
            self.ledger.stop(f"the harness did not stop cleanly: {exc}")

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        outcome = self.outcome
        if outcome is None:
            return
        write = terminalreporter.write_line
        terminalreporter.section("lienthong certification")
        write(f"verdict: {outcome.verdict.value} — {outcome.reason}")
        if outcome.failed and outcome.report is not None:
            write("failed requirements:")
            for result in outcome.report.requirements:
                if result.verdict is Outcome.FAILED:
                    first = result.evidence[0].summary if result.evidence else ""
                    write(f"  {result.id} ({result.level.value}): {first}"[:400])
        if outcome.folder is not None:
            write(f"report: {outcome.folder / 'report.html'}")
        for path in outcome.scenarios:
            write(f"failing scenario written: {path} (replay with lienthong certify --replay)")

    # -- what the fixtures ask ---------------------------------------------------------------

    def open(self) -> World:
        """The axis, the cast and the configured SUT, started on first use."""
        if self._world is None:
            if self._offline is not None:
                pytest.skip(self._offline)
            try:
                self._world = self._stack.enter_context(
                    open_world(self.settings, self.adapter_factory, run_id=self.run_id)
                )
            except (*_INCOMPLETE, SutError) as exc:
                self._offline = f"the run cannot start: {exc}"
                self.ledger.stop(self._offline)
                pytest.exit(self._offline, returncode=2)
            self._announce(self._world)
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
            reset = " (reset before the run)" if world.was_reset else ""
            lines.append(f"  SUT: {ident.product} {ident.version} by {ident.vendor}{reset}")
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
        world = self._world
        if world is None:
            reason = self._offline or "no conformance test ran"
            return RunOutcome(None, None, Verdict.INCOMPLETE, reason)
        folder = self.folder
        text = world.admin.transcript()
        (folder / TRANSCRIPT_FILE).write_text(text, "utf-8")
        check = verify_lines(text.splitlines())
        events = world.observer.events(world.started_cursor)
        self._close()
        finished = datetime.now(UTC)
        report = build_report(
            ledger=self.ledger,
            requirement_ids=self.profile.requirement_ids,
            suite_version=_suite_version(),
            profile=self.profile.name,
            seed=self.settings.seed,
            time_scale=self.settings.time_scale,
            started=self.started,
            finished=finished,
            sut=_identity(world),
            axis_endpoint=world.axis_url,
            transcript_sha256=check.head,
            transcript_events=check.events,
        )
        report = report.with_results((), timelines=_timelines(world, report, events))
        if self.waivers:
            try:
                report = apply_waivers(
                    report, self.waivers, today=finished.astimezone(VIETNAM).date()
                )
            except WaiverError as exc:
                self.ledger.stop(f"the waivers do not fit the run: {exc}")
                report = replace(
                    report, completed=False, incomplete_reason="; ".join(self.ledger.incomplete)
                )
        (folder / SETTINGS_FILE).write_text(
            json.dumps(self.settings.to_json(), indent=2) + "\n", "utf-8"
        )
        signer = CertificateSigner.load_or_create(Path(self.settings.out_dir).parent / "keys")
        write_certification_folder(report, folder, signer=signer, issued_at=finished)
        verdict, reason = report.compute_verdict()
        failed = tuple(r.id for r in report.requirements if r.verdict is Outcome.FAILED)
        return RunOutcome(report, folder, verdict, reason, failed, list(self.scenarios))


_PHASES = pytest.StashKey[list]()


# -- fixtures (module level: this module is registered as a plugin beside the session) -------


def _session(config: pytest.Config) -> CertificationSession:
    plugin = config.pluginmanager.get_plugin(SESSION_PLUGIN)
    if not isinstance(plugin, CertificationSession):  # pragma: no cover - plugin.py registers it
        raise RuntimeError("the lienthong conformance session is not registered")
    return plugin


@pytest.fixture(scope="session")
def certify_settings(request: pytest.FixtureRequest) -> CertifySettings:
    """The run's settings (from the command line or the pytest options)."""
    return _session(request.config).settings


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
    return SutIdentity(
        name=ident.product if ident else "unknown SUT",
        vendor=ident.vendor if ident else "unknown",
        version=ident.version if ident else "unknown",
        system_id=world.cast.sut.system_id,
        organ_id=world.cast.sut.organ_id,
        adapter=world.settings.adapter_kind,
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
        if event.kind == "stored" and event.data.get("messagetype") == "edoc":
            samples.append((event.data.get("document_id") or "").strip())
        if len(samples) >= 2:
            break
    wanted = list(dict.fromkeys(failing))[:_FAILED_TIMELINES] + samples
    organ_of = {p.system_id: p.organ_id for p in (world.cast.sut, *world.cast.harness)}
    return build_timelines(events, organ_of, wanted)


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
            e.ok and e.data.get("messagetype") in (("edoc",) if receiver else ("edoc", "status"))
        ),
        kind=CALL,
        system=world.cast.sut.system_id,
        op="getReceivedEdocList",
    )
    if first is not None:
        return None
    calls = observer.sut_responses(world.started_cursor)
    refused = [e for e in calls if e.data.get("error_code") == "1"]
    evidence = [_event_evidence(e) for e in (refused or calls)[:4]]
    if refused:
        judge.fail(
            "SEC-SIGNED-REQUESTS",
            f"the axis refused all {len(refused)} call(s) of the SUT for their signature "
            f"(ErrorCode 1: {refused[0].data.get('error_desc')!r}); the SUT cannot be tested "
            "further",
            evidence,
        )
        return "the SUT cannot talk to the axis: every call is refused for its signature"
    judge.fail(
        "TR-POLL-EDOC" if receiver else "TR-POLL-STATUS",
        f"the SUT did not list its inbox successfully within "
        f"{world.bounds.poll_interval * 2:g} model seconds of being configured "
        f"({len(calls)} call(s) seen)",
        evidence,
    )
    return "the SUT never polled the axis successfully"


def _event_evidence(event: WireEvent) -> Any:
    from reports.model import Evidence

    return Evidence("transcript", str(event), [event.excerpt()], (event.seq,))
