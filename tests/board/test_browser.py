"""The web board in a real browser: Debian's headless Chromium signs in, loads a plan and
imports certificates through the forms, sees the phase go from blocked to ready, filters the
table, and follows an agency to its certificate; every page is photographed. The static export
is opened from the file system and works the same way, with no broken link."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from axis.dashboard import CHROMIUM, launch_chromium
from axis.server import running_app
from board.certificates import Party
from board.export import export_board
from board.registry import Registry
from board.simulate import simulate_phase
from board.web import board_app
from tests.board.helpers import BINH_DINH, CLOCK, NOW, QUANG_NINH, Signer

pytestmark = pytest.mark.browser

TOKEN = "browser-admin-token-0123456789"
WAIT_MS = 15_000
VIEWPORT = {"width": 1440, "height": 900}
PLAN = """\
name: wave-a
title: Two coastal provinces
start: 2016-03-07
end: 2016-03-31
members:
  - 000.00.00.H08
  - {id: 000.00.00.H49, role: receive-only}
"""


def simulate_blocked(registry: Registry) -> None:
    """The phase simulated as it stands (the blocked member on paper), small and quick."""
    plan = registry.plan("wave-a")
    ready = {BINH_DINH.organ_id: plan.start}
    result = simulate_phase(plan, ready, replications=2, days=3, scale=0.02)
    registry.store_simulation("wave-a", result.to_json(), who="test")


@pytest.fixture
def chromium() -> Path:
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM}: `make chromium` installs Debian's package")
    return CHROMIUM


@pytest.fixture
def served(registry: Registry, signer: Signer) -> Iterator[str]:
    app = board_app(registry, signer.trusted, clock=CLOCK, admin_token=TOKEN)
    with running_app(app) as url:
        yield url


@pytest.mark.slow
def test_a_phase_goes_from_blocked_to_ready(
    chromium: Path, served: str, signer: Signer, registry: Registry, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    plan = tmp_path / "wave-a.yaml"
    plan.write_text(PLAN, "utf-8")
    first = signer.file(tmp_path / "h08", party=BINH_DINH)
    second = signer.file(tmp_path / "h49", party=QUANG_NINH, profile="receiver")
    shots = tmp_path / "shots"
    with launch_chromium(chromium) as browser:
        page = browser.new_page(viewport=VIEWPORT)  # type: ignore[arg-type]
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))

        page.goto(f"{served}/admin")
        page.fill("#login input[name=who]", "Trần Thị B")
        page.fill("#login input[name=token]", TOKEN)
        page.click("#login button")
        expect(page.locator("h1")).to_contain_text("signed in as Trần Thị B")
        page.set_input_files("#plan input[name=plan]", str(plan))
        page.click("#plan button")
        expect(page.locator("#messages")).to_contain_text("plan wave-a loaded: 2 members")

        page.goto(f"{served}/phase/wave-a")
        expect(page.locator("h1 [data-state]")).to_have_attribute("data-state", "blocked")
        expect(page.locator('[data-count="blocked"]')).to_have_text("2")

        for certificate, count in ((first, "1"), (second, "2")):
            page.goto(f"{served}/admin")
            page.set_input_files("#import input[name=certificate]", str(certificate))
            page.set_input_files(
                "#import input[name=report]", str(certificate.parent / "report.json")
            )
            page.click("#import button")
            expect(page.locator("#messages [data-kind=ok]")).to_contain_text("imported")
            if count == "1":
                # Half the phase is ready: what the gap costs, simulated and shown beside it.
                simulate_blocked(registry)
            page.goto(f"{served}/phase/wave-a")
            expect(page.locator('[data-count="ready"]')).to_have_text(count)
            if count == "1":
                share = page.locator('#gap tr[data-metric="electronic_share"]')
                expect(share).to_contain_text("pp [")
                expect(share.locator(".ci .span")).to_have_count(1)
                expect(page.locator('#gap tr[data-metric="paper_free_commune"]')).to_contain_text(
                    "n/a"
                )
                page.screenshot(path=str(shots / "phase-blocked.png"), full_page=True)
        expect(page.locator("h1 [data-state]")).to_have_attribute("data-state", "ready")
        expect(page.locator("#forecast [data-ready-on]")).to_have_attribute(
            "data-ready-on", NOW.date().isoformat()
        )

        # Filters and search, kept in the address.
        page.wait_for_selector("body[data-filters=ready]")
        page.fill("#filters input[name=q]", "quảng ninh")
        expect(page.locator("#shown")).to_have_text("1 shown")
        expect(page.locator(f'tr[data-organ-id="{BINH_DINH.organ_id}"]')).to_be_hidden()
        assert "q=" in page.url
        page.fill("#filters input[name=q]", "")
        page.select_option("#filters select[name=status]", "blocked")
        expect(page.locator("#shown")).to_have_text("0 shown")
        page.select_option("#filters select[name=status]", "")
        page.screenshot(path=str(shots / "phase.png"), full_page=True)

        # Follow an agency to its certificate.
        page.click(f'tr[data-organ-id="{QUANG_NINH.organ_id}"] td:nth-child(2) a')
        expect(page.locator("h1")).to_have_text(QUANG_NINH.agency)
        expect(page.locator('#history [data-trust="valid"]')).to_have_count(1)
        page.screenshot(path=str(shots / "agency.png"), full_page=True)
        page.click("#history a[data-certificate]")
        expect(page.locator("#verification")).to_have_attribute("data-trust", "valid")
        expect(page.locator("#verification")).to_contain_text(
            "VALID: the signature verifies and its key"
        )
        expect(page.locator("#checks")).to_contain_text(
            "every fact of the certificate is the report's"
        )
        expect(page.locator("h1")).to_contain_text("CERTIFIED")
        page.screenshot(path=str(shots / "certificate.png"), full_page=True)

        for name, path in (
            ("overview", "/"),
            ("product", f"/product/{registry.products()[0].id}"),
            ("audit", "/audit"),
            ("admin", "/admin"),
        ):
            response = page.goto(f"{served}{path}")
            assert response is not None and response.ok, path
            page.screenshot(path=str(shots / f"{name}.png"), full_page=True)
        expect(page.locator('.tile[data-province="H08"]')).to_have_count(0)  # admin page
        page.goto(f"{served}/?phase=wave-a")
        expect(page.locator('.tile[data-province="H08"]')).to_have_attribute("data-state", "ready")
        expect(page.locator('.tile[data-province="H44"]')).to_have_attribute("data-state", "none")
        assert errors == []
    for name in (
        "overview", "phase-blocked", "phase", "agency", "certificate", "product", "audit", "admin"
    ):  # fmt: skip
        assert (shots / f"{name}.png").stat().st_size > 10_000, name


@pytest.mark.slow
def test_the_static_export_works_from_the_file_system(
    chromium: Path, registry: Registry, signer: Signer, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    registry.import_certificates([(signer.certificate(), "a")], who="t")
    registry.import_certificates(
        [
            (
                signer.certificate(
                    party=Party("000.00.00.G14", "Bộ TT&TT", "02.14.W00"),
                    verdict="NOT CERTIFIED",
                ),
                "b",
            )
        ],
        who="t",
    )
    result = export_board(
        registry, tmp_path / "export", trusted=signer.trusted, clock=CLOCK, created=NOW
    )
    with launch_chromium(chromium) as browser:
        page = browser.new_page(viewport=VIEWPORT)  # type: ignore[arg-type]
        failed: list[str] = []
        page.on("requestfailed", lambda request: failed.append(request.url))
        page.goto(result.index.as_uri())
        page.click('tr[data-phase="phase-1-2016"] a')
        expect(page.locator('[data-count="ready"]')).to_have_text("1")
        page.wait_for_selector("body[data-filters=ready]")
        page.select_option("#filters select[name=tier]", "central")
        expect(page.locator("#shown")).to_have_text("8 shown")
        page.click('tr[data-organ-id="000.00.00.G14"] td:nth-child(2) a')
        expect(page.locator("#history .reason.blocker")).to_contain_text("NOT CERTIFIED")
        page.click("#history a[data-certificate]")
        expect(page.locator("#verification")).to_have_attribute("data-trust", "valid")
        hrefs = page.eval_on_selector_all("a[href]", "as => as.map(a => a.href)")
        for href in hrefs:
            if href.startswith("file://"):
                assert Path(href.removeprefix("file://").split("?")[0].split("#")[0]).exists(), href
        assert failed == []
