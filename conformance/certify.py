"""One certification run from code or the command line: the conformance suite run by pytest
in this process, its verdict, and the exit code.

One vocabulary of outcomes, the same words in the CLI, the pytest summary, the report and the
certificate: CERTIFIED (exit 0), NOT CERTIFIED (1: a requirement failed), INCOMPLETE (3: a
partial run, a run that stopped early, or a MUST requirement that could not be verified), and
a run that could not run (2: bad options or files, the SUT or the axis unreachable, a SUT too
slow for the time scale), which judges nothing and writes no certificate. ``--replay`` runs a
scenario file instead: 0 when it no longer breaks its requirements, 1 when it still does.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from conformance.errors import CouldNotRun
from conformance.plugin import GivenRun
from conformance.prepared import PreparedRun, prepare
from conformance.runtime import SESSION_PLUGIN, CertificationSession, RunOutcome
from conformance.settings import CertifySettings
from reports.layout import CERTIFICATE_JSON, REPORT_HTML
from reports.model import Outcome, Report, Verdict

__all__ = [
    "CHECKS",
    "EXIT_CERTIFIED",
    "EXIT_COULD_NOT_RUN",
    "EXIT_INCOMPLETE",
    "EXIT_NOT_CERTIFIED",
    "CertifyResult",
    "run",
    "run_prepared",
]

CHECKS = Path(__file__).resolve().parent / "checks"
EXIT_CERTIFIED, EXIT_NOT_CERTIFIED, EXIT_COULD_NOT_RUN, EXIT_INCOMPLETE = 0, 1, 2, 3
EXIT_CODES = {
    Verdict.CERTIFIED: EXIT_CERTIFIED,
    Verdict.NOT_CERTIFIED: EXIT_NOT_CERTIFIED,
    Verdict.INCOMPLETE: EXIT_INCOMPLETE,
}
# Plugins of the environment that a certification run never needs (and that are slow to load).
# The warnings plugin goes too: the suite's own modules are usually imported before pytest
# starts (so pytest warns it cannot rewrite their asserts), and a library's deprecation
# warning must not decide a vendor's certification. So do pytest's unraisable-exception and
# thread-exception plugins: an exception in a finaliser or thread of the harness says nothing
# of the SUT, and the full garbage collection they run as the session ends took a tenth of a
# focused run's time.
_UNNEEDED_PLUGINS = (
    "cacheprovider",
    "locust",
    "schemathesis",
    "anyio",
    "faker",
    "xdist",
    "warnings",
    "unraisableexception",
    "threadexception",
)


@dataclass(frozen=True, slots=True)
class CertifyResult:
    """The outcome of a run, the exit code it maps to, and the one line that says it
    (``message``). ``outcome`` is None when the run could not run."""

    exit_code: int
    outcome: RunOutcome | None
    message: str

    @property
    def verdict(self) -> Verdict | None:
        """The verdict; None when the run could not run."""
        return self.outcome.verdict if self.outcome else None

    @property
    def failed(self) -> tuple[str, ...]:
        return self.outcome.failed if self.outcome else ()

    @property
    def folder(self) -> Path | None:
        return self.outcome.folder if self.outcome else None


class _Collector:
    """Picks the session's outcome up before pytest forgets it."""

    def __init__(self) -> None:
        self.session: CertificationSession | None = None

    @pytest.hookimpl(trylast=True)
    def pytest_configure(self, config: pytest.Config) -> None:
        plugin = config.pluginmanager.get_plugin(SESSION_PLUGIN)
        if isinstance(plugin, CertificationSession):
            self.session = plugin


def could_not_run(reason: str) -> CertifyResult:
    return CertifyResult(EXIT_COULD_NOT_RUN, None, f"could not run: {reason}")


def run(
    settings: CertifySettings,
    *,
    pytest_args: Sequence[str] = (),
    quiet: bool = True,
) -> CertifyResult:
    """Certify the SUT of ``settings``: prepare the run, run the suite, write the run's folder,
    and map the verdict to an exit code. ``pytest_args`` go to pytest as given (``-x``,
    ``-k``, …)."""
    try:
        prepared = prepare(settings)
    except CouldNotRun as exc:
        return could_not_run(str(exc))
    return run_prepared(prepared, pytest_args=pytest_args, quiet=quiet)


def run_prepared(
    prepared: PreparedRun,
    *,
    pytest_args: Sequence[str] = (),
    quiet: bool = True,
) -> CertifyResult:
    """Run a prepared run: pytest gets the settings object itself (no option strings)."""
    args = [str(CHECKS)]
    if prepared.settings.adapter_kind == "manual":
        args.append("-s")  # the operator reads the prompts and answers them on the terminal
    for name in _UNNEEDED_PLUGINS:
        args += ["-p", f"no:{name}"]
    if quiet:
        args += ["-qq", "--no-header", "--no-summary", "--tb=no"]
    args += list(pytest_args)
    collector = _Collector()
    status = pytest.main(args, plugins=[GivenRun(prepared, summary=not quiet), collector])
    session = collector.session
    outcome = session.outcome if session is not None else None
    return _result(prepared, int(status), outcome)


def _result(prepared: PreparedRun, status: int, outcome: RunOutcome | None) -> CertifyResult:
    if outcome is None:
        reasons: dict[int, str] = {
            pytest.ExitCode.USAGE_ERROR: "pytest refused the options",
            pytest.ExitCode.INTERRUPTED: "interrupted",
            pytest.ExitCode.INTERNAL_ERROR: "pytest failed internally",
        }
        why = reasons.get(status, f"pytest exit {status}")
        return could_not_run(why)
    if outcome.verdict is None:
        return could_not_run(outcome.reason)
    report = outcome.report
    replay = prepared.settings.replay
    if replay is not None and report is not None and prepared.scenario is not None:
        return _replay_result(prepared.scenario, report, outcome)
    code = EXIT_CODES[outcome.verdict]
    return CertifyResult(code, outcome, f"{outcome.verdict.value}: {outcome.reason}")


def _replay_result(scenario: object, report: Report, outcome: RunOutcome) -> CertifyResult:
    name = getattr(scenario, "name", "?")
    if not report.completed:
        return CertifyResult(EXIT_INCOMPLETE, outcome, f"INCOMPLETE: {outcome.reason}")
    results = {r.id: r for r in report.requirements}
    still = [
        i
        for i in getattr(scenario, "requirements", ())
        if i in results and results[i].verdict is Outcome.FAILED
    ]
    if still:
        return CertifyResult(
            EXIT_NOT_CERTIFIED, outcome, f"scenario {name} still fails: {', '.join(still)}"
        )
    return CertifyResult(
        EXIT_CERTIFIED, outcome, f"scenario {name} no longer breaks its requirements"
    )


def summary_lines(result: CertifyResult, out: Callable[[str], None] = print) -> None:
    """Print the verdict, the failed requirements, the notes and where the files are."""
    out(result.message)
    if result.failed:
        out("failed: " + ", ".join(result.failed))
    outcome = result.outcome
    if outcome is not None and outcome.report is not None:
        for waiver in outcome.report.unused_waivers:
            out(f"note: the waiver for {waiver.requirement} excused nothing in this run")
    if result.folder is not None:
        out(f"report: {result.folder / REPORT_HTML}")
        out(f"certificate: {result.folder / CERTIFICATE_JSON}")
        if outcome is not None and outcome.signer:
            out(f"signed by key {outcome.signer}")
