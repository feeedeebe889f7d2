"""What a run needs read and checked before it starts: the settings, the waivers file, the
scenario to replay and the signing key. Anything wrong here is a run that cannot start
(exit 2, one reason, nothing written), found before the axis or the SUT is touched.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from conformance.errors import ConformanceError, CouldNotRun
from conformance.settings import CertifySettings
from reports.errors import CertificateError, WaiverError
from reports.keys import KeyFile, open_signing_key
from reports.model import Waiver
from reports.waivers import load_waivers, unknown_requirements
from spec.clock import SYSTEM_CLOCK, Clock

__all__ = ["CouldNotRun", "PreparedRun", "prepare"]


@dataclass(frozen=True, slots=True)
class PreparedRun:
    """A run ready to start: its settings, the waivers read from ``settings.waivers`` (with
    the file's bytes and SHA-256), the scenario to replay, the signing key, and the clock the
    run's dates come from (the certificate's issue date and validity, the waivers' expiry)."""

    settings: CertifySettings
    waivers: tuple[Waiver, ...]
    waivers_file: bytes | None
    key: KeyFile
    scenario: Any = None
    clock: Clock = SYSTEM_CLOCK

    @property
    def waivers_sha256(self) -> str | None:
        if self.waivers_file is None:
            return None
        return hashlib.sha256(self.waivers_file).hexdigest()


def _waivers(path: Path | None) -> tuple[tuple[Waiver, ...], bytes | None]:
    if path is None:
        return (), None
    try:
        data = path.read_bytes()
        waivers = load_waivers(path)
    except OSError as exc:
        raise CouldNotRun(f"--waivers {str(path)!r}: {exc.strerror or exc}") from exc
    except WaiverError as exc:
        raise CouldNotRun(f"--waivers {str(path)!r}: {exc}") from exc
    unknown = unknown_requirements(waivers)
    if unknown:
        raise CouldNotRun(f"--waivers {str(path)!r}: {'; '.join(unknown)}")
    return waivers, data


def _scenario(path: Path | None) -> Any:
    if path is None:
        return None
    from conformance.exploration import load_scenario

    try:
        return load_scenario(path)
    except ConformanceError as exc:
        raise CouldNotRun(str(exc)) from exc


def prepare(settings: CertifySettings, *, clock: Clock = SYSTEM_CLOCK) -> PreparedRun:
    """Read and check everything the run needs before it starts; raises :class:`CouldNotRun`
    with the one reason it cannot. ``clock`` dates the run (real time by default)."""
    waivers, data = _waivers(settings.waivers)
    scenario = _scenario(settings.replay)
    try:
        key = open_signing_key(settings.signing_key)
    except CertificateError as exc:
        raise CouldNotRun(f"--signing-key: {exc}") from exc
    return PreparedRun(settings, waivers, data, key, scenario, clock)
