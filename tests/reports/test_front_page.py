"""The front page: built from the run.json folders a set of runs left, it lists the latest of
each kind with verdict badge, date, seed and a link, shows the dashboard screenshot, names the
runs it cannot link, and reads well in headless Chromium (every link resolves, every image
loads)."""

from __future__ import annotations

import functools
import http.server
import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urljoin

import lxml.html
import pytest
from playwright.sync_api import Request

from axis.dashboard import CHROMIUM, launch_chromium
from lienthong.front import refresh_front_page
from reports.front_page import DASHBOARD_RUNS, LATEST, collect_runs, rebuild_front_page
from reports.run_index import RunIndex, write_run_index

T0 = datetime(2026, 3, 14, 9, 0, tzinfo=UTC)
# A 1x1 PNG: enough for the browser to decode and lay out.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201e2dd3c7a"
    "0000000049454e44ae426082"
)


def _run(
    out: Path,
    folder: str,
    kind: str,
    *,
    minutes: int,
    verdict: str | None,
    seed: int | None = 7,
    title: str | None = None,
) -> Path:
    where = out / folder / f"run-{kind}-{minutes:03d}"
    where.mkdir(parents=True)
    (where / "report.html").write_text(
        f'<!doctype html><title>{kind}</title><img src="pic.png" alt="a picture">', "utf-8"
    )
    (where / "pic.png").write_bytes(PNG)
    write_run_index(
        where,
        RunIndex(
            kind=kind,
            title=title or f"{kind} run {minutes}",
            created=T0 + timedelta(minutes=minutes),
            seed=seed,
            summary=f"{verdict or 'no verdict'} after {minutes} minutes",
            verdict=verdict,
        ),
    )
    return where


@pytest.fixture
def out(tmp_path: Path) -> Path:
    out = tmp_path / "out"
    _run(out, "certify", "certification", minutes=1, verdict="CERTIFIED", title="QLVB 3.1")
    _run(out, "certify", "certification", minutes=2, verdict="NOT CERTIFIED", title="QLVB 3.0")
    _run(out, "sim", "sim", minutes=3, verdict=None, seed=1234)
    _run(out, "load", "load", minutes=4, verdict="pass")
    _run(out, "load", "load", minutes=5, verdict="fail")
    _run(out, "dashboard", "dashboard", minutes=6, verdict=None, seed=21)
    _run(out, "bench", "bench", minutes=7, verdict="INCOMPLETE", seed=None)
    (out / "dashboard" / "dashboard.png").write_bytes(PNG)
    return out


def _rows(page: lxml.html.HtmlElement, section: str) -> list[dict[str, str]]:
    rows = []
    for tr in page.xpath(f"//section[@id='{section}']//tr[td]"):
        badge, run, when, seed = tr.xpath("td")
        link = run.xpath(".//a")[0]
        rows.append(
            {
                "badge": badge.xpath(".//span")[0].get("class").split()[-1],
                "verdict": badge.text_content().strip(),
                "href": link.get("href"),
                "title": link.text_content(),
                "when": when.text_content().strip(),
                "seed": seed.text_content().strip(),
            }
        )
    return rows


def test_each_kind_has_its_section_newest_first_with_badge_date_seed_and_link(out: Path) -> None:
    page = lxml.html.fromstring(rebuild_front_page(out).read_text("utf-8"))
    certification = _rows(page, "certification")
    assert [(r["title"], r["badge"], r["verdict"]) for r in certification] == [
        ("QLVB 3.0", "fail", "NOT CERTIFIED"),
        ("QLVB 3.1", "pass", "CERTIFIED"),
    ]
    assert certification[0]["when"] == "2026-03-14 16:02 (UTC+7)"
    assert certification[0]["href"] == "certify/run-certification-002/report.html"
    assert [(r["badge"], r["seed"]) for r in _rows(page, "simulation")] == [("none", "1234")]
    assert [r["badge"] for r in _rows(page, "load")] == ["fail", "pass"]
    assert [(r["badge"], r["seed"]) for r in _rows(page, "other")] == [("other", "—")]
    shot = page.xpath("//section[@id='dashboard']//figure//img")[0]
    assert shot.get("src") == "dashboard/dashboard.png"
    assert [r["seed"] for r in _rows(page, "dashboard")] == ["21"]
    for link in page.xpath("//a[@href]"):
        href = link.get("href")
        assert href.startswith("#") or (out / href).is_file(), href


def test_only_the_latest_runs_of_a_kind_are_listed(tmp_path: Path) -> None:
    out = tmp_path / "out"
    for minutes in range(LATEST + 2):
        _run(out, "load", "load", minutes=minutes, verdict="pass")
        _run(out, "dashboard", "dashboard", minutes=minutes, verdict=None)
    page = lxml.html.fromstring(rebuild_front_page(out).read_text("utf-8"))
    assert len(_rows(page, "dashboard")) == DASHBOARD_RUNS
    rows = _rows(page, "load")
    assert len(rows) == LATEST
    assert rows[0]["title"] == f"load run {LATEST + 1}"
    heading = page.xpath("//section[@id='load']/h2")[0].text_content()
    assert f"latest {LATEST} of {LATEST + 2}" in heading


def test_runs_it_cannot_link_are_named_not_linked(out: Path) -> None:
    broken = out / "load" / "broken-json"
    broken.mkdir()
    (broken / "run.json").write_text("{not json", "utf-8")
    missing_field = out / "load" / "no-verdict-key"
    missing_field.mkdir()
    (missing_field / "run.json").write_text(
        json.dumps({"kind": "load", "title": "t", "created": T0.isoformat(), "seed": 1}), "utf-8"
    )
    (out / "sim" / "run-sim-003" / "report.html").unlink()
    entries, notes = collect_runs(out)
    assert len(entries) == 6
    assert any("broken-json/run.json cannot be read" in n for n in notes)
    assert any("no-verdict-key/run.json does not match" in n for n in notes)
    assert any("run-sim-003: its page 'report.html' is missing" in n for n in notes)
    page = lxml.html.fromstring(rebuild_front_page(out).read_text("utf-8"))
    assert len(page.xpath("//section[@id='notes']//li")) == 3
    hrefs = [a.get("href") for a in page.xpath("//a[@href]")]
    assert not any("broken-json" in h or "no-verdict-key" in h or "run-sim" in h for h in hrefs)
    assert "No runs yet." in page.xpath("//section[@id='simulation']")[0].text_content()


def test_an_empty_folder_gives_a_page_that_says_so(tmp_path: Path) -> None:
    path = rebuild_front_page(tmp_path / "fresh", now=T0)
    page = lxml.html.fromstring(path.read_text("utf-8"))
    assert path == tmp_path / "fresh" / "index.html"
    assert len(page.xpath("//p[@class='empty']")) == 5  # four empty sections, no screenshot
    footer = page.xpath("//footer")[0].text_content()
    assert "0 runs listed" in footer and "2026-03-14 16:00 (UTC+7)" in footer


@pytest.fixture
def served(out: Path) -> Iterator[str]:
    handler = functools.partial(_QuietHandler, directory=str(out))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.mark.slow
@pytest.mark.browser
def test_the_page_reads_well_in_headless_chromium(out: Path, served: str) -> None:
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM}: `make chromium` installs Debian's package")
    rebuild_front_page(out)
    with launch_chromium(CHROMIUM) as browser:
        context = browser.new_context()
        for start in (served + "index.html", (out / "index.html").as_uri()):
            page = context.new_page()
            failed: list[str] = []

            def note_failure(request: Request, failed: list[str] = failed) -> None:
                failed.append(request.url)

            page.on("requestfailed", note_failure)
            response = page.goto(start)
            assert response is not None and response.ok
            assert page.title() == "lienthong — reports"
            assert page.locator("section").count() == 6
            broken = page.evaluate(
                "[...document.images].filter(i => !i.complete || i.naturalWidth === 0)"
                ".map(i => i.src)"
            )
            assert broken == [] and failed == []
            hrefs = page.eval_on_selector_all(
                "a[href]:not([href^='#'])", "links => links.map(a => a.getAttribute('href'))"
            )
            assert len(hrefs) == 8  # 7 runs and the screenshot
            for href in hrefs:
                target = context.new_page()
                answer = target.goto(urljoin(start, href))
                assert answer is not None and answer.ok, href
                target.close()
            page.close()


def test_commands_that_write_a_run_refresh_the_front_page(out: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "by-hand"
    elsewhere.mkdir()
    refresh_front_page(elsewhere, "sim")
    assert not (tmp_path / "index.html").exists()
    folder = _run(out, "sim", "sim", minutes=99, verdict=None, title="fresh simulation")
    refresh_front_page(folder, "sim")
    assert "fresh simulation" in (out / "index.html").read_text("utf-8")
