"""The dashboard shows documents only to whoever has the admin token (a login that sets an
HTTP-only cookie), filters its message list, shows a document's findings and raw bytes; ``axis
serve`` prints where the dashboard is, and the addresses a remote SDK can use."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import httpx
import lxml.html
import pytest

from axis import AxisClient, AxisConfig, create_app
from axis.announce import announce
from axis.app import AxisApp
from axis.inprocess import InProcessTransport
from axis.testing import Documents

BASE = "http://axis.test"
VPCP, NGHE_AN, CAO_BANG = "02.22.W00", "00.41.W00", "00.14.W00"
G22, H41, H14 = "000.00.00.G22", "000.00.00.H41", "000.00.00.H14"


@pytest.fixture
def app(tmp_path: Path) -> Iterator[AxisApp]:
    app = create_app(AxisConfig(seed=6), data_dir=tmp_path)
    try:
        yield app
    finally:
        app.store.close()


def _client(app: AxisApp, client: tuple[str, int] = ("127.0.0.1", 50000)) -> httpx.Client:
    return httpx.Client(transport=InProcessTransport(app, client=client), base_url=BASE)


def _sent(app: AxisApp) -> tuple[str, str, bytes]:
    """Two documents VPCP → Nghệ An and → Cao Bằng (the second with junk before the XML)."""
    docs = Documents(seed=6)
    junk = b"1212" + docs.edoc(G22, [H14])
    secret = app.store.registry.system(VPCP).secret  # type: ignore[union-attr]
    with AxisClient(BASE, VPCP, secret, transport=InProcessTransport(app)) as vpcp:
        first = vpcp.send_edoc(docs.edoc(G22, [H41]))
        second = vpcp.send_edoc(junk)
    return first, second, junk


def test_documents_and_lists_need_the_token(app: AxisApp) -> None:
    first, _, _ = _sent(app)
    with _client(app) as anonymous:
        overview = anonymous.get("/ui/")
        assert overview.status_code == 200
        assert first not in overview.text and "Log in" in overview.text
        assert "data-count" in overview.text  # the summary counts stay public here
        page = anonymous.get(f"/ui/documents/{first}")
        assert page.status_code == 303
        assert page.headers["location"] == f"/ui/login?next=/ui/documents/{first}"
        for path in (
            "/ui/fragments/messages",
            "/ui/fragments/systems",
            f"/ui/fragments/documents/{first}",
            f"/ui/raw/{first}",
            "/ui/events",
        ):
            response = anonymous.get(path)
            assert response.status_code == 401, path
            assert first not in response.text
        assert anonymous.get("/ui/fragments/counts").status_code == 200


def test_from_another_machine_even_the_counts_need_the_token(app: AxisApp) -> None:
    with _client(app, ("203.0.113.9", 40000)) as remote:
        assert remote.get("/ui/").status_code == 303
        assert remote.get("/ui/fragments/counts").status_code == 401


def test_login_sets_an_http_only_cookie_and_logout_ends_it(app: AxisApp) -> None:
    first, _, _ = _sent(app)
    with _client(app) as browser:
        wrong = browser.post("/ui/login", data={"token": "guess", "next": "/ui/"})
        assert wrong.status_code == 401 and "not the admin token" in wrong.text
        assert "lienthong_ui" not in browser.cookies
        right = browser.post(
            "/ui/login", data={"token": app.admin_token, "next": f"/ui/documents/{first}"}
        )
        assert right.status_code == 303 and right.headers["location"] == f"/ui/documents/{first}"
        cookie = right.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie and "path=/ui" in cookie
        assert app.admin_token not in right.headers["set-cookie"]
        assert browser.get(f"/ui/documents/{first}").status_code == 200
        assert first in browser.get("/ui/").text
        assert browser.post("/ui/logout").status_code == 303
        assert browser.get(f"/ui/documents/{first}").status_code == 303


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/ui/", "/elsewhere"])
def test_login_never_sends_a_browser_to_another_site(app: AxisApp, target: str) -> None:
    with _client(app) as browser:
        answer = browser.post("/ui/login", data={"token": app.admin_token, "next": target})
        assert answer.headers["location"] == "/ui/"


@contextlib.contextmanager
def _logged_in(app: AxisApp) -> Iterator[httpx.Client]:
    with _client(app) as client:
        client.post("/ui/login", data={"token": app.admin_token})
        yield client


def _listed(client: httpx.Client, query: str) -> list[str]:
    page = lxml.html.fromstring(client.get(f"/ui/?{query}").text)
    return [
        str(row.get("data-doc-id"))
        for row in page.xpath("//table[contains(@class, 'messages')]//tr[@data-doc-id]")
    ]


def test_the_message_list_filters_by_system_agency_and_status(app: AxisApp) -> None:
    first, second, _ = _sent(app)
    with _logged_in(app) as ui:
        assert _listed(ui, "") == [second, first]
        assert _listed(ui, f"system={NGHE_AN}") == [first]
        assert _listed(ui, f"system={VPCP}") == [second, first]
        assert _listed(ui, f"agency={H14}") == [second]
        assert _listed(ui, "status=waiting") == [second, first]
        assert _listed(ui, "status=done") == []
        assert _listed(ui, "status=06") == []
        fragment = ui.get(f"/ui/fragments/messages?agency={H41}").text
        assert first in fragment and second not in fragment
        assert "No message matches" in ui.get("/ui/?agency=000.00.00.H99").text
        assert ui.get("/ui/?agency=" + "x" * 200).status_code == 400


def test_a_document_page_shows_its_findings_and_links_its_raw_bytes(app: AxisApp) -> None:
    first, second, junk = _sent(app)
    with _logged_in(app) as ui:
        page = lxml.html.fromstring(ui.get(f"/ui/documents/{second}").text)
        rows = page.xpath("//section[@id='findings']//tr[@data-req]")
        assert "XML-JUNK-BEFORE-DECLARATION" in {r.get("data-req") for r in rows}
        [link] = page.xpath("//a[contains(@class, 'raw-link')]")
        raw = ui.get(str(link.get("href")))
        assert raw.content == junk
        assert raw.headers["content-disposition"].startswith("attachment")
        assert raw.headers["x-content-type-options"] == "nosniff"
        clean = lxml.html.fromstring(ui.get(f"/ui/documents/{first}").text)
        assert "passed the validator" in clean.xpath("string(//section[@id='findings'])")


def test_serve_prints_the_dashboard_and_every_address_a_remote_sdk_can_use(
    app: AxisApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    import psutil

    addresses = {
        "lo": [SimpleNamespace(address="127.0.0.1")],
        "eth0": [SimpleNamespace(address="192.0.2.10"), SimpleNamespace(address="fe80::1%eth0")],
        "wlan0": [SimpleNamespace(address="198.51.100.7")],
    }
    monkeypatch.setattr(psutil, "net_if_addrs", lambda: addresses)
    lines: list[str] = []
    announce(app, "http://0.0.0.0:8800", lines.append)
    text = "\n".join(lines)
    assert "http://192.0.2.10:8800" in text and "http://198.51.100.7:8800" in text
    assert "endpoint for the SDK:  http://0.0.0.0" not in text.replace("  ", " ")
    assert "dashboard:             http://192.0.2.10:8800/ui/" in text
    local: list[str] = []
    announce(app, "http://127.0.0.1:8800", local.append)
    assert any("dashboard:" in line and "http://127.0.0.1:8800/ui/" in line for line in local)
    assert any("random at this start" in line for line in local) is False  # seed 6 was given
