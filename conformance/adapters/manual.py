"""The manual adapter: a person at the SUT's screen does what the suite asks, prompted in the
terminal ("In your software, accept document 7816/VPCP-TTĐT, then press Enter"). For software
that has no control endpoint; the suite still judges only what crosses the axis.

Answers: Enter when done; ``no: <why>`` when the software would not do it (an action it does
not allow is reported as :class:`~conformance.errors.ActionRefused`). A prompt left
unanswered for ``timeout`` seconds raises :class:`~conformance.errors.OperatorTimeout`.
"""

from __future__ import annotations

import queue
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from conformance.contract import (
    ACTION_STATUS,
    Action,
    ActionResult,
    Configuration,
    DocumentRequest,
    RegisteredDocument,
    SentDocument,
    SutIdentity,
)
from conformance.errors import ActionRefused, NotSupported, OperatorTimeout, SutUnreachable
from spec.document_id import parse_document_id
from spec.formats import format_date
from spec.status_codes import StatusCode

if TYPE_CHECKING:
    pass

__all__ = ["ManualAdapter"]

MANUAL_CONTRACT = "manual"
_REFUSAL_PREFIXES = ("no:", "no ", "refused:", "refused ")
_ACTION_WORDS = {
    Action.ACCEPT: "accept (tiếp nhận, vào sổ)",
    Action.REFUSE: "refuse (từ chối)",
    Action.ASSIGN: "assign for handling (phân công xử lý)",
    Action.PROCESS: "start processing (đang xử lý)",
    Action.COMPLETE: "complete (hoàn thành xử lý)",
}
_EOF = object()


def _label(document_id: str) -> str:
    """``7816/VPCP-TTĐT`` for a well-formed DocumentId, the id itself otherwise."""
    try:
        return parse_document_id(document_id).code
    except ValueError:
        return document_id


class LineSource(Protocol):
    """Where the operator's answers come from (a terminal's stdin, or a test's fake)."""

    def readline(self) -> str: ...


class TextSink(Protocol):
    """Where the prompts go."""

    def write(self, text: str, /) -> int: ...

    def flush(self) -> None: ...


class ManualAdapter:
    """Prompts an operator on ``output`` and reads the answers from ``input``.

    ``workdir`` receives the files the operator needs (attachments to send, the test CA);
    ``product`` is "name vendor version" of the SUT, asked for when not given.
    """

    def __init__(
        self,
        input: LineSource | None = None,
        output: TextSink | None = None,
        *,
        timeout: float = 600.0,
        workdir: Path | str = "reports/out/manual",
        product: str | None = None,
    ) -> None:
        if not timeout > 0:
            raise ValueError(f"timeout={timeout!r} must be > 0 seconds")
        self._input: LineSource = input if input is not None else sys.stdin
        self._output: TextSink = output if output is not None else sys.stdout
        self.timeout = timeout
        self.workdir = Path(workdir)
        self.product = product
        self._lines: queue.Queue[object] = queue.Queue()
        self._reader: threading.Thread | None = None
        self._sent = 0

    def __repr__(self) -> str:
        return f"ManualAdapter(timeout={self.timeout!r}, workdir={str(self.workdir)!r})"

    # -- talking to the operator ---------------------------------------------------------

    def _read_lines(self) -> None:
        while True:
            line = self._input.readline()
            if not line:
                self._lines.put(_EOF)
                return
            self._lines.put(line)

    def ask(self, prompt: str) -> str:
        """Show ``prompt`` and return the operator's answer (stripped)."""
        self._output.write(f"\n{prompt}\n> ")
        self._output.flush()
        if self._reader is None:
            self._reader = threading.Thread(target=self._read_lines, name="operator", daemon=True)
            self._reader.start()
        try:
            line = self._lines.get(timeout=self.timeout)
        except queue.Empty:
            raise OperatorTimeout(
                f"the operator did not answer within {self.timeout} s: {prompt.splitlines()[0]!r}"
            ) from None
        if line is _EOF:
            self._lines.put(_EOF)  # every later prompt sees the end too
            raise SutUnreachable("the operator's input was closed (end of file)")
        return str(line).strip()

    def _do(self, prompt: str) -> None:
        """Prompt for something the operator does; raise ActionRefused on ``no: why``."""
        answer = self.ask(
            prompt + "\nPress Enter when done, or type 'no: <why>' if your software does not "
            "allow it."
        )
        lowered = answer.lower()
        for prefix in _REFUSAL_PREFIXES:
            if lowered.startswith(prefix):
                why = answer[len(prefix) :].strip() or "no reason given"
                raise ActionRefused("illegal-transition", f"the operator reports: {why}")
        if answer:
            self._output.write(f"(taken as done; extra text ignored: {answer!r})\n")

    def _ask_document_id(self, prompt: str) -> str:
        for _ in range(3):
            answer = self.ask(prompt)
            try:
                parse_document_id(answer)
            except ValueError as exc:
                self._output.write(f"That is not a DocumentId: {exc}\n")
                continue
            return answer
        raise ActionRefused("bad-request", "the operator gave no valid DocumentId in 3 tries")

    # -- the adapter protocol ------------------------------------------------------------

    def describe(self) -> SutIdentity:
        if self.product is None:
            self.product = self.ask("Name, vendor and version of the software under test:")
        words = self.product.split()
        return SutIdentity(
            product=self.product or "unnamed",
            vendor=words[1] if len(words) > 2 else "unknown",
            version=words[-1] if len(words) > 1 else "unknown",
            contract_version=MANUAL_CONTRACT,
            capabilities=frozenset({"take-back", "business-kinds", "signature"}),
        )

    def configure(self, config: Configuration) -> None:
        lines = [
            "Configure your software to use the test axis:",
            f"  axis endpoint:   {config.axis_endpoint}",
            f"  system id:       {config.system_id}",
            f"  secret:          {config.secret}",
            f"  agency (mã định danh): {config.organ_id}",
        ]
        keys = self.workdir / "keys"
        ca_pem, signing, organ_id = config.ca_pem, config.signing, config.organ_id
        if ca_pem or signing:
            keys.mkdir(mode=0o700, parents=True, exist_ok=True)
        if ca_pem:
            (keys / "ca.cert.pem").write_text(ca_pem, "utf-8")
            lines.append(f"  trusted CA certificate: {keys / 'ca.cert.pem'}")
        if signing:
            key_file = keys / f"{organ_id}.key.pem"
            key_file.touch(mode=0o600)
            key_file.chmod(0o600)  # the mode of touch() applies only to a new file
            key_file.write_text(signing.key_pem, "utf-8")
            (keys / f"{organ_id}.cert.pem").write_text(signing.cert_pem, "utf-8")
            lines.append(f"  signing key and certificate: {key_file} and {organ_id}.cert.pem")
        if config.require_signature:
            lines.append("  documents must be signed, and unsigned ones refused")
        clock = config.clock
        if clock is not None and clock.time_scale != 1:
            lines.append(
                f"  the test clock runs {clock.time_scale:g}x faster: poll the axis as often as "
                "your software allows"
            )
        self._do("\n".join(lines))

    def send_document(self, request: DocumentRequest) -> SentDocument:
        self._sent += 1
        folder = self.workdir / f"send-{self._sent:03d}"
        if request.attachments:
            folder.mkdir(parents=True, exist_ok=True)
            for attachment in request.attachments:
                (folder / Path(attachment.name).name).write_bytes(attachment.content)
        b = request.business
        if b is None:
            what = f"send a new document to {', '.join(request.to)}"
        elif b.kind == "revoke":
            what = f"revoke (thu hồi) document {_label(b.original_document_id)}"
        elif b.kind == "update":
            what = f"send an update (cập nhật) of document {_label(b.original_document_id)}"
        else:
            what = (
                f"send a document to {', '.join(request.to)} that replaces (thay thế) "
                f"{_label(b.original_document_id)}"
            )
        lines = [f"In your software, {what}", f"  subject (trích yếu): {request.subject}"]
        if request.code_number or request.code_notation:
            lines.append(
                f"  số/ký hiệu: {request.code_number or '?'}/{request.code_notation or '?'}"
            )
        if request.type_name:
            lines.append(f"  document type: {request.type_name}")
        if b is not None:
            lines.append(f"  reason: {b.reason}")
            if b.receivers_added or b.receivers_removed:
                lines.append(
                    f"  recipients added: {', '.join(b.receivers_added) or 'none'}; removed: "
                    f"{', '.join(b.receivers_removed) or 'none'}"
                )
        if request.attachments:
            names = ", ".join(Path(a.name).name for a in request.attachments)
            lines.append(f"  attach the files in {folder}: {names}")
        lines.append("then type the DocumentId it got (<issuer>,<yyyy/MM/dd>,<số>/<ký hiệu>):")
        document_id = self._ask_document_id("\n".join(lines))
        key = parse_document_id(document_id)
        return SentDocument(
            document_id=document_id,
            to=tuple(request.to),
            business_kind=b.kind if b else "new",
            code=key.code,
            promulgation_date=format_date(key.promulgation_date),
        )

    def act(
        self, document_id: str, action: Action | str, reason: str | None = None
    ) -> ActionResult:
        action = Action(action)
        prompt = f"In your software, {_ACTION_WORDS[action]} document {_label(document_id)}"
        prompt += f"\n  (DocumentId {document_id})"
        if reason:
            prompt += f"\n  with the reason: {reason}"
        self._do(prompt)
        return ActionResult(document_id, ACTION_STATUS[action], action=action)

    def request_take_back(self, document_id: str, recipient: str, reason: str) -> ActionResult:
        self._do(
            f"In your software, ask {recipient} to give back (lấy lại) document "
            f"{_label(document_id)}\n  (DocumentId {document_id})\n  with the reason: {reason}"
        )
        return ActionResult(document_id, StatusCode.TAKE_BACK_REQUESTED)

    def answer_take_back(
        self, document_id: str, requester: str | None, agree: bool, reason: str | None = None
    ) -> ActionResult:
        who = f" from {requester}" if requester else ""
        verb = "agree to" if agree else "refuse"
        prompt = (
            f"In your software, {verb} the take-back request{who} for document "
            f"{_label(document_id)}\n  (DocumentId {document_id})"
        )
        if reason:
            prompt += f"\n  with the reason: {reason}"
        self._do(prompt)
        code = StatusCode.TAKE_BACK_AGREED if agree else StatusCode.TAKE_BACK_REFUSED
        return ActionResult(document_id, code)

    def registered(self, direction: str | None = None) -> list[RegisteredDocument]:
        raise NotSupported("not-supported", "a manually driven SUT cannot list its register")

    def document(self, document_id: str) -> RegisteredDocument:
        raise NotSupported("not-supported", "a manually driven SUT cannot list its register")

    def reset(self) -> None:
        raise NotSupported("not-supported", "a manually driven SUT cannot be reset")

    def close(self) -> None:
        """Nothing to release (the operator's input stays open for the caller)."""
