"""``check_contract``: call every endpoint of the adapter contract a SUT's controller declares,
against a throw-away axis, and say per endpoint what is right and what is wrong.

The order is the one a certification run needs: who the SUT is (info), point it at the axis
(configure, then watch its first signed poll), issue a document (send), receive one and act on
it (actions), ask for a take-back and answer one, list what it registered, and reset. Every
answer is checked against its JSON Schema, and against what the request asked for (the
document ids, recipients and codes it must echo); the refusals the suite relies on
(``unknown-document``, ``illegal-transition``) are provoked once each. It takes seconds: the
SUT is asked to poll ten times a second.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Callable
from typing import Any

import httpx

from conformance import contract
from conformance.adapters.base import make_configuration
from conformance.adapters.caller import Answer, Caller
from conformance.clock import HarnessClock
from conformance.contract_check.judging import echo, expect, expect_error
from conformance.contract_check.report import CheckReport, EndpointCheck
from conformance.contract_check.sandbox import Sandbox, open_sandbox
from conformance.contract_check.shapes import found_text
from conformance.errors import ConformanceError
from conformance.observe import call_body, is_ok_call
from fixtures.factory import pdf_bytes
from spec.document_id import parse_document_id
from spec.lifecycle import State
from spec.model import Edoc
from spec.status_codes import StatusCode

__all__ = ["DEFAULT_TIMEOUT", "DEFAULT_WAIT", "POLL_INTERVAL", "CheckAborted", "check_contract"]

DEFAULT_WAIT = 20.0
"""Real seconds the check waits for the SUT to do something on the axis."""
DEFAULT_TIMEOUT = 30.0
"""Real seconds one call of the controller may take (the suite's own default)."""
POLL_INTERVAL = 0.1
"""The polling interval (model seconds, at time scale 1) the SUT is configured with."""
ORDER = (
    "info",
    "configure",
    "send",
    "action",
    "take-back",
    "take-back-answer",
    "documents",
    "document",
    "reset",
)
SUBJECT = "V/v kiểm tra giao diện điều khiển (lienthong contract check)"
TAKE_BACK_REASON = "Kiểm tra giao diện điều khiển: đề nghị trả lại văn bản"
KEEP_REASON = "Kiểm tra giao diện điều khiển: văn bản đã được tiếp nhận, không trả lại"
REFUSE_REASON = "Kiểm tra giao diện điều khiển: từ chối sau khi đã tiếp nhận"
_STARTUP_RETRY = 0.25


class CheckAborted(ConformanceError, ConnectionError):
    """The check cannot run at all: the controller does not answer ``GET /info``."""


def check_contract(
    url: str,
    *,
    wait: float = DEFAULT_WAIT,
    timeout: float = DEFAULT_TIMEOUT,
    startup: float = 0.0,
    on_done: Callable[[EndpointCheck], None] | None = None,
    transport: httpx.BaseTransport | None = None,
) -> CheckReport:
    """Check the controller whose base URL is ``url``. ``wait``: real seconds allowed for the
    SUT to act on the axis; ``timeout``: per call; ``startup``: how long to retry the first
    call while the test build is still starting. ``on_done`` sees each endpoint's result as
    soon as it is known. Raises :class:`CheckAborted` when the controller never answers."""
    if not url.startswith(("http://", "https://")):
        raise ValueError(f"url={url!r} must be the http:// or https:// base URL of the controller")
    for name, value in (("wait", wait), ("timeout", timeout)):
        if not value > 0:
            raise ValueError(f"{name}={value!r} must be > 0 seconds")
    if startup < 0:
        raise ValueError(f"startup={startup!r} must be >= 0 seconds")
    started = time.monotonic()
    caller = Caller(url, timeout=timeout, transport=transport)
    report = CheckReport(caller.url)
    try:
        first = _first_answer(caller, startup)
        clock = HarnessClock(1.0)
        with open_sandbox(clock) as sandbox:
            _Run(caller, sandbox, clock, report, wait, on_done or (lambda _: None)).all(first)
    finally:
        caller.close()
    report.seconds = time.monotonic() - started
    return report


def _first_answer(caller: Caller, startup: float) -> Answer:
    deadline = time.monotonic() + startup
    while True:
        answer = caller.call("info")
        if answer.answered:
            return answer
        if time.monotonic() >= deadline:
            path = contract.endpoint("info").path
            raise CheckAborted(
                f"the controller at {caller.url!r} does not answer GET {path}: {answer.failure}; "
                "is the test build running and listening there?"
            )
        time.sleep(_STARTUP_RETRY)


class _Run:
    """One check: the steps in :data:`ORDER`, and what they leave for the next ones."""

    def __init__(
        self,
        caller: Caller,
        sandbox: Sandbox,
        clock: HarnessClock,
        report: CheckReport,
        wait: float,
        on_done: Callable[[EndpointCheck], None],
    ) -> None:
        self.caller = caller
        self.sandbox = sandbox
        self.clock = clock
        self.report = report
        self.wait = wait
        self.on_done = on_done
        self.capabilities: set[str] = set()
        self.configured = False
        self.polling = False
        self.sent: str | None = None
        self.received: tuple[Edoc, str] | None = None
        self.unknown = f"{sandbox.partner.organ_id},2000/01/01,0/KHONG-TON-TAI"

    def all(self, first: Answer) -> None:
        steps: dict[str, Callable[[EndpointCheck], None]] = {
            "info": lambda check: self.info(check, first),
            "configure": self.configure,
            "send": self.send,
            "action": self.action,
            "take-back": self.take_back,
            "take-back-answer": self.take_back_answer,
            "documents": self.documents,
            "document": self.document,
            "reset": self.reset,
        }
        for name in ORDER:
            check = EndpointCheck(contract.endpoint(name))
            self.report.checks.append(check)
            why = self._not_now(check)
            if why is None:
                steps[name](check)
            else:
                check.skipped = why
            self.on_done(check)

    def _not_now(self, check: EndpointCheck) -> str | None:
        ep = check.endpoint
        if ep.capability and ep.capability not in self.capabilities:
            return f"not declared: the SUT does not list the capability {ep.capability!r}"
        if ep.name in ("info", "configure"):
            return None
        if not self.configured:
            return "not checked: POST /configure did not succeed"
        return None

    # -- the steps -------------------------------------------------------------------------

    def info(self, check: EndpointCheck, answer: Answer) -> None:
        body = expect(check, answer)
        if body:
            self.report.identity = body
            caps = body.get("capabilities")
            if isinstance(caps, list):
                self.capabilities = {c for c in caps if isinstance(c, str)}
            if not check.wrong:
                check.right.append(
                    f"{body['product']} {body['version']} by {body['vendor']}, contract "
                    f"{body['contractVersion']}, capabilities: "
                    f"{', '.join(sorted(self.capabilities)) or 'none'}"
                )

    def _configuration(self) -> dict[str, Any]:
        sut = self.sandbox.sut
        ca_pem = signing = None
        if "signature" in self.capabilities:
            ca_pem, signing = self.sandbox.signing_credentials()
        return make_configuration(
            self.sandbox.url,
            sut.system_id,
            sut.secret,
            sut.organ_id,
            ca_pem=ca_pem,
            signing=signing,
            clock=self.clock,
            poll_interval=POLL_INTERVAL,
        ).to_json()

    def configure(self, check: EndpointCheck) -> None:
        sut = self.sandbox.sut
        cursor = self.sandbox.head()
        body = expect(check, self.caller.call("configure", self._configuration()))
        if not body:
            return
        self.configured = True
        echo(check, body, "organId", sut.organ_id)
        echo(check, body, "systemId", sut.system_id)
        after = self.caller.call("info")
        info = after.body if isinstance(after.body, dict) else {}
        said = (info.get("configured"), info.get("organId"), info.get("systemId"))
        if said == (True, sut.organ_id, sut.system_id):
            check.right.append(
                f"GET /info then says configured, as {sut.system_id} for {sut.organ_id}"
            )
        else:
            check.wrong.append(
                f"GET /info then says configured={said[0]!r}, organId={said[1]!r}, "
                f"systemId={said[2]!r}; expected true, {sut.organ_id!r}, {sut.system_id!r}"
            )
        self._first_poll(check, cursor)

    def _first_poll(self, check: EndpointCheck, cursor: int) -> None:
        sut = self.sandbox.sut
        started = time.monotonic()
        polled = self.sandbox.wait(
            cursor,
            self.wait,
            is_ok_call,
            kind="call",
            system=sut.system_id,
            op="getReceivedEdocList",
        )
        if polled is not None:
            self.polling = True
            check.right.append(
                f"the SUT listed its inbox on the axis {time.monotonic() - started:.1f} s later, "
                "its requests signed correctly"
            )
            return
        page, _ = self.sandbox.admin.events(cursor, limit=500, kind="call", system=sut.system_id)
        calls = [c for c in map(call_body, page) if c is not None]
        refused = [c for c in calls if c.error_code == "1"]
        if refused:
            check.wrong.append(
                f"the axis refused all {len(refused)} call(s) of the SUT for their signature "
                f"({refused[0].error_desc!r}): see AXIS_PROTOCOL.md §2 (systemid, "
                "timestamp, sign-header-key, sign-header, hash-header)"
            )
        elif calls:
            last = calls[-1]
            check.wrong.append(
                f"the SUT called the axis {len(calls)} time(s) but never listed its inbox "
                f"successfully (last: {last.op} {last.error_desc!r})"
            )
        else:
            check.wrong.append(
                f"the SUT made no call to the axis at {self.sandbox.url} within {self.wait:g} s "
                "of being configured"
            )

    def send(self, check: EndpointCheck) -> None:
        partner = self.sandbox.partner.organ_id
        request = {
            "to": [partner],
            "subject": SUBJECT,
            "typeName": "Công văn",
            "attachments": [
                {
                    "name": "kiem-tra.pdf",
                    "contentBase64": base64.b64encode(
                        pdf_bytes(["lienthong contract check"])
                    ).decode("ascii"),
                }
            ],
        }
        cursor = self.sandbox.head()
        body = expect(check, self.caller.call("send", request))
        document_id = body.get("documentId")
        if not isinstance(document_id, str) or not document_id:
            return
        echo(check, body, "businessKind", "new")
        if isinstance(body.get("to"), list) and sorted(body["to"]) != [partner]:
            check.wrong.append(f"$.to: {found_text(body['to'])}; expected [{partner!r}]")
        issuer = self.sandbox.sut.organ_id
        try:
            key = parse_document_id(document_id)
        except ValueError as exc:
            check.wrong.append(f"$.documentId: {exc}")
        else:
            if key.issuer != issuer:
                check.wrong.append(
                    f"$.documentId: {document_id!r}; expected a DocumentId issued by {issuer}"
                )
        self.sent = document_id
        if not self.polling:
            return
        stored = self.sandbox.wait_stored(cursor, self.wait, "edoc", document_id)
        if stored is None:
            check.wrong.append(
                f"the document {document_id!r} did not reach the axis within {self.wait:g} s"
            )
            return
        doc_id = stored.doc_id
        check.right.append(f"the document {document_id} reached the axis as DocId {doc_id}")
        axis_doc_id = body.get("axisDocId")
        if axis_doc_id is not None and axis_doc_id != doc_id:
            check.wrong.append(
                f"$.axisDocId: {found_text(axis_doc_id)}; expected {doc_id!r}, the axis's DocId "
                "(or null while the document is queued)"
            )

    def action(self, check: EndpointCheck) -> None:
        expect_error(
            check,
            self.caller.call("action", {"action": "accept"}, document_id=self.unknown),
            "unknown-document",
            "accepting a document the SUT never received",
        )
        if not self.polling:
            check.skipped = "actions on a received document not checked: the SUT does not poll"
            return
        cursor = self.sandbox.head()
        doc, doc_id = self.sandbox.document_for_sut()
        document_id = doc.header.document_id or ""
        if self.sandbox.wait_ack(cursor, doc_id, self.wait) is None:
            check.wrong.append(
                f"the SUT did not take the partner's document {document_id!r} (DocId {doc_id}) "
                f"from the axis within {self.wait:g} s (no updateStatus done), so it could not "
                "be accepted"
            )
            return
        self.received = (doc, document_id)
        cursor = self.sandbox.head()
        accept = contract.Action.ACCEPT
        answer = self.caller.call("action", {"action": accept.value}, document_id=document_id)
        body = expect(check, answer, accept.value)
        accepted = contract.ACTION_STATUS[accept].value
        for key, wanted in (
            ("documentId", document_id),
            ("action", accept.value),
            ("statusCode", accepted),
            ("state", State.ACCEPTED.value),
        ):
            echo(check, body, key, wanted)
        self._status_out(check, cursor, document_id, accepted)
        expect_error(
            check,
            self.caller.call(
                "action", {"action": "refuse", "reason": REFUSE_REASON}, document_id=document_id
            ),
            "illegal-transition",
            "refusing the document it had accepted",
        )

    def _status_out(self, check: EndpointCheck, cursor: int, document_id: str, code: str) -> None:
        """The SUT's status ``code`` about ``document_id`` reached the axis (noted either way;
        not waited for when the SUT cannot talk to the axis at all)."""
        if not self.polling:
            return
        stored = self.sandbox.wait_status(cursor, self.wait, document_id, code)
        if stored is not None:
            check.right.append(f"its status {code} reached the axis")
        else:
            check.wrong.append(f"no status {code} about it reached the axis within {self.wait:g} s")

    def take_back(self, check: EndpointCheck) -> None:
        if self.sent is None:
            check.skipped = "not checked: it needs a document the SUT sent (POST /documents)"
            return
        partner = self.sandbox.partner.organ_id
        request = {"recipient": partner, "reason": TAKE_BACK_REASON}
        cursor = self.sandbox.head()
        body = expect(check, self.caller.call("take-back", request, document_id=self.sent))
        echo(check, body, "documentId", self.sent)
        echo(check, body, "recipient", partner)
        if body:
            self._status_out(check, cursor, self.sent, StatusCode.TAKE_BACK_REQUESTED.value)
        expect_error(
            check,
            self.caller.call("take-back", request, document_id=self.sent),
            "illegal-transition",
            "asking again while the first request waits for its answer",
        )

    def take_back_answer(self, check: EndpointCheck) -> None:
        if self.received is None:
            check.skipped = "not checked: it needs a document the SUT received and accepted"
            return
        doc, document_id = self.received
        cursor = self.sandbox.head()
        request_id = self.sandbox.take_back_request(doc, TAKE_BACK_REASON)
        if self.sandbox.wait_ack(cursor, request_id, self.wait) is None:
            check.wrong.append(
                f"the SUT did not take the partner's take-back request "
                f"({StatusCode.TAKE_BACK_REQUESTED}, DocId {request_id}) "
                f"from the axis within {self.wait:g} s, so it could not be answered"
            )
            return
        cursor = self.sandbox.head()
        request = {
            "agree": False,
            "requester": self.sandbox.partner.organ_id,
            "reason": KEEP_REASON,
        }
        body = expect(check, self.caller.call("take-back-answer", request, document_id=document_id))
        echo(check, body, "documentId", document_id)
        refused = StatusCode.TAKE_BACK_REFUSED.value
        echo(check, body, "statusCode", refused)
        echo(check, body, "state", State.ACCEPTED.value)
        if body:
            self._status_out(check, cursor, document_id, refused)
        expect_error(
            check,
            self.caller.call("take-back-answer", request, document_id=document_id),
            "illegal-transition",
            "answering the same request twice",
        )

    def _listed(self) -> list[tuple[str, str]]:
        out = []
        if self.received is not None:
            out.append((self.received[1], "received"))
        if self.sent is not None:
            out.append((self.sent, "sent"))
        return out

    def documents(self, check: EndpointCheck) -> None:
        body = expect(check, self.caller.call("documents"), "all")
        entries = [d for d in body.get("documents") or [] if isinstance(d, dict)]
        for document_id, direction in self._listed():
            found = [d for d in entries if d.get("documentId") == document_id]
            if not found:
                check.wrong.append(
                    f"$.documents: no entry with documentId {document_id!r} (the document it "
                    f"{direction})"
                )
            elif found[0].get("direction") != direction:
                check.wrong.append(
                    f"$.documents[{entries.index(found[0])}].direction: "
                    f"{found_text(found[0].get('direction'))}; expected {direction!r}"
                )
        answer = self.caller.call("documents", params={"direction": "received"})
        body = expect(check, answer, "?direction=received")
        for i, entry in enumerate(body.get("documents") or []):
            if isinstance(entry, dict) and entry.get("direction") != "received":
                check.wrong.append(
                    f"?direction=received: $.documents[{i}].direction: "
                    f"{found_text(entry.get('direction'))}; expected 'received'"
                )

    def document(self, check: EndpointCheck) -> None:
        if self.received is not None:
            document_id = self.received[1]
            answer = self.caller.call("document", document_id=document_id)
            body = expect(check, answer, "the received document")
            echo(check, body, "documentId", document_id)
            echo(check, body, "direction", "received")
            echo(check, body, "state", "accepted")
        expect_error(
            check,
            self.caller.call("document", document_id=self.unknown),
            "unknown-document",
            "a document the SUT does not have",
        )

    def reset(self, check: EndpointCheck) -> None:
        body = expect(check, self.caller.call("reset", {}))
        if not body:
            return
        info = self.caller.call("info").body
        configured = info.get("configured") if isinstance(info, dict) else None
        if configured is False:
            check.right.append("GET /info then says configured false")
        else:
            check.wrong.append(
                f"GET /info then says configured={configured!r}; expected false (reset forgets "
                "the configuration)"
            )
