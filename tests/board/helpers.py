"""Certificates, keys, clocks and registries for the board's tests: certification reports built
by hand (a few real catalogue requirements, so no SUT is needed), issued and signed by reports'
real issuing (``reports.certificate.issue_certificate`` with a ``CertificateSigner``), read back
through the board's verification, and a registry in a temporary folder."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping, Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from board.certificates import Certificate, Party, Software, parse_certificate
from board.registry import Registry, open_registry
from reports.certificate import issue_certificate
from reports.keys import CertificateSigner, TrustedKeys
from reports.layout import CERTIFICATE_JSON, REPORT_JSON
from reports.model import Conditions, Outcome, Report, RequirementResult, SutIdentity, Waiver
from spec.catalogue import catalogue_digest
from spec.clock import VIETNAM, FixedClock

TODAY = date(2016, 3, 1)
NOW = datetime(2016, 3, 1, 9, 0, tzinfo=VIETNAM)
CLOCK = FixedClock(NOW)
BINH_DINH = Party("000.00.00.H08", "Ủy ban nhân dân tỉnh Bình Định", "00.08.W00")
QUANG_NINH = Party("000.00.00.H49", "Ủy ban nhân dân tỉnh Quảng Ninh", "00.49.W00")
MIC = Party("000.00.00.G14", "Bộ Thông tin và Truyền thông", "02.14.W00")
EOFFICE = Software("Công ty Phần mềm A", "QLVB eOffice", "4.1.0", "git-9f2c1e")
EOFFICE_NEXT = Software("Công ty Phần mềm A", "QLVB eOffice", "4.2.0", "git-77aa01")
DOCFLOW = Software("Công ty B", "DocFlow", "2.0", "b77")
OFFICER = "Nguyễn Văn A"

# A few real requirements of the catalogue: what these reports judge.
MUST = ("TR-ACK-DONE", "RCV-ARRIVED", "LC-FORWARD-ONLY", "LC-NO-REPEAT", "ROB-BACKOFF")
SHOULD = ("LC-STAFFINFO-EXPECTED",)
FAILS = "LC-NO-REPEAT"  # what a NOT CERTIFIED report failed
UNTESTED = "ROB-BACKOFF"  # what an INCOMPLETE report did not test
SIGNED_BY_DEFAULT = {"full": True, "receiver": False, "sender": False}


def waiver(expires: date, requirement: str = "LC-FORWARD-ONLY") -> Waiver:
    return Waiver(requirement, "ticket 118: fixed in the next release", expires, OFFICER)


def make_report(
    party: Party = BINH_DINH,
    software: Software = EOFFICE,
    *,
    verdict: str = "CERTIFIED",
    profile: str = "full",
    require_signature: bool | None = None,
    requirements: Sequence[str] | None = None,
    mutant: str | None = None,
    waivers: Sequence[Waiver] = (),
    outcomes: Mapping[str, Outcome] | None = None,
    officer: str | None = OFFICER,
    finished: datetime = NOW,
) -> Report:
    """A finished certification report with these facts. ``verdict`` NOT CERTIFIED fails
    :data:`FAILS`, INCOMPLETE leaves :data:`UNTESTED` untested; ``requirements`` makes it a
    partial run of those ids (the others not tested, as the suite does); ``waivers`` excuse
    their requirements; ``outcomes`` set any requirement's outcome."""
    chosen: dict[str, Outcome] = dict.fromkeys((*MUST, *SHOULD), Outcome.PASSED)
    if verdict == "NOT CERTIFIED":
        chosen[FAILS] = Outcome.FAILED
    elif verdict == "INCOMPLETE":
        chosen[UNTESTED] = Outcome.NOT_TESTED
    overrides: dict[str, Any] = {}
    if requirements is not None:
        overrides["requirements"] = list(requirements)
        chosen = {i: (o if i in requirements else Outcome.NOT_TESTED) for i, o in chosen.items()}
    chosen.update(outcomes or {})
    results = []
    by_requirement = {w.requirement: w for w in waivers}
    for req_id, outcome in chosen.items():
        result = RequirementResult.of(req_id, outcome)
        if req_id in by_requirement:
            result = RequirementResult(
                result.id,
                result.title,
                result.level,
                result.family,
                result.source,
                Outcome.WAIVED,
                waiver=by_requirement[req_id],
            )
        results.append(result)
    signed = SIGNED_BY_DEFAULT[profile] if require_signature is None else require_signature
    if signed != SIGNED_BY_DEFAULT[profile]:
        overrides["require_signature"] = signed
    return Report(
        suite_version="0.1.0",
        profile=profile,
        seed=0,
        time_scale=300.0,
        started=finished - timedelta(minutes=10),
        finished=finished,
        sut=SutIdentity(
            product=software.product,
            vendor=software.vendor,
            version=software.version,
            build=software.build,
            contract_version="1.1",
            adapter="http",
            organ_id=party.organ_id,
            agency=party.agency,
            system_id=party.system_id,
        ),
        axis_endpoint="http://127.0.0.1:8088",
        requirements=tuple(results),
        transcript_sha256="ab" * 32,
        transcript_events=120,
        conditions=Conditions(
            require_signature=signed,
            overrides=overrides,
            exploration_examples=4,
            mutant=mutant,
            axis_kind="in-process",
            officer=officer,
            waivers_sha256=hashlib.sha256(b"waivers").hexdigest() if waivers else None,
            catalogue_sha256=catalogue_digest(),
            checks_sha256="c4" * 32,
        ),
    )


class Signer:
    """An Ed25519 certificate signer (reports' ``CertificateSigner``) that issues certificates
    over reports made by :func:`make_report`; ``trusted`` trusts it alone."""

    def __init__(self) -> None:
        self.signer = CertificateSigner.generate()

    @property
    def fingerprint(self) -> str:
        return self.signer.fingerprint

    @property
    def trusted(self) -> TrustedKeys:
        return TrustedKeys.of(self.signer.fingerprint)

    def public_key_file(self, folder: Path, name: str = "office.pem") -> Path:
        """The public key as ``lienthong keys export-public`` writes it."""
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / name
        path.write_text(self.signer.public_pem(), "ascii")
        return path

    def issued(
        self,
        party: Party = BINH_DINH,
        software: Software = EOFFICE,
        *,
        issued: datetime = NOW,
        validity_months: int = 12,
        **facts: Any,
    ) -> tuple[dict[str, Any], Report]:
        """A signed certificate (CERTIFIED, full profile, a year from ``issued`` unless the
        ``facts`` of :func:`make_report` say otherwise) and the report it certifies."""
        report = make_report(party, software, finished=issued, **facts)
        document = issue_certificate(
            report, self.signer, issued=issued, validity_months=validity_months
        )
        return document, report

    def document(
        self, party: Party = BINH_DINH, software: Software = EOFFICE, **facts: Any
    ) -> dict[str, Any]:
        return self.issued(party, software, **facts)[0]

    def certificate(
        self, party: Party = BINH_DINH, software: Software = EOFFICE, **facts: Any
    ) -> Certificate:
        """The same, verified and read as the board imports it on the day it was issued."""
        document, report = self.issued(party, software, **facts)
        day = datetime.fromisoformat(document["issued"]).date()
        return parse_certificate(
            json.dumps(document).encode(),
            self.trusted,
            today=day,
            report=report.dumps().encode(),
        )

    def file(
        self, folder: Path, party: Party = BINH_DINH, software: Software = EOFFICE, **facts: Any
    ) -> Path:
        """The same as a run folder: ``folder/certificate.json`` with its ``report.json``."""
        document, report = self.issued(party, software, **facts)
        return write_run(folder, document, report)


def write_run(folder: Path, document: Mapping[str, Any], report: Report | None = None) -> Path:
    """``certificate.json`` (and ``report.json``) in ``folder`` (created); the certificate."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / CERTIFICATE_JSON
    path.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", "utf-8")
    if report is not None:
        (folder / REPORT_JSON).write_text(report.dumps(), "utf-8")
    return path


@pytest.fixture
def signer() -> Signer:
    return Signer()


@pytest.fixture
def registry(tmp_path: Path) -> Iterator[Registry]:
    with open_registry(tmp_path / "board.sqlite", clock=CLOCK, who="test") as found:
        yield found
