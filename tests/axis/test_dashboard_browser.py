"""The dashboard in a real browser: Debian's headless Chromium watches ``/ui`` while two systems
exchange documents through a real axis, and sees them, their transport acks and their business
statuses appear without reloading; then follows a document to its timeline, which stays live too.

The screenshots stay in the test's temporary folder (pytest keeps the last runs' folders).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from axis import AxisConfig, running_axis
from axis.dashboard import (
    CHROMIUM,
    CaptureFailed,
    capture_dashboard_screenshot,
    launch_chromium,
    log_in,
)
from axis.dashboard.capture import LIVE_SELECTOR, VIEWPORT
from axis.testing import Documents
from spec.status_codes import StatusCode
from tests.axis.test_dashboard import no_server_errors

pytestmark = pytest.mark.browser

SEED = 21
VPCP, NGHE_AN, CAO_BANG = "02.22.W00", "00.41.W00", "00.14.W00"
G22, H41, H14 = "000.00.00.G22", "000.00.00.H41", "000.00.00.H14"
FORWARD = ("01", "03", "04", "05", "06")
WAIT_MS = 15_000


@pytest.fixture
def chromium() -> Path:
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM}: `make chromium` installs Debian's package")
    return CHROMIUM


@pytest.mark.slow
def test_documents_and_statuses_appear_live(chromium: Path, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    docs = Documents(seed=SEED)
    with (
        running_axis(AxisConfig(seed=SEED)) as server,
        server.client(VPCP) as vpcp,
        server.client(NGHE_AN) as nghe_an,
        server.client(CAO_BANG) as cao_bang,
        no_server_errors(),
        launch_chromium(chromium) as browser,
    ):
        page = browser.new_page(viewport=VIEWPORT)  # type: ignore[arg-type]
        log_in(page, f"{server.url}/ui/", server.admin_token)
        page.goto(f"{server.url}/ui/")
        page.wait_for_selector(LIVE_SELECTOR, timeout=WAIT_MS)
        page.evaluate("window.__sameDocument = true")  # gone if the page ever reloads

        first = vpcp.send_edoc(docs.edoc(G22, [H41, H14]))
        first_doc = docs.last
        second = vpcp.send_edoc(docs.edoc(G22, [H41]))
        row = page.locator(f'tr[data-doc-id="{first}"]')
        expect(row).to_be_visible(timeout=WAIT_MS)
        expect(page.locator(f'tr[data-doc-id="{second}"]')).to_be_visible(timeout=WAIT_MS)
        state_h41 = row.locator(f'li[data-receiver="{H41}"] [data-state]')
        expect(state_h41).to_have_attribute("data-state", "waiting", timeout=WAIT_MS)

        for item in nghe_an.get_received_list():
            nghe_an.get_edoc(item["docId"])
            nghe_an.update_status(item["docId"], "done")
        cao_bang.get_received_list()
        expect(state_h41).to_have_attribute("data-state", "done", timeout=WAIT_MS)
        expect(row.locator(f'li[data-receiver="{H14}"] [data-state]')).to_have_attribute(
            "data-state", "listed", timeout=WAIT_MS
        )

        business = row.locator(f'li[data-receiver="{H41}"] .status')
        docs.last = first_doc
        for minute, code in enumerate(FORWARD):
            nghe_an.send_edoc(docs.status(H41, code, minute=minute), messagetype="status")
            expect(business).to_have_attribute("data-code", code, timeout=WAIT_MS)
        expect(business).to_contain_text(StatusCode.COMPLETED.meaning_vi)
        expect(page.locator('[data-count="messages"]')).to_have_text("7", timeout=WAIT_MS)
        assert page.evaluate("window.__sameDocument === true"), "the page reloaded"
        overview = tmp_path / "dashboard.png"
        page.screenshot(path=str(overview), full_page=True)

        page.click(f'tr[data-doc-id="{first}"] a.doc-link')
        page.wait_for_url(f"**/ui/documents/{first}", timeout=WAIT_MS)
        page.wait_for_selector(LIVE_SELECTOR, timeout=WAIT_MS)
        lifecycle = page.locator(f'.lifecycle[data-receiver="{H41}"]')
        expect(lifecycle).to_have_attribute("data-codes", " ".join(FORWARD), timeout=WAIT_MS)
        expect(page.locator('tr[data-kind="transport ack"]').first).to_be_visible()
        page.evaluate("window.__sameDocument = true")
        cao_bang.send_edoc(docs.status(H14, "02", minute=9), messagetype="status")
        refused = page.locator(f'.lifecycle[data-receiver="{H14}"]')
        expect(refused).to_have_attribute("data-codes", "02", timeout=WAIT_MS)
        expect(page.locator("tr[data-seq] [data-code='02']")).to_have_count(1, timeout=WAIT_MS)
        assert page.evaluate("window.__sameDocument === true"), "the timeline reloaded"
        timeline = tmp_path / "timeline.png"
        page.screenshot(path=str(timeline), full_page=True)
        page.close()

    assert overview.stat().st_size > 10_000 and timeline.stat().st_size > 10_000


@pytest.mark.slow
def test_capture_saves_a_live_page_and_refuses_a_missing_one(
    chromium: Path, tmp_path: Path
) -> None:
    with running_axis(AxisConfig(seed=SEED)) as server, no_server_errors():
        token = server.admin_token
        shot = capture_dashboard_screenshot(
            f"{server.url}/ui/", tmp_path / "deep" / "ui.png", token=token
        )
        assert shot == tmp_path / "deep" / "ui.png"
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        with pytest.raises(CaptureFailed, match="answered 404"):
            capture_dashboard_screenshot(
                f"{server.url}/ui/documents/none", tmp_path / "x.png", token=token
            )
