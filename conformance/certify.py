"""One certification run from code or the command line: the conformance suite run by pytest
in this process, its verdict, and the exit code.

Exit codes: 0 only when the verdict is CERTIFIED for the chosen profile; 1 when a requirement
failed (or a MUST requirement could not be verified on this SUT); 2 when the run could not be
completed (the SUT or the axis unreachable, bad options). ``--replay`` runs a scenario file
instead: 0 when it no longer breaks its requirements, 1 when it still does.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from conformance.plugin import settings_args
from conformance.runtime import SESSION_PLUGIN, CertificationSession, RunOutcome
from conformance.settings import CertifySettings
from reports.model import Outcome, Report, Verdict

__all__ = ["CHECKS", "EXIT_CERTIFIED", "EXIT_FAILED", "EXIT_INCOMPLETE", "CertifyResult", "run"]

CHECKS = Path(__file__).resolve().parent / "checks"
EXIT_CERTIFIED, EXIT_FAILED, EXIT_INCOMPLETE = 0, 1, 2
# Plugins of the environment that a certification run never needs (and that are slow to load).
# The warnings plugin goes too: the suite's own modules are usually imported before pytest
# starts (so pytest warns it cannot rewrite their asserts), and a library's deprecation
# warning must not decide a vendor's certification.
_UNNEEDED_PLUGINS = (
    "cacheprovider",
    "locust",
    "schemathesis",
    "anyio",
    "faker",
    "xdist",
    "warnings",
)


@dataclass(frozen=True, slots=True)
class CertifyResult:
    """The outcome of a run and the exit code it maps to, with the reason in words."""

    exit_code: int
    outcome: RunOutcome | None
    message: str

    @property
    def verdict(self) -> Verdict:
        return self.outcome.verdict if self.outcome else Verdict.INCOMPLETE

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


def run(
    settings: CertifySettings,
    *,
    pytest_args: Sequence[str] = (),
    quiet: bool = True,
) -> CertifyResult:
    """Certify the SUT of ``settings``: run the suite, write the run's folder, and map the
    verdict to an exit code. ``pytest_args`` go to pytest as given (``-x``, ``-k``, …)."""
    args = [str(CHECKS), *settings_args(settings)]
    if settings.adapter_kind == "manual":
        args.append("-s")  # the operator reads the prompts and answers them on the terminal
    for name in _UNNEEDED_PLUGINS:
        args += ["-p", f"no:{name}"]
    if quiet:
        args += ["-q", "--no-header", "--tb=no"]
    args += list(pytest_args)
    collector = _Collector()
    status = pytest.main(args, plugins=[collector])
    session = collector.session
    outcome = session.outcome if session is not None else None
    return _result(settings, int(status), outcome)


def _result(settings: CertifySettings, status: int, outcome: RunOutcome | None) -> CertifyResult:
    if outcome is None:
        why = {
            pytest.ExitCode.USAGE_ERROR: "bad options",
            pytest.ExitCode.INTERRUPTED: "interrupted",
            pytest.ExitCode.INTERNAL_ERROR: "pytest failed internally",
        }.get(pytest.ExitCode(status) if status in range(6) else status, f"pytest exit {status}")
        return CertifyResult(EXIT_INCOMPLETE, None, f"the run could not be completed: {why}")
    report = outcome.report
    if settings.replay is not None and report is not None:
        return _replay_result(settings.replay, report, outcome)
    completed = report is not None and report.completed
    if outcome.verdict is Verdict.CERTIFIED:
        return CertifyResult(EXIT_CERTIFIED, outcome, f"CERTIFIED: {outcome.reason}")
    if outcome.verdict is Verdict.NOT_CERTIFIED:
        return CertifyResult(EXIT_FAILED, outcome, f"NOT CERTIFIED: {outcome.reason}")
    if not completed:
        return CertifyResult(EXIT_INCOMPLETE, outcome, f"INCOMPLETE: {outcome.reason}")
    return CertifyResult(EXIT_FAILED, outcome, f"NOT CERTIFIED ({outcome.reason})")


def _replay_result(replay: Path, report: Report, outcome: RunOutcome) -> CertifyResult:
    from conformance.exploration import load_scenario

    scenario = load_scenario(replay)
    if not report.completed:
        return CertifyResult(EXIT_INCOMPLETE, outcome, f"INCOMPLETE: {outcome.reason}")
    results = {r.id: r for r in report.requirements}
    still = [
        i for i in scenario.requirements if i in results and results[i].verdict is Outcome.FAILED
    ]
    if still:
        return CertifyResult(
            EXIT_FAILED, outcome, f"scenario {scenario.name} still fails: {', '.join(still)}"
        )
    return CertifyResult(
        EXIT_CERTIFIED, outcome, f"scenario {scenario.name} no longer breaks its requirements"
    )


def summary_lines(result: CertifyResult, out: Callable[[str], None] = print) -> None:
    """Print the verdict, the failed requirements and where the report is."""
    out(result.message)
    if result.failed:
        out("failed: " + ", ".join(result.failed))
    if result.folder is not None:
        out(f"report: {result.folder / 'report.html'}")
        out(f"certificate: {result.folder / 'certificate.json'}")
