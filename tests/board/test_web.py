"""The web board in process: every page reads without a token; every change needs the admin
token and a refused change stores nothing; uploads are verified like `board import`; hostile
text is escaped; JSON and CSV views of a phase."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator

import httpx
import pytest

from axis.server import running_app
from board.certificates import Party, Software
from board.registry import Registry
from board.web import board_app
from tests.board.helpers import BINH_DINH, CLOCK, Signer

TOKEN = "test-admin-token-0123456789"


@pytest.fixture
def client(registry: Registry, signer: Signer) -> Iterator[httpx.Client]:
    """The board on a real port, and a client that keeps its cookies."""
    app = board_app(registry, signer.trusted, clock=CLOCK, admin_token=TOKEN)
    with running_app(app) as url, httpx.Client(base_url=url, timeout=30) as found:
        yield found


def signed_in(client: httpx.Client) -> httpx.Client:
    response = client.post("/admin/login", data={"who": "Trần Thị B", "token": TOKEN})
    assert response.status_code == 303
    assert "httponly" in response.headers["set-cookie"].lower()
    assert "samesite=strict" in response.headers["set-cookie"].lower()
    return client


def upload(client: httpx.Client, *documents: dict[str, object], **extra: str) -> httpx.Response:
    files = [
        ("certificate", (f"c{i}.json", json.dumps(d).encode(), "application/json"))
        for i, d in enumerate(documents)
    ]
    return client.post("/admin/import", files=files, data=extra)


def test_every_page_reads_without_a_token(
    client: httpx.Client, registry: Registry, signer: Signer
) -> None:
    certificate = signer.certificate()
    registry.import_certificates([(certificate, "a")], who="t")
    product = registry.products()[0].id
    for path in (
        "/",
        "/?phase=phase-2-2016",
        "/phase/phase-1-2016",
        f"/agency/{BINH_DINH.organ_id}",
        f"/certificate/{certificate.digest}",
        f"/product/{product}",
        "/audit",
        "/admin",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["content-security-policy"].startswith("default-src 'self'")
        assert "Traceback" not in response.text
    page = client.get("/phase/phase-1-2016").text
    assert f'data-organ-id="{BINH_DINH.organ_id}" data-state="ready"' in page
    assert "no certificate has been imported" in page
    assert client.get(f"/certificate/{certificate.digest}.json").json() == dict(
        certificate.document
    )


def test_unknown_things_are_a_404_page(client: httpx.Client) -> None:
    for path in (
        "/phase/nope",
        "/agency/000.00.00.H99",
        "/certificate/0123456789",
        "/product/77",
        "/x",
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "Not found" in response.text


def test_changes_need_the_admin_token_and_store_nothing_without_it(
    client: httpx.Client, registry: Registry, signer: Signer
) -> None:
    before = registry.audit()
    response = upload(client, signer.document())
    assert response.status_code == 403
    assert "sign in first" in response.text
    for path, data in (
        ("/admin/decide", {"plan": "phase-1-2016", "organ_id": "000.00.00.H08", "fix_days": "3"}),
        (
            "/admin/deploy",
            {
                "organ_id": "000.00.00.H08",
                "vendor": "v",
                "product": "p",
                "version": "1",
                "build": "b",
            },
        ),
    ):
        assert client.post(path, data=data).status_code == 403
    wrong = client.post("/admin/login", data={"who": "x", "token": "guess-guess-guess"})
    assert wrong.status_code == 403 and "wrong admin token" in wrong.text
    bearer = client.post(
        "/admin/decide",
        data={"plan": "phase-1-2016", "organ_id": "000.00.00.H08", "fix_days": "3"},
        headers={"Authorization": "Bearer not-the-token"},
    )
    assert bearer.status_code == 403
    assert registry.audit() == before
    assert registry.certificates_of(BINH_DINH.organ_id) == []


def test_upload_imports_verified_certificates_and_refuses_the_rest(
    client: httpx.Client, registry: Registry, signer: Signer
) -> None:
    signed_in(client)
    good = signer.document()
    forged = signer.document(party=Party("000.00.00.H49", "Quảng Ninh", "00.49.W00"))
    forged["verdict"] = "CERTIFIED"
    forged["software"]["build"] = "edited"
    untrusted = Signer().document()
    response = upload(client, good, forged, untrusted)
    text = response.text
    assert response.status_code == 200
    assert "c1.json: refused (invalid)" in text and "c2.json: refused (untrusted)" in text
    assert "certificate" in text and "imported" in text
    assert [c.party.organ_id for c in registry.certificates_of(BINH_DINH.organ_id)] == [
        BINH_DINH.organ_id
    ]
    assert registry.certificates_of("000.00.00.H49") == []
    entry = next(e for e in registry.audit() if e.action == "import")
    assert entry.who == "Trần Thị B"
    again = upload(client, good)
    assert "already in the registry" in again.text


def test_plan_upload_lists_every_problem(client: httpx.Client, registry: Registry) -> None:
    signed_in(client)
    bad = b"name: wave-x\nstart: 2026-01-05\nend: 2026-01-01\nmembers: [000.00.00.H99]\n"
    response = client.post("/admin/plan", files={"plan": ("wave.yaml", bad, "text/yaml")})
    assert response.status_code == 400
    assert "end (line 3): 2026-01-01 is before start 2026-01-05" in response.text
    assert "members[0] (line 4)" in response.text
    good = bad.replace(b"2026-01-01", b"2026-02-01").replace(b"H99", b"H44")
    response = client.post("/admin/plan", files={"plan": ("wave.yaml", good, "text/yaml")})
    assert response.status_code == 200 and "plan wave-x loaded: 1 members" in response.text
    assert registry.plan("wave-x").members[0].organ_id == "000.00.00.H44"


def test_decisions_and_deployments_through_the_forms(
    client: httpx.Client, registry: Registry
) -> None:
    signed_in(client)
    response = client.post(
        "/admin/decide",
        data={
            "plan": "phase-1-2016",
            "organ_id": "H08",
            "expected_ready": "2016-04-02",
            "fix_days": "",
            "note": "vendor says so",
        },
    )
    assert response.status_code == 200 and "decision recorded" in response.text
    assert "expected ready 2016-04-02" in client.get("/phase/phase-1-2016").text
    bad = client.post(
        "/admin/decide", data={"plan": "phase-1-2016", "organ_id": "H08", "expected_ready": "soon"}
    )
    assert bad.status_code == 400 and "not a date" in bad.text
    response = client.post(
        "/admin/deploy",
        data={
            "organ_id": "000.00.00.H08",
            "vendor": "A",
            "product": "QLVB",
            "version": "5",
            "build": "b5",
        },
    )
    assert response.status_code == 200 and "runs QLVB 5 (build b5)" in response.text


def test_hostile_text_from_a_certificate_is_escaped(
    client: httpx.Client, registry: Registry, signer: Signer
) -> None:
    evil = "<script>alert(1)</script>"
    certificate = signer.certificate(officer=evil, software=Software(evil, evil, evil, evil))
    registry.import_certificates([(certificate, evil)], who=evil)
    product = registry.products()[0].id
    for path in (
        f"/certificate/{certificate.digest}",
        "/audit",
        f"/agency/{BINH_DINH.organ_id}",
        f"/product/{product}",
    ):
        text = client.get(path).text
        assert evil not in text and "&lt;script&gt;" in text


def test_phase_as_json_and_csv(client: httpx.Client, registry: Registry, signer: Signer) -> None:
    registry.import_certificates([(signer.certificate(), "a")], who="t")
    data = client.get("/phase/phase-1-2016.json").json()
    assert data["plan"] == "phase-1-2016" and data["counts"]["ready"] == 1
    response = client.get("/phase/phase-1-2016.csv")
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert (
        len(rows) == 30
        and rows[8]["organ_id"] == BINH_DINH.organ_id
        and rows[8]["state"] == "ready"
    )


def test_a_change_without_a_declared_size_is_refused(
    client: httpx.Client, registry: Registry
) -> None:
    signed_in(client)
    before = registry.audit()

    def chunks() -> Iterator[bytes]:
        yield b"plan=phase-1-2016&organ_id=H08&fix_days=3"

    response = client.post(
        "/admin/decide",
        content=chunks(),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 411
    assert registry.audit() == before


def test_the_stored_simulation_and_the_forecast_sit_beside_the_table(
    client: httpx.Client, registry: Registry
) -> None:
    from tests.board.test_forecast import simulation

    page = client.get("/phase/phase-1-2016").text
    assert "Not simulated yet" in page
    stored = simulation(70, 1000.0).to_json() | {"plan": "phase-1-2016"}
    registry.store_simulation("phase-1-2016", stored, who="t")
    page = client.get("/phase/phase-1-2016").text
    assert 'data-metric="paper_letters"' in page and "Not simulated yet" not in page
    assert "Each week of delay" in page

    def ready_on(capacity: int) -> str:
        text = client.get(f"/phase/phase-1-2016?capacity={capacity}").text
        return text.split('data-ready-on="')[1].split('"')[0]

    assert ready_on(1) > ready_on(20)  # one run a week: 30 members take months
