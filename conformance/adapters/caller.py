"""Calling a controller's endpoints of the adapter contract, keeping whatever comes back: the
HTTP status, the parsed JSON body (or why there is none), and how long it took. Nothing is
raised for a wrong answer: the contract check reports on it, and the suite's HTTP adapter
turns it into the adapter protocol's errors."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

import httpx

from conformance import contract

__all__ = ["Answer", "Caller"]


@dataclass(frozen=True, slots=True)
class Answer:
    """What one call got: ``status`` None when nothing came back (``failure`` says why,
    ``timed_out`` whether the call ran out of time); ``body`` is the parsed JSON (``None`` and
    ``is_json`` false when it is not JSON); ``body_problem`` says what is wrong with the body as
    such (not JSON, not labelled application/json)."""

    status: int | None
    body: Any
    seconds: float
    failure: str | None = None
    body_problem: str | None = None
    timed_out: bool = False
    is_json: bool = True

    @property
    def answered(self) -> bool:
        return self.status is not None


class Caller:
    """Calls the controller at ``url`` (its base URL) with ``timeout`` real seconds per call."""

    def __init__(self, url: str, *, timeout: float, transport: httpx.BaseTransport | None = None):
        self.url = url.rstrip("/")
        self.timeout = timeout
        self._http = httpx.Client(base_url=self.url, timeout=timeout, transport=transport)

    def __repr__(self) -> str:
        return f"Caller({self.url!r}, timeout={self.timeout!r})"

    def close(self) -> None:
        self._http.close()

    def call(
        self,
        name: str,
        body: dict[str, Any] | None = None,
        *,
        document_id: str | None = None,
        params: dict[str, str] | None = None,
    ) -> Answer:
        """Call endpoint ``name`` with ``body`` (checked against the request schema first: the
        check only ever sends what the contract allows)."""
        ep = contract.endpoint(name)
        if ep.request is not None:
            body = {} if body is None else body
            contract.validate(ep.request, body, side="request")
        path = ep.url_path(document_id)
        started = time.monotonic()
        try:
            response = self._http.request(ep.method, path, json=body, params=params)
        except httpx.TimeoutException:
            return Answer(
                None,
                None,
                time.monotonic() - started,
                failure=f"no answer within {self.timeout:g} s",
                timed_out=True,
                is_json=False,
            )
        except httpx.HTTPError as exc:
            failure = f"cannot connect: {exc}"
            return Answer(None, None, time.monotonic() - started, failure=failure, is_json=False)
        seconds = time.monotonic() - started
        try:
            data = json.loads(response.content)
        except ValueError:
            shown = response.content[:80].decode("utf-8", "replace")
            problem = f"the body is not JSON: {shown!r}"
            return Answer(response.status_code, None, seconds, body_problem=problem, is_json=False)
        kind = response.headers.get("content-type", "")
        if "json" not in kind.lower():
            return Answer(
                response.status_code,
                data,
                seconds,
                body_problem=f"Content-Type is {kind or 'missing'!r}, not application/json",
            )
        return Answer(response.status_code, data, seconds)
