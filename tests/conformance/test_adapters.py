"""The adapter contract (schemas, endpoints, types), the HTTP and manual adapters, and the
harness clock."""

from __future__ import annotations

import io
import json
import re
import socket
import threading
from datetime import date, datetime
from pathlib import Path

import httpx
import pytest
from jsonschema import Draft202012Validator

from conformance import contract
from conformance.adapters import HttpAdapter, ManualAdapter, SutAdapter, make_configuration
from conformance.clock import HarnessClock
from conformance.contract import (
    Action,
    Attachment,
    Business,
    Configuration,
    DocumentRequest,
    RegisteredDocument,
    SigningCredentials,
)
from conformance.errors import (
    ActionRefused,
    ContractViolation,
    NotSupported,
    OperatorTimeout,
    SutError,
    SutUnreachable,
    UnknownDocument,
)
from spec.clock import VIETNAM
from spec.status_codes import StatusCode

DOC_ID = "000.00.00.G22,2015/09/30,7816/VPCP-TTĐT"
ENCODED = "000.00.00.G22%2C2015%2F09%2F30%2C7816%2FVPCP-TT%C4%90T"

# -- the contract --------------------------------------------------------------------------


def test_every_schema_is_valid_draft_2020_12_with_its_own_id():
    names = contract.schema_names()
    assert "common" in names and "error" in names
    for name in names:
        schema = contract.schema(name)
        Draft202012Validator.check_schema(schema)
        assert schema["$id"] == f"{contract.SCHEMA_BASE}{name}.schema.json"


def test_every_endpoint_names_existing_schemas_and_the_docs_list_it():
    names = set(contract.schema_names())
    doc = (Path(__file__).parents[2] / "docs" / "adapter-contract.md").read_text("utf-8")
    for ep in contract.ENDPOINTS:
        assert ep.response in names
        assert ep.request is None or ep.request in names
        assert f"`{ep.method} {ep.path}`" in doc or f"`{ep.method} {ep.path}[" in doc, ep
        for schema in (ep.request, ep.response):
            if schema:
                assert f"`{schema}`" in doc, schema
    used = {s for ep in contract.ENDPOINTS for s in (ep.request, ep.response) if s}
    assert names - used == {"common", "error"}


def test_a_document_id_travels_as_one_percent_encoded_segment():
    path = contract.endpoint("take-back-answer").url_path(DOC_ID)
    assert path == f"/lienthong/v1/documents/{ENCODED}/take-back/answer"
    with pytest.raises(ValueError, match="needs a document_id"):
        contract.endpoint("action").url_path(None)
    with pytest.raises(ValueError, match="not one of"):
        contract.endpoint("nope")


def test_request_schemas_are_strict_and_name_the_problem():
    assert contract.problems("action.request", {"action": "accept"}) == []
    assert contract.problems("action.request", {"action": "refuse"}) == [
        "$: 'reason' is a required property"
    ]
    found = contract.problems("send.request", {"to": [], "subject": "x", "attachments": [], "x": 1})
    assert any("'x' was unexpected" in p for p in found)
    assert any(p.startswith("$.to:") for p in found)
    with pytest.raises(ContractViolation, match=r"request does not follow .*take-back-answer"):
        contract.validate("take-back-answer.request", {"agree": False}, side="request")


def test_responses_may_carry_extra_keys_but_not_wrong_values():
    ok = {"documentId": DOC_ID, "action": "accept", "statusCode": "03", "state": "accepted"}
    assert contract.problems("action.response", {**ok, "vendorTrace": "x"}) == []
    assert contract.problems("action.response", {**ok, "statusCode": "07"})


def _request() -> DocumentRequest:
    return DocumentRequest(
        to=("000.00.00.G22", "000.00.00.H14"),
        subject="V/v kết nối",
        attachments=(Attachment("a.pdf", b"%PDF-1.4 x", "application/pdf", "Công văn"),),
        content="Nội dung",
        type_name="Công văn",
        code_number="12",
        code_notation="UBND-VP",
        steering_type=1,
        due_date=date(2024, 7, 15),
        business=Business("update", DOC_ID, "Cập nhật nơi nhận", True, ("000.00.00.H14",), ()),
    )


def test_types_round_trip_through_their_schemas():
    request = _request()
    body = request.to_json()
    contract.validate("send.request", body, side="request")
    assert DocumentRequest.from_json(json.loads(json.dumps(body))) == request
    config = Configuration(
        "http://127.0.0.1:1",
        "00.41.W00",
        "s3cr3t",
        "000.00.00.H41",
        ca_pem="CA",
        signing=SigningCredentials("KEY", "CERT"),
        require_signature=True,
        poll_interval=5.0,
    )
    contract.validate("configure.request", config.to_json(), side="request")
    assert Configuration.from_json(config.to_json()) == config
    assert "s3cr3t" not in repr(config) and "KEY" not in repr(config)
    registered = RegisteredDocument(
        DOC_ID, "received", "000.00.00.G22", ("000.00.00.H41",), "Trích yếu", state="arrived"
    )
    contract.validate("document.response", registered.to_json())
    assert RegisteredDocument.from_json(registered.to_json()) == registered


def test_attachment_with_broken_base64_is_a_clear_error():
    body = _request().to_json()
    body["attachments"][0]["contentBase64"] = "not base64!"
    with pytest.raises(
        ValueError, match=r"expected base64.* at \$\.attachments\[0\]\.contentBase64"
    ):
        DocumentRequest.from_json(body)


# -- the HTTP adapter against fake controllers ----------------------------------------------


class FakeController:
    """A vendor controller as an httpx MockTransport: answers from a table, records calls."""

    def __init__(self, answers: dict[tuple[str, str], tuple[int, object]]) -> None:
        self.answers = answers
        self.calls: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.calls.append(request)
        key = (request.method, request.url.raw_path.decode("ascii").split("?")[0])
        status, body = self.answers.get(key, (404, {"error": "bad-request", "message": "?"}))
        if isinstance(body, bytes):
            return httpx.Response(status, content=body)
        return httpx.Response(status, json=body)


def _adapter(controller: FakeController) -> HttpAdapter:
    return HttpAdapter("http://sut.test/base", transport=httpx.MockTransport(controller))


def test_http_adapter_sends_validated_requests_and_reads_answers():
    action_path = f"/base/lienthong/v1/documents/{ENCODED}/actions"
    controller = FakeController(
        {
            ("POST", action_path): (
                200,
                {"documentId": DOC_ID, "action": "refuse", "statusCode": "02", "state": "refused"},
            )
        }
    )
    with _adapter(controller) as adapter:
        assert isinstance(adapter, SutAdapter)
        result = adapter.act(DOC_ID, Action.REFUSE, "Sai thể thức")
    assert result.status_code is StatusCode.REFUSED and result.state == "refused"
    (call,) = controller.calls
    assert json.loads(call.content) == {"action": "refuse", "reason": "Sai thể thức"}


def test_http_adapter_refuses_to_send_a_request_outside_the_contract():
    controller = FakeController({})
    with _adapter(controller) as adapter, pytest.raises(ContractViolation, match="request"):
        adapter.act(DOC_ID, "refuse")  # refuse needs a reason
    assert controller.calls == []


@pytest.mark.parametrize(
    ("status", "body", "error", "match"),
    [
        (404, {"error": "unknown-document", "message": "not yet"}, UnknownDocument, "not yet"),
        (
            409,
            {"error": "illegal-transition", "message": "02 after 03", "rule": "LC-X"},
            ActionRefused,
            "02 after 03",
        ),
        (501, {"error": "not-supported", "message": "no"}, NotSupported, "not-supported"),
        (500, {"error": "weird", "message": "boom"}, SutError, "weird: boom"),
        (500, b"<html>oops</html>", ContractViolation, "not JSON"),
        (500, {"oops": 1}, ContractViolation, r"\(error\)"),
        (200, {"documentId": DOC_ID}, ContractViolation, "action.response"),
        (204, {}, ContractViolation, "HTTP status 204"),
    ],
)
def test_http_adapter_maps_answers_to_errors(status, body, error, match):
    path = f"/base/lienthong/v1/documents/{ENCODED}/actions"
    adapter = _adapter(FakeController({("POST", path): (status, body)}))
    with adapter, pytest.raises(error, match=match) as caught:
        adapter.act(DOC_ID, "accept")
    if error is ActionRefused:
        assert caught.value.rule == "LC-X" and caught.value.http_status == 409


def test_http_adapter_says_clearly_when_the_sut_is_not_there():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    adapter = HttpAdapter(f"http://127.0.0.1:{port}", timeout=2)
    expected = re.escape(f"cannot reach the SUT controller at 'http://127.0.0.1:{port}'")
    with adapter, pytest.raises(SutUnreachable, match=expected):
        adapter.describe()


def test_http_adapter_reports_a_silent_sut_as_unreachable():
    def hang(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("no answer", request=request)

    adapter = HttpAdapter("http://sut.test", timeout=1.5, transport=httpx.MockTransport(hang))
    with (
        adapter,
        pytest.raises(SutUnreachable, match=r"did not answer GET /lienthong/v1/info within 1\.5 s"),
    ):
        adapter.describe()


@pytest.mark.parametrize(("url", "timeout"), [("sut.test", 1), ("http://x", 0)])
def test_http_adapter_checks_its_arguments(url, timeout):
    with pytest.raises(ValueError, match=r"url=|timeout="):
        HttpAdapter(url, timeout=timeout)


# -- the manual adapter with a fake operator -------------------------------------------------


class Operator:
    """A fake operator: reads each prompt the adapter writes and answers by ``respond``."""

    def __init__(self, respond) -> None:
        self.respond = respond
        self.prompts: list[str] = []
        self._buffer = ""
        self._answers: list[str] = []
        self._ready = threading.Condition()

    # the adapter's output stream
    def write(self, text: str) -> int:
        self._buffer += text
        if self._buffer.endswith("> "):
            prompt, self._buffer = self._buffer, ""
            self.prompts.append(prompt.strip())
            answer = self.respond(prompt)
            with self._ready:
                self._answers.append(answer)
                self._ready.notify_all()
        return len(text)

    def flush(self) -> None:
        pass

    # the adapter's input stream
    def readline(self) -> str:
        with self._ready:
            self._ready.wait_for(lambda: self._answers)
            return self._answers.pop(0) + "\n"


def _manual(operator: Operator, tmp_path: Path, **kwargs) -> ManualAdapter:
    return ManualAdapter(operator, operator, timeout=5, workdir=tmp_path, **kwargs)


def test_manual_adapter_prompts_for_an_action_and_waits_for_enter(tmp_path):
    operator = Operator(lambda prompt: "")
    adapter = _manual(operator, tmp_path)
    assert isinstance(adapter, SutAdapter)
    result = adapter.act(DOC_ID, "accept")
    assert result.status_code is StatusCode.ACCEPTED and result.action is Action.ACCEPT
    (prompt,) = operator.prompts
    assert prompt.startswith("In your software, accept (tiếp nhận, vào sổ) document 7816/VPCP-TTĐT")
    assert DOC_ID in prompt and "press enter" in prompt.lower()
    adapter.act(DOC_ID, "refuse", "Sai thể thức")
    assert "refuse (từ chối) document 7816/VPCP-TTĐT" in operator.prompts[-1]
    assert "with the reason: Sai thể thức" in operator.prompts[-1]


def test_manual_adapter_reports_an_action_the_software_does_not_allow(tmp_path):
    adapter = _manual(Operator(lambda prompt: "no: the document was refused already"), tmp_path)
    with pytest.raises(
        ActionRefused, match="the operator reports: the document was refused already"
    ):
        adapter.act(DOC_ID, "complete")


def test_manual_adapter_send_writes_the_files_and_asks_for_the_document_id(tmp_path):
    answers = iter(["not an id", "000.00.00.H41,2024/06/28,15/UBND-VP"])
    operator = Operator(lambda prompt: next(answers))
    adapter = _manual(operator, tmp_path)
    sent = adapter.send_document(
        DocumentRequest(
            to=("000.00.00.G22",),
            subject="V/v kết nối",
            attachments=(Attachment("sub/congvan.pdf", b"%PDF-1.4 x"),),
        )
    )
    assert sent.document_id == "000.00.00.H41,2024/06/28,15/UBND-VP"
    assert (sent.code, sent.promulgation_date) == ("15/UBND-VP", "2024/06/28")
    assert (tmp_path / "send-001" / "congvan.pdf").read_bytes() == b"%PDF-1.4 x"
    assert "send a new document to 000.00.00.G22" in operator.prompts[0]
    assert str(tmp_path / "send-001") in operator.prompts[0]
    assert len(operator.prompts) == 2  # asked again after the bad answer


def test_manual_adapter_configure_hands_over_credentials_and_keys(tmp_path):
    operator = Operator(lambda prompt: "")
    adapter = _manual(operator, tmp_path)
    adapter.configure(
        make_configuration(
            "http://127.0.0.1:9",
            "00.41.W00",
            "s3cr3t",
            "000.00.00.H41",
            ca_pem="CA PEM",
            signing=SigningCredentials("KEY PEM", "CERT PEM"),
            require_signature=True,
            clock=HarnessClock(60),
        )
    )
    prompt = operator.prompts[0]
    for text in ("http://127.0.0.1:9", "00.41.W00", "s3cr3t", "000.00.00.H41", "60x faster"):
        assert text in prompt
    key = tmp_path / "keys" / "000.00.00.H41.key.pem"
    assert key.read_text() == "KEY PEM" and key.stat().st_mode & 0o077 == 0
    assert (tmp_path / "keys" / "ca.cert.pem").read_text() == "CA PEM"


def test_manual_adapter_take_back_prompts(tmp_path):
    operator = Operator(lambda prompt: "")
    adapter = _manual(operator, tmp_path)
    assert adapter.request_take_back(DOC_ID, "000.00.00.H14", "Gửi nhầm").status_code.value == "13"
    assert (
        "ask 000.00.00.H14 to give back (lấy lại) document 7816/VPCP-TTĐT" in operator.prompts[-1]
    )
    assert (
        adapter.answer_take_back(DOC_ID, "000.00.00.G22", False, "Đã xử lý").status_code.value
        == "16"
    )
    assert "refuse the take-back request from 000.00.00.G22" in operator.prompts[-1]


def test_manual_adapter_cannot_list_or_reset(tmp_path):
    adapter = _manual(Operator(lambda prompt: ""), tmp_path, product="QLVB ABC 5.2")
    assert adapter.describe().contract_version == "manual"
    for call in (adapter.registered, adapter.reset, lambda: adapter.document(DOC_ID)):
        with pytest.raises(NotSupported):
            call()


def test_manual_adapter_times_out_when_nobody_answers(tmp_path):
    release = threading.Event()

    class Silent:
        def readline(self) -> str:
            release.wait(10)
            return ""

    adapter = ManualAdapter(Silent(), io.StringIO(), timeout=0.2, workdir=tmp_path)
    try:
        with pytest.raises(OperatorTimeout, match=r"did not answer within 0\.2 s"):
            adapter.act(DOC_ID, "accept")
    finally:
        release.set()


def test_manual_adapter_closed_input_is_unreachable(tmp_path):
    adapter = ManualAdapter(io.StringIO(""), io.StringIO(), timeout=5, workdir=tmp_path)
    for _ in range(2):
        with pytest.raises(SutUnreachable, match="input was closed"):
            adapter.act(DOC_ID, "accept")


# -- the harness clock ---------------------------------------------------------------------


class FakeTime:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_clock_runs_model_time_at_its_scale():
    fake = FakeTime()
    clock = HarnessClock(
        60, datetime(2024, 6, 28, 8, 0, 0), monotonic=fake.monotonic, sleeper=fake.sleep
    )
    assert clock.timestamp() == "2024/06/28 08:00:00"
    fake.now += 2.5
    assert clock.wall() == datetime(2024, 6, 28, 8, 2, 30)
    assert clock.now().tzinfo is VIETNAM
    assert clock.time() == datetime(2024, 6, 28, 8, 2, 30, tzinfo=VIETNAM).timestamp()
    clock.sleep(300)
    assert fake.slept == [5.0]
    assert clock.timestamp() == "2024/06/28 08:07:30"
    assert clock.today() == date(2024, 6, 28)
    assert (clock.real(120), clock.model(2)) == (2.0, 120.0)


def test_clock_deadlines_count_down_in_model_time():
    fake = FakeTime()
    clock = HarnessClock(10, datetime(2024, 6, 28, 8, 0), monotonic=fake.monotonic)
    deadline = clock.deadline(300)
    assert deadline.at == datetime(2024, 6, 28, 8, 5)
    fake.now += 10
    assert (deadline.remaining(), deadline.remaining_real(), deadline.expired) == (
        200.0,
        20.0,
        False,
    )
    fake.now += 25
    assert (deadline.remaining(), deadline.expired) == (0.0, True)


def test_clock_waits_on_events_in_scaled_time():
    clock = HarnessClock(1000)
    event = threading.Event()
    assert clock.wait_event(event, 50) is False  # 50 model s = 0.05 real s
    event.set()
    assert clock.wait_event(event, 5000) is True


@pytest.mark.parametrize("scale", [0, -1, "fast"])
def test_clock_refuses_a_bad_scale(scale):
    with pytest.raises(ValueError, match="time_scale="):
        HarnessClock(scale)
    with pytest.raises(ValueError, match="model_seconds="):
        HarnessClock(1).real(-1)


@pytest.mark.parametrize(
    "module",
    ["conformance", "conformance.contract", "conformance.adapters", "conformance.reference"],
)
def test_exported_members_exist(module):
    imported = __import__(module, fromlist=["__all__"])
    assert len(set(imported.__all__)) == len(imported.__all__)
    for name in imported.__all__:
        assert getattr(imported, name) is not None, name


# -- contract 1.1: the build ----------------------------------------------------------------


def test_info_may_name_the_build_since_1_1_and_a_1_0_controller_still_works() -> None:
    info = {
        "contractVersion": "1.0",
        "product": "QLVB Pro",
        "vendor": "Công ty ABC",
        "version": "5.2.1",
        "capabilities": [],
        "configured": False,
    }
    assert contract.problems("info.response", info) == []
    assert contract.SutIdentity.from_json(info).build is None
    with_build = {**info, "contractVersion": "1.1", "build": "git-4f2a9c1 (build 1187)"}
    assert contract.problems("info.response", with_build) == []
    identity = contract.SutIdentity.from_json(with_build)
    assert identity.build == "git-4f2a9c1 (build 1187)"
    assert identity.to_json()["build"] == "git-4f2a9c1 (build 1187)"
    assert "build" not in contract.SutIdentity.from_json(info).to_json()
    for bad in ("", " padded", "tab\there", "é-accented", "x" * 201):
        assert contract.problems("info.response", {**with_build, "build": bad}), bad
    assert contract.CONTRACT_VERSION == "1.1"


def test_the_reference_sut_names_its_build_and_its_planted_defects() -> None:
    from conformance.reference.behaviour import Behaviour
    from conformance.reference.sut import build_id

    honest = build_id(Behaviour())
    assert re.fullmatch(r"src-[0-9a-f]{12}", honest)
    planted = build_id(Behaviour.with_defects("never-ack", "no-staff-info"))
    assert planted == f"{honest}+never-ack+no-staff-info"
    assert contract.problems("info.response", {
        "contractVersion": "1.1", "product": "p", "vendor": "v", "version": "1",
        "capabilities": [], "configured": False, "build": planted,
    }) == []  # fmt: skip


def test_a_duration_is_told_in_model_and_real_seconds_with_the_scale() -> None:
    assert HarnessClock(300).span(240) == "240 model s (0.8 real s at time scale 300)"
    assert HarnessClock(1).span(300) == "300 model s (300 real s at time scale 1)"
    checks = Path(__file__).parents[2] / "conformance" / "checks"
    for module in checks.glob("*.py"):
        text = module.read_text("utf-8")
        # Every deadline message goes through HarnessClock.span, never bare model seconds.
        assert not re.search(r"model s\b|model seconds", text), module.name
