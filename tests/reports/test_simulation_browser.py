"""The simulation report in a real browser: a planner opens a comparison (the 2016 plan against
the same plan with phase 2 a month late) and finds the four answers on the first screen —
when each tier stops sending on paper, the hub's peak hour against its capacity, the
bottleneck, and what the slip changes, with confidence intervals — without scrolling."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import ViewportSize

from axis.dashboard import CHROMIUM, launch_chromium
from reports.simulation import render_simulation
from sim.output import report_data
from sim.scenario import load_scenario
from sim.sweep import compare

pytestmark = pytest.mark.browser

QUICK = [
    ("start", "2016-06-06"),
    ("days", 2),
    ("warmup_days", 1),
    ("topology.scale", 0.02),
    ("engine.tick_seconds", 300),
]
FIRST_SCREEN: ViewportSize = {"width": 1280, "height": 800}
SHOT = os.environ.get("LIENTHONG_SIM_SCREENSHOT")
"""Where to keep the screenshot for a person to look at (default: the test's temporary folder)."""


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = load_scenario("baseline-2016", QUICK)
    slipped = base.with_overrides([("phases.phase-2-2016.shift_days", 30)])
    comparison = compare(base, slipped, replications=3, seed=5, jobs=1)
    data_b = report_data(comparison.b, comparison.differences)
    data_b["scenario"] = "phase 2 a month late"
    folder = tmp_path_factory.mktemp("sim-report")
    return render_simulation(
        [report_data(comparison.a), data_b],
        folder,
        title="baseline-2016 vs phase 2 a month late",
        created=datetime(2026, 3, 14, 9, 0, tzinfo=UTC),
        seed=5,
    )


@pytest.mark.slow
def test_the_first_screen_answers_the_planners_four_questions(report: Path, tmp_path: Path) -> None:
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM}: `make chromium` installs Debian's package")
    with launch_chromium(CHROMIUM) as browser:
        page = browser.new_page(viewport=FIRST_SCREEN)
        page.goto(report.as_uri())
        answers = page.locator("#answers .answer")
        assert answers.count() == 4
        for i in range(4):
            box = answers.nth(i).bounding_box()
            assert box is not None
            # entirely on the first screen, no scrolling
            assert box["y"] >= 0 and box["y"] + box["height"] <= FIRST_SCREEN["height"], (i, box)
        paper = page.locator("#answer-paper-free").inner_text()
        assert "When does each tier stop sending on paper?" in paper
        for tier in ("central", "province", "district", "commune"):
            assert tier in paper
        peak = page.locator("#answer-peak").inner_text()
        assert ":00–" in peak and "of capacity" in peak and "/s" in peak
        bottleneck = page.locator("#answer-bottleneck").inner_text()
        assert "busy in office hours" in bottleneck
        what_if = page.locator("#answer-what-if").inner_text()
        assert "phases.phase-2-2016.shift_days=30" in what_if
        assert " pp [" in what_if  # a difference with its interval
        # the slip's cost in electronic share is flagged significant
        row = page.locator("#answer-what-if li", has_text="share delivered electronically")
        assert row.locator(".sig").count() == 1
        shot = Path(SHOT) if SHOT else tmp_path / "first-screen.png"
        page.screenshot(path=str(shot))
        assert shot.stat().st_size > 20_000
        broken = page.evaluate(
            "[...document.images].filter(i => !i.complete || i.naturalWidth === 0).length"
        )
        assert broken == 0
