"""The registry file: created with the fixtures' agencies, systems and plans; certificates,
deployments, plans and decisions stored with an audit entry each (who, when in Vietnam time,
what); importing twice changes nothing; a refused change stores nothing."""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta
from pathlib import Path

import pytest

from board.certificates import Software
from board.errors import NotFound, RegistryError
from board.plans import parse_plan
from board.registry import Registry, open_registry
from tests.board.helpers import BINH_DINH, CLOCK, EOFFICE, EOFFICE_NEXT, NOW, TODAY, Signer


def test_a_new_registry_holds_the_four_tiers_the_systems_and_the_shipped_plans(
    registry: Registry,
) -> None:
    counts = registry.counts()
    assert counts["central"] == 30
    assert counts["province"] > 63 and counts["district"] > 700 and counts["commune"] > 11000
    assert len(registry.provinces()) == 63
    assert [p.name for p in registry.plans()][:4] == [
        "pilot-2015",
        "hcm-2016",
        "phase-1-2016",
        "phase-2-2016",
    ]
    assert registry.system("00.44.W00").owner == "000.00.00.H44"
    assert (
        registry.system("00.44.W00").agencies > 100
    )  # the province, its departments, districts, communes
    assert registry.agency("H44").organ_id == "000.00.00.H44"  # QĐ 20 form resolves
    [created] = registry.audit()
    assert (created.action, created.who, created.at) == ("create", "test", NOW)


def test_the_file_is_sqlite_in_wal_mode(registry: Registry) -> None:
    db = sqlite3.connect(registry.path)
    try:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        db.close()


def test_a_file_that_is_not_a_registry_is_refused(tmp_path: Path) -> None:
    other = tmp_path / "other.sqlite"
    db = sqlite3.connect(other)
    db.execute("CREATE TABLE x (y)")
    db.commit()
    db.close()
    with pytest.raises(RegistryError, match="not a board registry"):
        open_registry(other)
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(RegistryError):
        open_registry(junk)


def deployed_software(registry: Registry, organ_id: str) -> Software:
    deployment = registry.deployment(organ_id)
    assert deployment is not None, f"{organ_id} has no deployment"
    return deployment.software


def test_importing_stores_the_certificate_and_its_deployment_once(
    registry: Registry, signer: Signer
) -> None:
    certificate = signer.certificate()
    [first] = registry.import_certificates([(certificate, "a.json")], who="Nguyễn Văn A")
    assert first.added and first.deployment is not None
    assert deployed_software(registry, BINH_DINH.organ_id) == EOFFICE
    audit = registry.audit()
    [again] = registry.import_certificates([(certificate, "a.json")], who="Nguyễn Văn A")
    assert not again.added and again.deployment is None
    assert registry.audit() == audit  # nothing changed, nothing logged
    assert [c.digest for c in registry.certificates_of(BINH_DINH.organ_id)] == [certificate.digest]
    entry = next(e for e in audit if e.action == "import")
    assert entry.who == "Nguyễn Văn A" and entry.at == NOW and entry.subject == BINH_DINH.organ_id
    assert entry.detail["certificate"] == certificate.digest
    assert entry.detail["verdict"] == "CERTIFIED"


def test_a_certificate_for_an_unknown_agency_stores_nothing(
    registry: Registry, signer: Signer
) -> None:
    from board.certificates import Party

    good = signer.certificate()
    stranger = signer.certificate(party=Party("000.00.00.H99", "Nowhere", "00.99.W00"))
    before = registry.audit()
    with pytest.raises(RegistryError, match="no agency of the registry"):
        registry.import_certificates([(good, "a"), (stranger, "b")], who="t")
    assert registry.audit() == before
    assert registry.certificates_of(BINH_DINH.organ_id) == []


def test_a_new_build_replaces_the_deployment_and_history_stays(
    registry: Registry, signer: Signer
) -> None:
    registry.import_certificates([(signer.certificate(), "a")], who="t")
    later = signer.certificate(software=EOFFICE_NEXT, issued=NOW + timedelta(days=40))
    registry.import_certificates([(later, "b")], who="t")
    assert deployed_software(registry, BINH_DINH.organ_id) == EOFFICE  # not without --deploy
    third = signer.certificate(software=EOFFICE_NEXT, validity_months=6)
    [outcome] = registry.import_certificates([(third, "c")], who="t", deploy=True)
    assert outcome.deployment is not None
    history = registry.deployment_history(BINH_DINH.organ_id)
    assert [d.software for d in history] == [EOFFICE_NEXT, EOFFICE]
    assert deployed_software(registry, BINH_DINH.organ_id) == EOFFICE_NEXT


def test_record_deployment_checks_the_system(registry: Registry) -> None:
    with pytest.raises(RegistryError, match="not a connection-system id"):
        registry.record_deployment(BINH_DINH.organ_id, EOFFICE, system_id="000.00.00.H08", who="t")
    with pytest.raises(NotFound):
        registry.record_deployment("000.00.00.H99", EOFFICE, who="t")
    d = registry.record_deployment(BINH_DINH.organ_id, EOFFICE, since=date(2016, 2, 1), who="t")
    assert d.system_id == "00.08.W00" and d.since == date(2016, 2, 1)


def test_certificates_found_by_digest_prefix(registry: Registry, signer: Signer) -> None:
    certificate = signer.certificate()
    registry.import_certificates([(certificate, "a")], who="t")
    assert registry.certificate(certificate.digest[:10]).digest == certificate.digest
    for bad in ("abc", "zzzzzzzzzz", "0" * 12):
        with pytest.raises(NotFound):
            registry.certificate(bad)


def test_plans_load_replace_and_shipped_ones_are_protected(registry: Registry) -> None:
    text = "name: wave-a\nstart: 2026-01-05\nend: 2026-02-27\nmembers: [000.00.00.H44]\n"
    assert registry.load_plan(parse_plan(text, "a.yaml", registry.resolve), who="t")
    bigger = text.replace("[000.00.00.H44]", "[000.00.00.H44, 000.00.00.H41]")
    assert not registry.load_plan(parse_plan(bigger, "a.yaml", registry.resolve), who="t")
    assert [m.organ_id for m in registry.plan("wave-a").members] == [
        "000.00.00.H44",
        "000.00.00.H41",
    ]
    shadow = text.replace("wave-a", "phase-1-2016")
    with pytest.raises(RegistryError, match="shipped plan"):
        registry.load_plan(parse_plan(shadow, "b.yaml", registry.resolve), who="t")
    assert len(registry.plan("phase-1-2016").members) == 30
    with pytest.raises(NotFound, match="plans: pilot-2015"):
        registry.plan("nope")


def test_decisions_are_checked_and_audited(registry: Registry) -> None:
    with pytest.raises(RegistryError, match="not a member"):
        registry.decide(
            "phase-1-2016", "000.00.00.H44", expected_ready=TODAY, fix_days=None, who="t"
        )
    with pytest.raises(RegistryError, match="give an expected ready date"):
        registry.decide(
            "phase-1-2016", "000.00.00.H08", expected_ready=None, fix_days=None, who="t"
        )
    with pytest.raises(RegistryError, match="fix_days"):
        registry.decide("phase-1-2016", "000.00.00.H08", expected_ready=None, fix_days=-3, who="t")
    d = registry.decide(
        "phase-1-2016", "H08", expected_ready=date(2016, 4, 2), fix_days=10, note="n", who="Lê C"
    )
    assert registry.decisions("phase-1-2016") == {"000.00.00.H08": d}
    assert registry.audit()[0].who == "Lê C" and registry.audit()[0].action == "decide"


def test_a_second_process_reads_what_the_first_wrote(tmp_path: Path, signer: Signer) -> None:
    path = tmp_path / "shared.sqlite"
    with open_registry(path, clock=CLOCK) as writer, open_registry(path, clock=CLOCK) as reader:
        writer.import_certificates([(signer.certificate(), "a")], who="t")
        assert len(reader.certificates_of(BINH_DINH.organ_id)) == 1
