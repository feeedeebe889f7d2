"""The axis dashboard under ``/ui``: what its pages say about systems, agencies, messages, their
transport acks and business statuses, faults and timelines; that vendor-supplied text is
escaped; and that its event stream announces changes as they are committed.

Route tests call the axis in-process (``InProcessTransport``); the event-stream tests use a real
server on 127.0.0.1, since a stream that never ends cannot be read through a buffering transport.
"""

from __future__ import annotations

import contextlib
import logging
import logging.handlers
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import httpx
import lxml.html
import pytest

import axis.dashboard as dashboard_pkg
from axis import (
    AxisAdmin,
    AxisApp,
    AxisClient,
    AxisConfig,
    RunningAxis,
    create_app,
    running_axis,
)
from axis.dashboard import routes
from axis.dashboard.labels import delivery_state, local_time, status_label
from axis.dashboard.projection import Projection
from axis.inprocess import InProcessTransport
from axis.testing import TODAY, Documents
from fixtures.agencies import lookup
from fixtures.factory import DocumentFactory
from spec.codec import serialize
from spec.status_codes import StatusCode

VPCP, NGHE_AN, CAO_BANG = "02.22.W00", "00.41.W00", "00.14.W00"
G22, H41, H14 = "000.00.00.G22", "000.00.00.H41", "000.00.00.H14"
BASE = "http://axis"
HOSTILE = "<script>alert('pwned')</script>"
HOSTILE_IMG = '<img src=x onerror="alert(1)">'


class Axis:
    """An in-process axis with protocol clients for its systems and a client for its pages."""

    def __init__(self, app: AxisApp) -> None:
        self.app = app
        self.transport = InProcessTransport(app)
        self.ui = httpx.Client(transport=self.transport, base_url=BASE)
        login = self.ui.post("/ui/login", data={"token": app.admin_token})
        assert login.status_code == 303 and login.headers["location"] == "/ui/"
        self.admin = AxisAdmin(BASE, app.admin_token, transport=self.transport)
        self._clients: dict[str, AxisClient] = {}

    def client(self, system_id: str) -> AxisClient:
        if system_id not in self._clients:
            secret = self.app.store.registry.systems_view()[system_id].secret
            self._clients[system_id] = AxisClient(BASE, system_id, secret, transport=self.transport)
        return self._clients[system_id]

    def page(self, path: str = "/ui/") -> lxml.html.HtmlElement:
        response = self.ui.get(path)
        assert response.status_code == 200, response.text
        return lxml.html.fromstring(response.text)

    def close(self) -> None:
        for client in self._clients.values():
            client.close()
        self.ui.close()
        self.admin.close()
        self.transport.close()


@pytest.fixture
def axis(tmp_path: Path) -> Iterator[Axis]:
    app = create_app(AxisConfig(seed=3), data_dir=tmp_path)
    harness = Axis(app)
    try:
        yield harness
    finally:
        harness.close()
        app.store.close()


@pytest.fixture
def docs() -> Documents:
    return Documents(seed=5)


@contextlib.contextmanager
def no_server_errors() -> Iterator[None]:
    """Fail if a running server logs an error (an exception in a dashboard route or stream).
    Attach it once the server runs: uvicorn's logging setup drops handlers added before."""
    handler = logging.handlers.BufferingHandler(capacity=sys.maxsize)
    handler.setLevel(logging.ERROR)
    logger = logging.getLogger("uvicorn.error")
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)
    assert not handler.buffer, [r.getMessage() for r in handler.buffer]


def _row(page: lxml.html.HtmlElement, doc_id: str) -> lxml.html.HtmlElement:
    [row] = page.xpath(f'//tr[@data-doc-id="{doc_id}"]')
    return row


def _state(row: lxml.html.HtmlElement, receiver: str) -> str:
    [state] = row.xpath(f'.//li[@data-receiver="{receiver}"]//*[@data-state]')
    return state.get("data-state")


def _business(row: lxml.html.HtmlElement, receiver: str) -> str:
    [badge] = row.xpath(f'.//li[@data-receiver="{receiver}"]//*[contains(@class, "status")]')
    return badge.get("data-code")


# --- the overview -----------------------------------------------------------------------------


def test_overview_shows_systems_and_agencies_but_never_secrets(axis: Axis) -> None:
    response = axis.ui.get("/ui/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = lxml.html.fromstring(response.text)
    systems = axis.app.store.registry.systems_view()
    shown = {row.get("data-system-id"): row for row in page.xpath("//tr[@data-system-id]")}
    assert set(shown) == set(systems) == {VPCP, NGHE_AN, CAO_BANG, "02.17.W00"}
    for system_id, system in systems.items():
        assert system.name in shown[system_id].text_content()
        assert system.secret not in response.text
    nghe_an = shown[NGHE_AN].xpath("./td")
    agencies_of_nghe_an = sum(a.system_id == NGHE_AN for a in axis.app.store.registry.agencies())
    assert int(nghe_an[2].text_content()) == agencies_of_nghe_an > 1
    [h41] = page.xpath(f'//tr[@data-agency="{H41}"]')
    cells = [td.text_content().strip() for td in h41.xpath("./td")]
    assert cells[:4] == [H41, "H41", "Ủy ban nhân dân tỉnh Nghệ An", NGHE_AN]
    counts = {c.get("data-count"): int(c.text) for c in page.xpath("//*[@data-count]")}
    assert counts["systems"] == 4 and counts["messages"] == 0
    assert counts["agencies"] == len(axis.app.store.registry.agencies())
    seq, digest = axis.app.store.head
    assert page.xpath("//@data-head-hash") == [digest]
    assert page.xpath("//body/@data-head") == [str(seq)]


def test_ui_without_trailing_slash_redirects_to_the_overview(axis: Axis) -> None:
    response = axis.ui.get("/ui")
    assert response.status_code in (307, 308)
    assert response.headers["location"].endswith("/ui/")


def test_delivery_state_follows_listing_download_and_acks(axis: Axis, docs: Documents) -> None:
    doc_id = axis.client(VPCP).send_edoc(docs.edoc(G22, [H41, H14]))
    row = _row(axis.page(), doc_id)
    assert (_state(row, H41), _state(row, H14)) == ("waiting", "waiting")
    assert row.get("data-kind") == "edoc" and "row-flight" in row.classes

    nghe_an, cao_bang = axis.client(NGHE_AN), axis.client(CAO_BANG)
    nghe_an.get_received_list()
    assert _state(_row(axis.page(), doc_id), H41) == "listed"
    nghe_an.get_edoc(doc_id)
    assert _state(_row(axis.page(), doc_id), H41) == "fetched"
    nghe_an.update_status(doc_id, "done")
    cao_bang.update_status(doc_id, "fail")
    row = _row(axis.page(), doc_id)
    assert (_state(row, H41), _state(row, H14)) == ("done", "fail")
    assert "row-flight" in row.classes  # a failed delivery is listed again
    cao_bang.update_status(doc_id, "done")
    assert "row-done" in _row(axis.page(), doc_id).classes


def test_latest_business_status_per_receiver(axis: Axis, docs: Documents) -> None:
    doc_id = axis.client(VPCP).send_edoc(docs.edoc(G22, [H41, H14]))
    nghe_an = axis.client(NGHE_AN)
    status_ids = [
        nghe_an.send_edoc(docs.status(H41, code, minute=i), messagetype="status")
        for i, code in enumerate(("01", "03", "04"))
    ]
    page = axis.page()
    row = _row(page, doc_id)
    assert _business(row, H41) == "04"
    assert _business(row, H14) == ""  # nothing reported yet
    assert "no status yet" in row.xpath(f'.//li[@data-receiver="{H14}"]')[0].text_content()
    ordered = [r.get("data-doc-id") for r in page.xpath("//tr[@data-doc-id]")]
    assert ordered == [*reversed(status_ids), doc_id]  # newest first
    status_row = _row(page, status_ids[1])
    assert status_row.get("data-kind") == "status"
    [badge] = status_row.xpath('.//td[contains(@class, "subject")]//*[@data-code]')
    assert badge.get("data-code") == "03"
    assert StatusCode.ACCEPTED.meaning_vi in badge.text_content()
    assert _state(status_row, G22) == "waiting"  # the status travels to the sender


def test_message_window_shows_the_newest_first(axis: Axis, docs: Documents) -> None:
    vpcp = axis.client(VPCP)
    sent = [vpcp.send_edoc(docs.edoc(G22, [H41])) for _ in range(3)]
    page = axis.page("/ui/?limit=2")
    assert [r.get("data-doc-id") for r in page.xpath("//tr[@data-doc-id]")] == sent[:0:-1]
    assert "newest 2 of 3" in page.text_content()


def test_bad_limit_is_refused_with_the_reason(axis: Axis) -> None:
    response = axis.ui.get("/ui/fragments/messages?limit=0")
    assert response.status_code == 400
    assert "limit='0'" in response.text.replace("&#39;", "'")


def test_reset_forgets_messages_and_their_statuses(axis: Axis) -> None:
    nghe_an = axis.client(NGHE_AN)
    first = Documents(seed=9)
    old_id = axis.client(VPCP).send_edoc(first.edoc(G22, [H41]))
    nghe_an.send_edoc(first.status(H41, "06"), messagetype="status")
    assert _business(_row(axis.page(), old_id), H41) == "06"
    axis.admin.reset()
    assert axis.page().xpath("//tr[@data-doc-id]") == []
    # The same seed sends the same DocumentId again: its old 06 must not come back.
    again = Documents(seed=9)
    doc_id = axis.client(VPCP).send_edoc(again.edoc(G22, [H41]))
    assert _business(_row(axis.page(), doc_id), H41) == ""


def test_active_faults_with_how_often_they_fired(axis: Axis) -> None:
    assert "No fault plan is active" in axis.page().text_content()
    axis.admin.set_faults(
        {"seed": 1, "rules": [{"id": "drop-two", "kind": "error", "system": CAO_BANG, "next": 2}]}
    )
    with pytest.raises(Exception, match="injected fault drop-two"):
        axis.client(CAO_BANG).get_received_list()
    [rule] = axis.page("/ui/fragments/faults").xpath('//tr[@data-rule="drop-two"]')
    cells = [td.text_content().strip() for td in rule.xpath("./td")]
    assert cells[1] == "error" and CAO_BANG in cells[2]
    assert "1 left" in cells[3] and cells[5] == "1"


def test_fragments_are_sections_without_the_page_around_them(axis: Axis) -> None:
    for name in ("counts", "messages", "systems", "agencies", "faults"):
        response = axis.ui.get(f"/ui/fragments/{name}")
        assert response.status_code == 200, name
        assert "<html" not in response.text and "<body" not in response.text, name
    assert axis.ui.get("/ui/fragments/secrets").status_code == 404


def test_everything_is_served_locally(axis: Axis) -> None:
    html = axis.ui.get("/ui/").text
    page = lxml.html.fromstring(html)
    refs = page.xpath("//link/@href | //script/@src")
    assert refs and all(r.startswith("/ui/static/") for r in refs)
    assert "http://" not in html and "https://" not in html
    css = axis.ui.get("/ui/static/style.css")
    script = axis.ui.get("/ui/static/app.js")
    assert css.status_code == script.status_code == 200
    assert css.headers["content-type"].startswith("text/css")
    assert "javascript" in script.headers["content-type"]
    assert "EventSource" in script.text


# --- a document's timeline --------------------------------------------------------------------


def test_timeline_shows_every_event_in_order_with_status_meanings(
    axis: Axis, docs: Documents
) -> None:
    doc_id = axis.client(VPCP).send_edoc(docs.edoc(G22, [H41]))
    nghe_an = axis.client(NGHE_AN)
    nghe_an.get_received_list()
    nghe_an.get_edoc(doc_id)
    nghe_an.update_status(doc_id, "done")
    codes = ("01", "03", "04", "05", "06")
    for i, code in enumerate(codes):
        nghe_an.send_edoc(docs.status(H41, code, minute=i), messagetype="status")

    page = axis.page(f"/ui/documents/{doc_id}")
    rows = page.xpath("//tr[@data-seq]")
    seqs = [int(r.get("data-seq")) for r in rows]
    assert seqs == sorted(seqs)
    kinds = [r.get("data-kind") for r in rows]
    for expected in ("stored", "queued", "listed", "getEdoc", "transport ack", "updateStatus"):
        assert expected in kinds, expected
    assert kinds.index("stored") < kinds.index("listed") < kinds.index("transport ack")
    [ack] = [r for r in rows if r.get("data-kind") == "transport ack"]
    assert "updateStatus done" in ack.text_content()

    shown = [r.xpath(".//*[@data-code]")[0] for r in rows if r.xpath(".//*[@data-code]")]
    assert [b.get("data-code") for b in shown] == list(codes)
    for badge, code in zip(shown, codes, strict=True):
        cell = badge.getparent().text_content()
        meaning = StatusCode.parse(code)
        assert meaning.meaning_vi in cell and meaning.meaning in cell

    [lifecycle] = page.xpath(f'//*[@class="lifecycle"][@data-receiver="{H41}"]')
    assert lifecycle.get("data-codes") == " ".join(codes)
    assert lifecycle.xpath('.//li[contains(@class, "reached")]/@data-code') == list(codes)
    assert not lifecycle.xpath('.//*[@class="problem"]')


def test_timeline_names_lifecycle_violations(axis: Axis, docs: Documents) -> None:
    doc_id = axis.client(VPCP).send_edoc(docs.edoc(G22, [H41]))
    nghe_an = axis.client(NGHE_AN)
    for i, code in enumerate(("03", "01")):
        nghe_an.send_edoc(docs.status(H41, code, minute=i), messagetype="status")
    page = axis.page(f"/ui/documents/{doc_id}")
    [problem] = page.xpath('//*[@class="problem"]')
    assert "LC-FORWARD-ONLY" in problem.text_content()


def test_a_status_page_links_back_to_its_document(axis: Axis, docs: Documents) -> None:
    doc_id = axis.client(VPCP).send_edoc(docs.edoc(G22, [H41]))
    status_id = axis.client(NGHE_AN).send_edoc(docs.status(H41, "02"), messagetype="status")
    page = axis.page(f"/ui/documents/{status_id}")
    related = page.xpath("//tr[@data-doc-id]/@data-doc-id")
    assert related == [doc_id]
    assert page.xpath("//*[@data-docs]/@data-docs") == [" ".join(sorted([doc_id, status_id]))]
    fragment = axis.ui.get(f"/ui/fragments/documents/{status_id}")
    assert fragment.status_code == 200 and "<html" not in fragment.text


def test_unknown_document_is_a_404_that_names_it_escaped(axis: Axis) -> None:
    response = axis.ui.get("/ui/documents/<b>nope</b>")
    assert response.status_code == 404
    assert "&lt;b&gt;nope&lt;/b&gt;" in response.text and "<b>nope" not in response.text
    assert axis.ui.get("/ui/fragments/documents/missing").status_code == 404
    assert axis.ui.get("/ui/no-such-page").status_code == 404


# --- hostile input ----------------------------------------------------------------------------


def test_vendor_text_is_escaped_everywhere(axis: Axis) -> None:
    axis.admin.put_agency("000.00.99.H41", NGHE_AN, name=HOSTILE)
    factory = DocumentFactory(seed=2, today=TODAY)
    sender, receiver = lookup(G22), lookup(H41)
    assert sender is not None and receiver is not None
    edoc = factory.edoc(sender, [receiver])
    edoc.header.subject = HOSTILE_IMG
    doc_id = axis.client(VPCP).send_edoc(serialize(edoc))
    status = factory.status(edoc, receiver, "02", at=datetime(2026, 1, 5, 9), description=HOSTILE)
    status_id = axis.client(NGHE_AN).send_edoc(serialize(status), messagetype="status")

    for path in ("/ui/", f"/ui/documents/{doc_id}", f"/ui/documents/{status_id}"):
        response = axis.ui.get(path)
        assert response.status_code == 200
        text = response.text
        assert HOSTILE not in text and HOSTILE_IMG not in text, path
        assert "default-src 'self'" in response.headers["content-security-policy"]
        page = lxml.html.fromstring(text)
        assert page.xpath("//script[not(@src)]") == [], path
        assert page.xpath("//img") == [], path
    overview = axis.page()
    assert HOSTILE in overview.text_content()  # shown as text, not run
    assert HOSTILE_IMG in _row(overview, doc_id).text_content()


# --- the event stream (real server) -----------------------------------------------------------


def _read_event(lines: Iterator[str]) -> dict[str, str]:
    """The next event of an SSE stream as {field: value}, skipping keep-alive comments."""
    fields: dict[str, str] = {}
    for line in lines:
        if not line:
            if fields:
                return fields
            continue
        if line.startswith(":"):
            continue
        name, _, value = line.partition(": ")
        fields[name] = value
    raise AssertionError("the stream ended")


@contextlib.contextmanager
def _logged_in(server: RunningAxis) -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10.0) as http:
        http.post(f"{server.url}/ui/login", data={"token": server.admin_token})
        yield http


def test_event_stream_announces_each_change_with_what_it_touched(docs: Documents) -> None:
    with (
        running_axis(AxisConfig(seed=4)) as server,
        no_server_errors(),
        _logged_in(server) as http,
        http.stream("GET", f"{server.url}/ui/events") as stream,
    ):
        assert stream.headers["content-type"].startswith("text/event-stream")
        lines = stream.iter_lines()
        hello = _read_event(lines)
        assert hello["event"] == "hello" and hello["id"] == str(server.app.store.head[0])
        with server.client(VPCP) as vpcp:
            doc_id = vpcp.send_edoc(docs.edoc(G22, [H41]))
        change = _read_event(lines)
        assert change["event"] == "change"
        assert int(change["id"]) == server.app.store.head[0]
        payload = httpx.Response(200, content=change["data"]).json()
        assert doc_id in payload["docs"] and "stored" in payload["kinds"]
        assert docs.last is not None and docs.last.header.document_id in payload["documents"]


def test_event_stream_resumes_after_the_last_event_seen(docs: Documents) -> None:
    with (
        running_axis(AxisConfig(seed=4)) as server,
        no_server_errors(),
        _logged_in(server) as http,
    ):
        before = server.app.store.head[0]
        with server.client(VPCP) as vpcp:
            doc_id = vpcp.send_edoc(docs.edoc(G22, [H41]))
        headers = {"Last-Event-ID": str(before)}
        with http.stream("GET", f"{server.url}/ui/events", headers=headers) as stream:
            lines = stream.iter_lines()
            assert _read_event(lines)["event"] == "hello"
            change = _read_event(lines)
            assert doc_id in change["data"]


def test_a_change_too_big_to_list_asks_for_a_full_redraw(
    axis: Axis, docs: Documents, monkeypatch: pytest.MonkeyPatch
) -> None:
    dashboard = dashboard_pkg.Dashboard(axis.app.operator)
    head = axis.app.store.head[0]
    doc_id = axis.client(VPCP).send_edoc(docs.edoc(G22, [H41]))
    axis.client(NGHE_AN).get_received_list()
    axis.client(NGHE_AN).update_status(doc_id, "done")  # its delivery event says listed=False
    new_head = axis.app.store.head[0]
    change = dashboard._change(head, new_head)
    assert change["docs"] == [doc_id] and {"stored", "delivery", "call"} <= set(change["kinds"])
    monkeypatch.setattr(routes, "MAX_CHANGE_EVENTS", 1)
    assert dashboard._change(head, new_head) == {"head": new_head, "all": True}


# --- the parts --------------------------------------------------------------------------------


def test_projection_counts_listings_fetches_and_faults(axis: Axis, docs: Documents) -> None:
    projection = Projection(axis.app.operator)
    doc_id = axis.client(VPCP).send_edoc(docs.edoc(G22, [H41]))
    nghe_an = axis.client(NGHE_AN)
    nghe_an.get_received_list()
    nghe_an.get_received_list()
    projection.refresh()
    assert projection.listed[doc_id][NGHE_AN].times == 2
    assert doc_id not in projection.fetched
    nghe_an.download_edoc(doc_id)
    projection.refresh()
    assert NGHE_AN in projection.fetched[doc_id]
    assert projection.event_cursor == axis.app.store.head[0]


def test_delivery_states() -> None:
    assert delivery_state("pending", listed=False, fetched=False).key == "waiting"
    assert delivery_state("pending", listed=True, fetched=False).key == "listed"
    assert delivery_state("pending", listed=True, fetched=True).key == "fetched"
    assert delivery_state("done", listed=False, fetched=False).key == "done"
    assert delivery_state("fail", listed=True, fetched=True).key == "fail"
    odd = delivery_state("processing", listed=True, fetched=True)
    assert (odd.key, odd.tone) == ("processing", "warn")


def test_status_labels_cover_every_code_and_refuse_none() -> None:
    for code in StatusCode:
        label = status_label(code.value)
        assert (label.code, label.meaning, label.meaning_vi, label.known) == (
            code.value,
            code.meaning,
            code.meaning_vi,
            True,
        )
    unknown = status_label("09")
    assert (unknown.code, unknown.known, unknown.tone) == ("09", False, "bad")
    assert status_label("").code == "?"


def test_local_time_is_vietnam_time() -> None:
    assert local_time("2026-01-05T02:03:04.567000Z") == "09:03:04"
    assert local_time("2026-01-05T17:00:00Z", with_date=True) == "2026-01-06 00:00:00.000"
    assert local_time("not a time") == "not a time"


def test_exported_names() -> None:
    assert sorted(dashboard_pkg.__all__) == sorted(
        [
            "CHROMIUM",
            "CHROMIUM_ARGS",
            "BrowserUnavailable",
            "CaptureFailed",
            "Dashboard",
            "capture_dashboard_screenshot",
            "dashboard_app",
            "launch_chromium",
            "log_in",
        ]
    )
    for name in dashboard_pkg.__all__:
        assert getattr(dashboard_pkg, name) is not None


def test_capture_without_chromium_says_how_to_get_it(tmp_path: Path) -> None:
    with pytest.raises(dashboard_pkg.BrowserUnavailable, match="make chromium"):
        dashboard_pkg.capture_dashboard_screenshot(
            "http://127.0.0.1:9/ui/",
            tmp_path / "x.png",
            token="t",
            executable=tmp_path / "chromium",
        )
    with pytest.raises(ValueError, match="timeout_s=0"):
        dashboard_pkg.capture_dashboard_screenshot(
            "http://x/ui/", tmp_path / "x.png", token="t", timeout_s=0
        )
