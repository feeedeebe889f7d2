"""Judging one answer of a controller: the status and body a successful call must have, the
refusal a provoked error must be, and the values an answer must echo from its request; each
verdict noted on the endpoint's :class:`~conformance.contract_check.report.EndpointCheck`."""

from __future__ import annotations

from typing import Any

from conformance import contract
from conformance.adapters.caller import Answer
from conformance.contract_check.report import EndpointCheck
from conformance.contract_check.shapes import found_text, literal, problems

__all__ = ["echo", "expect", "expect_error"]


def expect(check: EndpointCheck, answer: Answer, what: str = "") -> dict[str, Any]:
    """The body of a successful answer (an empty dict when there is none), with what is
    right and wrong about it noted on ``check``."""
    ep = check.endpoint
    lead = f"{what}: " if what else ""
    status = answer.status
    if status is None:
        check.wrong.append(f"{lead}no answer ({answer.failure})")
        return {}
    status_right = status == ep.success
    if not status_right:
        if status >= 400 or not isinstance(answer.body, dict):
            got = _error_summary(check, answer) if status >= 400 else ""
            check.wrong.append(
                f"{lead}HTTP {status}{got}; expected HTTP {ep.success} with a {ep.response}"
            )
            return {}
        check.wrong.append(f"{lead}HTTP {status}; expected HTTP {ep.success} with a {ep.response}")
    if answer.body_problem:
        check.wrong.append(f"{lead}{answer.body_problem}")
    found = problems(ep.response, answer.body)
    check.wrong += [f"{lead}{p}" for p in found]
    if not found and not answer.body_problem and status_right:
        check.right.append(f"{lead}HTTP {ep.success} with a valid {ep.response}")
    return answer.body if isinstance(answer.body, dict) else {}


def _error_summary(check: EndpointCheck, answer: Answer) -> str:
    body = answer.body
    if not isinstance(body, dict):
        return f" ({answer.body_problem or 'no error body'})"
    for problem in problems("error", body):
        check.wrong.append(f"error body {problem}")
    return f" {body.get('error')}: {body.get('message')}"


def expect_error(check: EndpointCheck, answer: Answer, code: str, why: str) -> None:
    """``answer`` should be the contract's refusal ``code`` (with its HTTP status)."""
    status = contract.ERROR_STATUS[code]
    if not answer.answered:
        check.wrong.append(f"{why}: no answer ({answer.failure})")
        return
    body = answer.body if isinstance(answer.body, dict) else {}
    if answer.status != status or body.get("error") != code:
        got = f"HTTP {answer.status}"
        if body.get("error"):
            got += f" {body.get('error')}"
        check.wrong.append(f"{why}: {got}; expected HTTP {status} {code!r}")
        return
    found = problems("error", body)
    check.wrong += [f"{why}: error body {p}" for p in found]
    if not found:
        check.right.append(f"{why}: refused with HTTP {status} {code!r}, as it should")


def echo(check: EndpointCheck, body: dict[str, Any], key: str, wanted: object) -> None:
    """``body[key]`` must be ``wanted`` (what the request named)."""
    if key in body and body[key] != wanted:
        check.wrong.append(f"$.{key}: {found_text(body[key])}; expected {literal(wanted)}")
