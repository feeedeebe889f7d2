"""Renders one status code through the dashboard, the report timeline and the simulation report,
judges it by the lifecycle and has the document factory write it, and prints what each did as
JSON.

``tests/test_vocabulary.py`` runs this in a fresh interpreter whose ``spec`` has one more status
code than the real one (and nothing else changed), to prove that a code added to spec's table is
shown everywhere without an edit outside ``spec``. Usage: ``python -m tests.new_code_probe 07``.
"""

from __future__ import annotations

import contextlib
import json
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import lxml.html

BASE = "http://axis"
VPCP, NGHE_AN = "02.22.W00", "00.41.W00"
G22, H41 = "000.00.00.G22", "000.00.00.H41"
REASON = "Trả lại để bổ sung hồ sơ"
QUICK = [
    ("start", "2016-06-06"),
    ("days", 2),
    ("warmup_days", 1),
    ("topology.scale", 0.02),
    ("engine.tick_seconds", 300),
]


def _dashboard(text: str, data_dir: Path) -> dict[str, Any]:
    """A document, and a status ``text`` about it, through an in-process axis; what its
    document page and its overview's filter show of the status, and the transcript."""
    from axis import AxisAdmin, AxisClient, AxisConfig, create_app
    from axis.inprocess import InProcessTransport
    from axis.testing import TODAY
    from fixtures.agencies import lookup
    from fixtures.factory import DocumentFactory
    from spec.codec import serialize

    app = create_app(AxisConfig(seed=3), data_dir=data_dir)
    with contextlib.ExitStack() as stack:
        stack.callback(app.store.close)
        transport = stack.enter_context(contextlib.closing(InProcessTransport(app)))
        systems = app.store.registry.systems_view()

        def client(system_id: str) -> AxisClient:
            secret = systems[system_id].secret
            return stack.enter_context(AxisClient(BASE, system_id, secret, transport=transport))

        factory = DocumentFactory(seed=5, today=TODAY)
        g22, h41 = lookup(G22), lookup(H41)
        assert g22 is not None and h41 is not None
        edoc = factory.edoc(g22, [h41])
        doc_id = client(VPCP).send_edoc(serialize(edoc))
        at = datetime(2026, 1, 5, 9, 30)
        status = factory.status(edoc, h41, text, at, description=REASON)
        client(NGHE_AN).send_edoc(serialize(status), messagetype="status")

        ui = stack.enter_context(httpx.Client(transport=transport, base_url=BASE))
        ui.post("/ui/login", data={"token": app.admin_token})
        page = lxml.html.fromstring(ui.get(f"/ui/documents/{doc_id}").text)
        badges = [
            {"class": b.get("class"), "title": b.get("title"), "text": b.text_content().strip()}
            for b in page.xpath(f'//*[@data-code="{text}"]')
        ]
        overview = lxml.html.fromstring(ui.get("/ui/").text)
        options = [o.text_content() for o in overview.xpath(f'//option[@value="{text}"]')]
        admin = stack.enter_context(AxisAdmin(BASE, app.admin_token, transport=transport))
        events, _ = admin.events(0)
    return {
        "badges": badges,
        "options": options,
        "events": events,
        "document_id": edoc.header.document_id,
    }


def _timeline(events: list[Any], document_id: str) -> dict[str, Any]:
    """The report's timeline picture of the document, built from the axis transcript as the
    certification report builds it: the status boxes' colours and the legend."""
    from conformance.evidence import build_timelines
    from reports.timeline import timeline_figure, timeline_png

    [timeline] = build_timelines(events, {VPCP: G22, NGHE_AN: H41}, [document_id])
    figure = timeline_figure(timeline)
    [axes] = figure.axes
    patches = [(t, t.get_bbox_patch()) for t in axes.texts]
    boxes = [
        {"text": t.get_text(), "colour": patch.get_facecolor()}
        for t, patch in patches
        if patch is not None
    ]
    [legend] = figure.legends
    return {
        "codes": [e.code for e in timeline.events if e.kind == "status"],
        "boxes": boxes,
        "legend": [t.get_text() for t in legend.get_texts()],
        "png_bytes": len(timeline_png(timeline)),
    }


def _simulator(folder: Path) -> dict[str, Any]:
    """A two-day simulation run and its HTML report: the metrics the registry built for each
    receiver's code, and the report's text."""
    from reports.simulation import render_simulation
    from sim import METRICS, statuses
    from sim.output import report_data
    from sim.replications import run_replications
    from sim.scenario import load_scenario

    reps = run_replications(load_scenario("baseline-2016", QUICK), replications=1, seed=1)
    page = render_simulation(
        [report_data(reps)],
        folder,
        title="new status code",
        created=datetime(2026, 1, 5, tzinfo=UTC),
        seed=1,
    )
    return {
        "codes": list(statuses.CODES),
        "metrics": {m.name: m.label for m in METRICS},
        "report": lxml.html.fromstring(page.read_text("utf-8")).text_content(),
    }


def _lifecycle(text: str) -> dict[str, Any]:
    """The lifecycle's verdict on a few histories around the code: for each, the state it
    leads to (or the rule and explanation of its first rejection) and its first report."""
    from spec.lifecycle import Lifecycle, TransitionRejected
    from spec.status_codes import StatusCode

    verdicts = {}
    for history in (
        text,
        f"01 {text}",
        f"01 {text} 03",
        f"01 03 {text}",
        f"{text} {text}",
        f"02 {text}",
    ):
        lifecycle = Lifecycle()
        verdict: dict[str, Any] = {}
        try:
            for code in history.split():
                lifecycle.apply(StatusCode.parse(code))
        except TransitionRejected as exc:
            verdict["rejected"] = [exc.rejection.rule_id, exc.rejection.message]
        first = lifecycle.first_report
        verdict |= {"state": lifecycle.state.value, "first": first[0].value if first else None}
        verdicts[history] = verdict
    return verdicts


def _factory_description(text: str) -> str | None:
    """The Description the document factory writes on a status ``text`` given no reason."""
    from axis.testing import TODAY
    from fixtures.agencies import lookup
    from fixtures.factory import DocumentFactory

    factory = DocumentFactory(seed=5, today=TODAY)
    g22, h41 = lookup(G22), lookup(H41)
    assert g22 is not None and h41 is not None
    status = factory.status(factory.edoc(g22, [h41]), h41, text, datetime(2026, 1, 5, 9, 30))
    return status.description


def main(text: str) -> None:
    import spec
    from spec.status_codes import StatusCode

    code = StatusCode.parse(text)
    with tempfile.TemporaryDirectory() as tmp:
        dashboard = _dashboard(code.value, Path(tmp) / "axis")
        timeline = _timeline(dashboard.pop("events"), dashboard.pop("document_id"))
        simulator = _simulator(Path(tmp) / "sim")
    json.dump(
        {
            "spec": spec.__file__,
            "code": {"name": code.name, "label": code.label, "stage": code.stage.name},
            "dashboard": dashboard,
            "timeline": timeline,
            "simulator": simulator,
            "lifecycle": _lifecycle(code.value),
            "factory_description": _factory_description(code.value),
        },
        sys.stdout,
        ensure_ascii=False,
    )


if __name__ == "__main__":
    main(sys.argv[1])
