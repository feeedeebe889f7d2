"""The conformance suite's exceptions: one base class, one subclass per way a certification
run can go wrong (the SUT cannot be reached, it answers outside the adapter contract, it
refuses an action, an operator does not answer in time, the run cannot finish)."""

from __future__ import annotations


class ConformanceError(Exception):
    """Base class of every error raised by :mod:`conformance`."""


class SutUnreachable(ConformanceError, ConnectionError):
    """The SUT's control endpoint cannot be reached (refused, reset, timed out)."""


class ContractViolation(ConformanceError, ValueError):
    """A request or response that does not follow the adapter contract's JSON Schemas.

    ``schema`` names the schema (e.g. ``"send.response"``) and ``problems`` lists each
    mismatch as ``"<json path>: <message>"``.
    """

    def __init__(self, schema: str, problems: list[str], *, side: str = "response") -> None:
        shown = "; ".join(problems[:5]) + (
            f"; … ({len(problems)} in all)" if len(problems) > 5 else ""
        )
        super().__init__(f"{side} does not follow the adapter contract ({schema}): {shown}")
        self.schema = schema
        self.problems = problems
        self.side = side


class SutError(ConformanceError):
    """The SUT answered a control request with an error (``{"error", "message"}``).

    ``code`` is the contract's error code (``bad-request``, ``unknown-document``, …) and
    ``http_status`` the HTTP status it came with (``None`` for the manual adapter); ``rule``
    the lifecycle rule id an ``illegal-transition`` names, if any. The reference SUT's
    controller raises the same classes, so both sides speak one vocabulary.
    """

    def __init__(
        self,
        code: str,
        message: str,
        *,
        http_status: int | None = None,
        rule: str | None = None,
    ) -> None:
        where = f" (HTTP {http_status})" if http_status is not None else ""
        super().__init__(f"the SUT refused the request{where}: {code}: {message}")
        self.code = code
        self.message = message
        self.http_status = http_status
        self.rule = rule


class UnknownDocument(SutError, LookupError):
    """The SUT has no document with that DocumentId (not received yet, or never)."""


class ActionRefused(SutError):
    """The SUT refused an action because its workflow does not allow it now (e.g. accepting a
    refused document): the contract's ``illegal-transition`` error."""


class NotSupported(SutError, NotImplementedError):
    """The SUT does not implement an optional part of the contract (``registered``, ``reset``)."""


class NotConfigured(SutError):
    """An action was asked of a SUT that has not been given its axis credentials yet."""


class OperatorTimeout(ConformanceError, TimeoutError):
    """The operator of a manually driven SUT did not answer a prompt in time."""


class RunIncomplete(ConformanceError, RuntimeError):
    """The certification run could not finish (the SUT or the axis stopped answering), so no
    verdict can be given."""


class CouldNotRun(ConformanceError):
    """The run cannot start or cannot reach what it needs (bad options or files, the SUT or
    the axis unreachable, a SUT too slow for the time scale): nothing is judged and no
    certificate is written (exit code 2). The message is the one reason line."""
