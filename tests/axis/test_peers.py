"""Simulated peer agencies: the default systems answer a vendor as agencies would, through the
protocol (issue 13's last finding), and the unmodified SDK flow of a vendor works end to end."""

from __future__ import annotations

import ast
import inspect
import random
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path

import pytest
import yaml

from axis import AxisClient, AxisConfig, ConfigError, RunningAxis, SystemSpec, running_axis
from axis import peers as peers_module
from axis.events import CallEvent, StoredEvent
from axis.peer_plan import PeerBehaviour, peer_plan
from axis.peer_settings import PeerSettings
from axis.peers import PEER_USER_AGENT, Peer, handling_time
from axis.testing import Documents
from fixtures.agencies import lookup
from fixtures.factory import DocumentFactory
from spec import parse
from spec.clock import VIETNAM, FixedClock
from spec.model import Status
from spec.status_codes import FORWARD_PATH, StatusCode

VENDOR, SECRET = "vxp.vendor.01", "v3nd0r-s3cr3t"
VPCP, NGHE_AN = "02.22.W00", "00.41.W00"
G22, H41, H44 = "000.00.00.G22", "000.00.00.H41", "000.00.00.H44"
FAST = PeerSettings(time_scale=1e6, poll_s=0.05)
WAIT_S = 30.0


def _axis(tmp_path: Path, plan: Mapping[str, object] | None = None, *codes: str) -> RunningAxis:
    file = None
    if plan is not None:
        file = tmp_path / "peers.yaml"
        file.write_text(yaml.safe_dump(plan), "utf-8")
    settings = PeerSettings(time_scale=FAST.time_scale, poll_s=FAST.poll_s, file=file)
    vendor = SystemSpec(VENDOR, SECRET, agencies=codes)
    return running_axis(AxisConfig(systems=(vendor,), peers=settings))


def _stored(axis: RunningAxis, system: str, count: int, **filters: str) -> list[StoredEvent]:
    """The first ``count`` messages ``system`` stored, waiting for them on the long-poll."""
    found: list[StoredEvent] = []
    cursor = 0
    with axis.admin() as admin:
        while len(found) < count:
            event = admin.wait_for(cursor, timeout=WAIT_S, kind="stored", system=system, **filters)
            assert event is not None, f"only {len(found)} of {count} messages from {system}"
            assert isinstance(event.body, StoredEvent)
            found.append(event.body)
            cursor = event.seq
    return found


def _receive_statuses(vendor: AxisClient) -> list[Status]:
    """The SDK's receive loop for statuses: list, read, ack done."""
    out = []
    for item in vendor.get_received_list("status"):
        message = parse(vendor.get_edoc(item["docId"])).message
        assert isinstance(message, Status)
        out.append(message)
        vendor.update_status(item["docId"], "done")
    return out


def test_the_vendor_sdk_flow_end_to_end(tmp_path: Path) -> None:
    """Start with --system, register the vendor's own agency (a default system held it), send
    to VPCP, receive VPCP's simulated statuses 01 → 06, acknowledge them."""
    docs = Documents(seed=21)
    with _axis(tmp_path) as axis:
        assert axis.peers is not None and VPCP in axis.peers.systems
        with AxisClient(axis.url, VENDOR, SECRET, carry_stale_headers=True) as vendor:
            vendor.register_agency(H41, name="UBND tỉnh Nghệ An (vendor's test build)")
            doc_id = vendor.send_edoc(docs.edoc(H41, [G22]))
            codes = [s.status_code for s in _stored(axis, VPCP, 5)]
            assert codes == [c.value for c in FORWARD_PATH]
            statuses = _receive_statuses(vendor)
            assert [s.status_code for s in statuses] == codes
            assert {s.response_for.organ_id for s in statuses if s.response_for} == {H41}
            assert vendor.get_received_list("status") == []
            [sent] = vendor.get_sent_list("edoc", doc_id=doc_id)
            assert (sent["toCode"], sent["receiveStatus"]) == (G22, "done")
        with axis.admin() as admin:
            calls, _ = admin.events(0, kind="call", system=VPCP)
    peer_calls = [e.body for e in calls if isinstance(e.body, CallEvent)]
    assert {c.op for c in peer_calls} >= {"getReceivedEdocList", "getEdoc", "updateStatus"}
    assert all(
        c.channel == "http" and c.headers["user-agent"] == PEER_USER_AGENT for c in peer_calls
    )


def test_a_peer_can_refuse_never_answer_or_answer_twice(tmp_path: Path) -> None:
    docs = Documents(seed=22)
    plan = {
        "systems": {
            VPCP: {"answer": "refuse"},
            NGHE_AN: {"answer": "twice", "statuses": ["01", "03"]},
            "00.14.W00": {"answer": "silent"},
        }
    }
    with _axis(tmp_path, plan, H44) as axis, axis.client(VENDOR) as vendor:
        vendor.send_edoc(docs.edoc(H44, [G22]))
        refused = _stored(axis, VPCP, 2)
        assert [s.status_code for s in refused] == ["01", "02"]
        vendor.send_edoc(docs.edoc(H44, [H41]))
        assert [s.status_code for s in _stored(axis, NGHE_AN, 4)] == ["01", "01", "03", "03"]
        silent_doc = vendor.send_edoc(docs.edoc(H44, ["000.00.00.H14"]))
        with axis.admin() as admin:
            acked = admin.wait_for(
                0, timeout=WAIT_S, kind="delivery", doc_id=silent_doc, status="done"
            )
            assert acked is not None
            # two more polls of its inbox: whatever it meant to send would be on its way
            cursor = acked.seq
            for _ in range(2):
                poll = admin.wait_for(cursor, timeout=WAIT_S, kind="call", system="00.14.W00")
                assert poll is not None
                cursor = poll.seq
            said, _ = admin.events(0, kind="stored", system="00.14.W00")
        assert said == []
        reason = [s for s in _receive_statuses(vendor) if s.status_code == "02"]
        assert reason and (reason[0].description or "").strip()


def test_a_peer_sends_documents_on_a_schedule_and_asks_for_them_back(tmp_path: Path) -> None:
    plan = {
        "systems": {
            VPCP: {"send": {"to": [H44], "count": 2, "every_s": 60, "take_back_after_s": 30}}
        }
    }
    with _axis(tmp_path, plan, H44) as axis, axis.client(VENDOR) as vendor:
        sent = _stored(axis, VPCP, 4)
        assert sorted(s.messagetype for s in sent) == ["edoc", "edoc", "status", "status"]
        assert {s.status_code for s in sent if s.messagetype == "status"} == {"13"}
        assert all(r.system == VENDOR for s in sent for r in s.recipients)
        assert len(vendor.get_received_list("edoc")) == 2


class _Recorder:
    """A protocol client stand-in that keeps what a peer sends (the peer's logic, alone)."""

    def __init__(self) -> None:
        self.sent: list[tuple[bytes, str]] = []

    def send_edoc(self, data: bytes, messagetype: str = "edoc") -> str:
        self.sent.append((data, messagetype))
        return f"doc-{len(self.sent)}"

    def codes(self) -> list[str]:
        out = []
        for data, _ in self.sent:
            message = parse(data).message
            assert isinstance(message, Status)
            out.append(message.status_code or "")
        return out


MORNING = datetime(2026, 1, 5, 9, tzinfo=VIETNAM)


def _peer(
    behaviour: PeerBehaviour,
) -> tuple[Peer, _Recorder, list[tuple[float, Callable[[], None]]]]:
    client = _Recorder()
    queue: list[tuple[float, Callable[[], None]]] = []
    clock = FixedClock(MORNING)
    peer = Peer(
        VPCP,
        (G22,),
        behaviour,
        client,  # type: ignore[arg-type]
        DocumentFactory(1, MORNING.date()),
        random.Random(1),
        clock,
        lambda due, action: queue.append((due, action)),
    )
    return peer, client, queue


def test_a_take_back_is_answered_and_stops_the_forward_statuses() -> None:
    peer, client, queue = _peer(PeerBehaviour(take_back="agree"))
    factory = DocumentFactory(2, MORNING.date())
    vpcp, vendor_agency = lookup(G22), lookup(H41)
    assert vpcp is not None and vendor_agency is not None
    edoc = factory.edoc(vendor_agency, [vpcp])
    peer._answer(edoc)
    arrived, *forward = queue  # 01, then 03 04 05 06
    queue.clear()
    arrived[1]()
    peer._on_status(factory.take_back(edoc, vpcp, MORNING.replace(tzinfo=None, hour=10)))
    [(_, agreed)] = queue
    agreed()
    for _, action in forward:
        action()  # withdrawn: nothing more goes out
    assert client.codes() == ["01", "15"]


@pytest.mark.parametrize(
    ("code", "low", "high"),
    [
        (StatusCode.ARRIVED, 1.0, 300.0),
        (StatusCode.ACCEPTED, 60.0, 3600.0),
        (StatusCode.COMPLETED, 3600.0, 7 * 86400.0),
    ],
)
def test_handling_times_come_from_the_shared_table(
    code: StatusCode, low: float, high: float
) -> None:
    assert low <= handling_time(code).mean <= high


def test_a_peers_file_is_checked_against_its_schema(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"systems/02\.22\.W00/answer"):
        peer_plan({"systems": {VPCP: {"answer": "maybe"}}})
    with pytest.raises(ConfigError, match="statuses/0"):
        peer_plan({"default": {"statuses": ["07"]}})
    assert peer_plan({"systems": {VPCP: False}}).behaviour(VPCP) is None
    bad = tmp_path / "peers.yaml"
    bad.write_text("systems: {02.22.W00: {send: {count: 2}}}\n", "utf-8")
    from lienthong.cli import main as cli

    assert cli(["axis", "serve", "--port", "0", "--peers", str(bad)]) == 2


def test_peers_have_no_back_door_into_the_store() -> None:
    tree = ast.parse(inspect.getsource(peers_module))
    imported = {
        node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module
    }
    assert not {m for m in imported if m.startswith(("axis.store", "axis.database", "axis.app"))}


def test_no_peer_runs_unless_asked() -> None:
    with running_axis(AxisConfig()) as axis:
        assert axis.peers is None
