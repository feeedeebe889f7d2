"""Certificates, keys, clocks and registries for the board's tests: bodies of the shape the
certification issue signs, signed with keys made here (board.issuing), and a registry in a
temporary folder."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from board.certificates import (
    Certificate,
    Party,
    Software,
    TrustedKeys,
    parse_certificate,
)
from board.issuing import issue_certificate, write_certificate
from board.registry import Registry, open_registry
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


class Signer:
    """An Ed25519 key that issues certificates; ``trusted`` trusts it alone."""

    def __init__(self) -> None:
        self.key = Ed25519PrivateKey.generate()

    @property
    def trusted(self) -> TrustedKeys:
        return TrustedKeys.of(self.key.public_key())

    def document(
        self, party: Party = BINH_DINH, software: Software = EOFFICE, **facts: Any
    ) -> dict[str, Any]:
        """A signed certificate document: CERTIFIED, full profile, valid a year from TODAY,
        unless ``facts`` say otherwise."""
        facts.setdefault("issued", NOW)
        facts.setdefault("valid_from", TODAY)
        facts.setdefault("valid_until", TODAY + timedelta(days=365))
        return issue_certificate(self.key, party=party, software=software, **facts)

    def certificate(
        self, party: Party = BINH_DINH, software: Software = EOFFICE, **facts: Any
    ) -> Certificate:
        """The same, verified and parsed as the board reads it."""
        import json

        data = json.dumps(self.document(party, software, **facts)).encode()
        return parse_certificate(data, self.trusted)

    def file(
        self, folder: Path, party: Party = BINH_DINH, software: Software = EOFFICE, **facts: Any
    ) -> Path:
        """The same, written as ``folder/certificate.json``."""
        return write_certificate(folder, self.document(party, software, **facts))


@pytest.fixture
def signer() -> Signer:
    return Signer()


@pytest.fixture
def registry(tmp_path: Path) -> Iterator[Registry]:
    with open_registry(tmp_path / "board.sqlite", clock=CLOCK, who="test") as found:
        yield found
