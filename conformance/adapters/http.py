"""The HTTP adapter: drives a SUT through the control endpoint its test build exposes
(the adapter contract, JSON over HTTP). Every request and response is checked against the
contract's schemas, so a controller that drifts from the contract is reported as such."""

from __future__ import annotations

from typing import Any

import httpx

from conformance import contract
from conformance.adapters.caller import Caller
from conformance.contract import (
    Action,
    ActionResult,
    Configuration,
    DocumentRequest,
    RegisteredDocument,
    SentDocument,
    SutIdentity,
    TakeBackAnswer,
    TakeBackRequest,
)
from conformance.errors import (
    ActionRefused,
    ContractViolation,
    NotConfigured,
    NotSupported,
    SutError,
    SutUnreachable,
    UnknownDocument,
)

__all__ = ["HttpAdapter"]

_ERRORS: dict[str, type[SutError]] = {
    "unknown-document": UnknownDocument,
    "illegal-transition": ActionRefused,
    "not-supported": NotSupported,
    "not-configured": NotConfigured,
}


class HttpAdapter:
    """A SUT whose controller listens at ``url`` (the base URL; the contract's paths start
    with ``/lienthong/v1``). ``timeout`` is in real seconds per request; ``transport`` lets
    tests drive an ASGI app in-process."""

    def __init__(
        self,
        url: str,
        *,
        timeout: float = 30.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"url={url!r} must be an http:// or https:// URL")
        if not timeout > 0:
            raise ValueError(f"timeout={timeout!r} must be > 0 seconds")
        self._caller = Caller(url, timeout=timeout, transport=transport)
        self.url = self._caller.url
        self.timeout = timeout

    def __repr__(self) -> str:
        return f"HttpAdapter({self.url!r}, timeout={self.timeout!r})"

    def close(self) -> None:
        self._caller.close()

    def __enter__(self) -> HttpAdapter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the wire ------------------------------------------------------------------------

    def call(
        self,
        name: str,
        body: dict[str, Any] | None = None,
        *,
        document_id: str | None = None,
        params: dict[str, str] | None = None,
    ) -> Any:
        """Call the endpoint ``name`` and return its validated JSON answer."""
        answer = self._caller.call(name, body, document_id=document_id, params=params)
        ep = contract.endpoint(name)
        where = f"{ep.method} {ep.url_path(document_id)}"
        if answer.status is None:
            if answer.timed_out:
                raise SutUnreachable(
                    f"the SUT controller at {self.url!r} did not answer {where} within "
                    f"{self.timeout} s"
                )
            raise SutUnreachable(
                f"cannot reach the SUT controller at {self.url!r} ({where}): {answer.failure}; "
                "is the test build running and listening there?"
            )
        if not answer.is_json:
            raise ContractViolation(f"{ep.name}: HTTP {answer.status}", [str(answer.body_problem)])
        if answer.status == ep.success:
            contract.validate(ep.response, answer.body)
            return answer.body
        if answer.status >= 400:
            data = answer.body
            contract.validate("error", data)
            cls = _ERRORS.get(data["error"], SutError)
            raise cls(
                data["error"], data["message"], http_status=answer.status, rule=data.get("rule")
            )
        raise ContractViolation(
            ep.response,
            [f"HTTP status {answer.status}, expected {ep.success} or an error (4xx/5xx)"],
        )

    # -- the adapter protocol ------------------------------------------------------------

    def describe(self) -> SutIdentity:
        return SutIdentity.from_json(self.call("info"))

    def configure(self, config: Configuration) -> None:
        self.call("configure", config.to_json())

    def send_document(self, request: DocumentRequest) -> SentDocument:
        return SentDocument.from_json(self.call("send", request.to_json()))

    def act(
        self, document_id: str, action: Action | str, reason: str | None = None
    ) -> ActionResult:
        body: dict[str, Any] = {"action": Action(action).value}
        if reason is not None:
            body["reason"] = reason
        return ActionResult.from_json(self.call("action", body, document_id=document_id))

    def request_take_back(self, document_id: str, recipient: str, reason: str) -> ActionResult:
        body = TakeBackRequest(recipient, reason).to_json()
        return ActionResult.from_json(self.call("take-back", body, document_id=document_id))

    def answer_take_back(
        self, document_id: str, requester: str | None, agree: bool, reason: str | None = None
    ) -> ActionResult:
        body = TakeBackAnswer(agree, requester, reason).to_json()
        return ActionResult.from_json(self.call("take-back-answer", body, document_id=document_id))

    def registered(self, direction: str | None = None) -> list[RegisteredDocument]:
        if direction not in (None, "received", "sent"):
            raise ValueError(f"direction={direction!r} must be None, 'received' or 'sent'")
        params = {"direction": direction} if direction else None
        data = self.call("documents", params=params)
        return [RegisteredDocument.from_json(d) for d in data["documents"]]

    def document(self, document_id: str) -> RegisteredDocument:
        """One registered document (``UnknownDocument`` when the SUT has none by that id)."""
        return RegisteredDocument.from_json(self.call("document", document_id=document_id))

    def reset(self) -> None:
        self.call("reset", {})
