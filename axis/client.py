"""A Python client of the axis protocol that signs exactly like VNPT's SDK, and a client of the
fake axis's admin API.

``AxisClient`` keeps the SDK's header map (``systemid`` and a timestamp fixed at creation);
with ``carry_stale_headers=True`` the map is never cleared, as in the SDK, so keys of earlier
calls ride along on later ones. Built on httpx: pass ``transport=`` for an in-process
transport, or nothing for a real socket. A ``FAIL`` envelope raises the matching
:mod:`axis.errors` exception (``NotFound`` for ErrorCode 3, …) carrying the envelope.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping, Sequence
from typing import Any

import httpx

from axis.errors import AxisError, NotFound, ProtocolError, error_for
from axis.events import Event, parse_event
from axis.signing import SDK_VERSION, USER_AGENT, HeaderMap, format_sdk_timestamp, sdk_hash_file
from spec.clock import SYSTEM_CLOCK, Clock, wall_time

JSON = "application/json"
OCTETS = "application/octet-stream"

__all__ = ["AdminError", "AxisAdmin", "AxisClient"]


def _fail(envelope: dict[str, Any]) -> AxisError:
    error = error_for(envelope.get("ErrorCode", ""), str(envelope.get("ErrorDesc", "")))
    error.envelope = envelope  # type: ignore[attr-defined]
    return error


class AxisClient:
    """One connection system talking to an axis at ``endpoint`` (``URL = endpoint + "/" +
    operation``, as the SDK builds it). ``retries`` re-sends a call after an I/O error, POSTs
    included, as the SDK does; ``user_agent`` is the SDK's unless given (the axis's simulated
    peers name themselves)."""

    def __init__(
        self,
        endpoint: str,
        system_id: str,
        secret: str,
        *,
        carry_stale_headers: bool = False,
        transport: httpx.BaseTransport | None = None,
        timeout: float = 30.0,
        retries: int = 0,
        clock: Clock = SYSTEM_CLOCK,
        user_agent: str = USER_AGENT,
    ) -> None:
        if retries < 0:
            raise ValueError(f"retries={retries!r} must be >= 0")
        self.endpoint = endpoint
        self.system_id = system_id
        self._secret = secret
        self.carry_stale_headers = carry_stale_headers
        self.retries = retries
        self.user_agent = user_agent
        self._base = HeaderMap(system_id, format_sdk_timestamp(wall_time(clock)))
        self._map = self._base.copy()
        self._http = httpx.Client(transport=transport, timeout=timeout)

    def __repr__(self) -> str:
        return (
            f"AxisClient({self.endpoint!r}, {self.system_id!r}, '***', "
            f"carry_stale_headers={self.carry_stale_headers!r})"
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> AxisClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- the wire -----------------------------------------------------------------------

    def signed_headers(
        self, content_type: str, header_json: Mapping[str, str]
    ) -> list[tuple[str, str]]:
        """The headers of the next call, updating the stale map when it is carried."""
        target = self._map if self.carry_stale_headers else self._base.copy()
        target.update({"Content-Type": content_type})
        target.update(header_json)
        return [
            *target.headers(self._secret),
            ("User-Agent", self.user_agent),
            ("XroadVnpt-version", SDK_VERSION),
        ]

    def request(
        self,
        operation: str,
        header_json: Mapping[str, str] | None = None,
        body: bytes = b"",
        *,
        method: str = "POST",
        content_type: str = JSON,
    ) -> httpx.Response:
        """Send one signed call and return the raw HTTP response (no envelope check)."""
        headers = [
            (k.encode("utf-8"), v.encode("utf-8"))
            for k, v in self.signed_headers(content_type, header_json or {})
        ]
        url = f"{self.endpoint}/{operation}"
        for attempt in range(self.retries + 1):
            try:
                return self._http.request(method, url, headers=headers, content=body or None)
            except httpx.TransportError:
                if attempt == self.retries:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    def call(
        self,
        operation: str,
        header_json: Mapping[str, str] | None = None,
        body: bytes = b"",
        *,
        content_type: str = JSON,
    ) -> dict[str, Any]:
        """Send a JSON operation; return its envelope when ``status`` is ``OK``, else raise
        the :mod:`axis.errors` exception for its ErrorCode."""
        response = self.request(operation, header_json, body, content_type=content_type)
        try:
            envelope = response.json()
        except ValueError:
            raise ProtocolError(
                f"{operation} answered HTTP {response.status_code} with non-JSON "
                f"{response.content[:80]!r}"
            ) from None
        if not isinstance(envelope, dict) or not all(
            isinstance(envelope.get(k), str) for k in ("status", "ErrorCode", "ErrorDesc")
        ):
            raise ProtocolError(
                f"{operation} answered an envelope without the string keys: {envelope!r}"
            )
        if envelope["status"] != "OK":
            raise _fail(envelope)
        return envelope

    # --- operations ---------------------------------------------------------------------

    def send_edoc(
        self,
        data: bytes,
        messagetype: str = "edoc",
        to: Sequence[str] | None = None,
        *,
        servicetype: str = "eDoc",
        sender: str | None = None,
    ) -> str:
        """Send a file; returns its DocId. ``to`` adds recipients; ``sender`` is the ``from``
        header (default: this system's id)."""
        header_json = {
            "from": sender or self.system_id,
            "servicetype": servicetype,
            "messagetype": messagetype,
            "hash-file": sdk_hash_file(data),
        }
        if to:
            header_json["to"] = ",".join(to)
        envelope = self.call("sendEdoc", header_json, data + b"\r\n", content_type=OCTETS)
        return str(envelope["DocId"])

    def get_received_list(
        self, messagetype: str = "edoc", servicetype: str = "eDoc"
    ) -> list[dict[str, Any]]:
        envelope = self.call(
            "getReceivedEdocList", {"servicetype": servicetype, "messagetype": messagetype}
        )
        return list(envelope.get("data", []))

    def get_edoc(self, doc_id: str, *, key: str = "docId") -> bytes:
        """The stored bytes (decoded from ``data``); ``key`` is the header's spelling."""
        envelope = self.call("getEdoc", {key: doc_id, "filePath": "xml"}, b"{}")
        try:
            return base64.b64decode(envelope.get("data", ""), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ProtocolError(f"getEdoc data is not base64: {exc}") from None

    def download_edoc(self, doc_id: str) -> bytes:
        """The stored bytes, binary-safe; raises ``NotFound`` on the empty 404."""
        response = self.request("downloadEdoc", {"docId": doc_id}, method="GET")
        if response.status_code != 200:
            raise NotFound(f"downloadEdoc {doc_id!r}: HTTP {response.status_code}")
        return response.content

    def update_status(self, doc_id: str, status: str, *, key: str = "docId") -> None:
        self.call("updateStatus", {key: doc_id, "status": status}, b"{}")

    def get_sent_list(
        self, messagetype: str = "edoc", doc_id: str | None = None, servicetype: str = "eDoc"
    ) -> list[dict[str, Any]]:
        header_json = {"servicetype": servicetype, "messagetype": messagetype}
        if doc_id is not None:
            header_json["docId"] = doc_id
        return list(self.call("getSentEdocList", header_json).get("data", []))

    def count_receive(self, messagetype: str = "edoc", servicetype: str = "eDoc") -> int:
        operation = "countReceiveStatus" if messagetype == "status" else "countReceiveEdoc"
        envelope = self.call(
            operation, {"servicetype": servicetype, "messagetype": messagetype}, b"{}"
        )
        return int(envelope["count"])

    def get_agencies_list(self) -> list[dict[str, Any]]:
        return list(self.call("getAgenciesList").get("data", []))

    def get_agencies_list_qd20(self, level: int | None = None) -> list[dict[str, Any]]:
        header_json = {} if level is None else {"level": str(level)}
        return list(self.call("getAgenciesListQD20", header_json).get("data", []))

    def get_synchronize_unit(self) -> list[dict[str, Any]]:
        return list(self.call("getSynchronizeUnit").get("data", []))

    def register_agency(
        self,
        code: str,
        *,
        name: str = "",
        mail: str = "",
        mobile: str = "",
        fax: str = "",
        pcode: str = "",
        body: bytes | None = None,
    ) -> None:
        """Register ``code`` under this system (``body`` sends raw JSON-ish bytes instead)."""
        if body is None:
            fields = {
                "id": "",
                "pcode": pcode,
                "code": code,
                "name": name,
                "mail": mail,
                "mobile": mobile,
                "fax": fax,
            }
            body = json.dumps(fields, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        self.call("registerAgency", {}, body)

    def delete_agency(self, code: str) -> None:
        self.call("deleteAgency", {"AgencyCode": code}, b"{}")


class AdminError(AxisError):
    """The admin API refused a call; ``status`` is the HTTP status."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class AxisAdmin:
    """The admin API of a fake axis at ``url`` (the endpoint, without ``/_admin``)."""

    def __init__(
        self,
        url: str,
        token: str,
        *,
        transport: httpx.BaseTransport | None = None,
        timeout: float = 90.0,
    ) -> None:
        self.url = url.rstrip("/") + "/_admin"
        self._http = httpx.Client(
            transport=transport, timeout=timeout, headers={"Authorization": f"Bearer {token}"}
        )

    def __repr__(self) -> str:
        return f"AxisAdmin({self.url!r}, '***')"

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> AxisAdmin:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self._http.request(method, self.url + path, **kwargs)
        try:
            payload = response.json()
        except ValueError:
            raise AdminError(response.status_code, f"{method} {path}: non-JSON answer") from None
        if response.status_code != 200:
            message = payload.get("error", "") if isinstance(payload, dict) else str(payload)
            raise AdminError(response.status_code, f"{method} {path}: {message}")
        return payload

    def _object(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        payload = self._json(method, path, **kwargs)
        if not isinstance(payload, dict):
            raise AdminError(200, f"{method} {path}: the answer is not a JSON object")
        return payload

    def _array(self, method: str, path: str, **kwargs: Any) -> list[dict[str, Any]]:
        payload = self._json(method, path, **kwargs)
        if not isinstance(payload, list):
            raise AdminError(200, f"{method} {path}: the answer is not a JSON array")
        return payload

    def stats(self) -> dict[str, Any]:
        return self._object("GET", "/stats")

    def reset(self, *, messages: bool = True, registry: bool = True, faults: bool = True) -> int:
        """Reset; returns the transcript cursor right after the reset."""
        body = {"messages": messages, "registry": registry, "faults": faults}
        return int(self._json("POST", "/reset", json=body)["cursor"])

    def systems(self) -> list[dict[str, Any]]:
        return self._array("GET", "/systems")

    def put_system(
        self, system_id: str, secret: str, *, name: str = "", agencies: Sequence[str] = ()
    ) -> dict[str, Any]:
        body = {"system_id": system_id, "secret": secret, "name": name, "agencies": list(agencies)}
        return self._object("POST", "/systems", json=body)

    def agencies(self) -> list[dict[str, Any]]:
        return self._array("GET", "/agencies")

    def put_agency(
        self, code: str, system_id: str, *, name: str = "", strict: bool | None = None
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"code": code, "system_id": system_id, "name": name}
        if strict is not None:
            body["strict"] = strict
        return self._object("POST", "/agencies", json=body)

    def delete_agency(self, code: str) -> None:
        self._json("DELETE", f"/agencies/{code}")

    def inject(
        self,
        data: bytes,
        *,
        system_id: str | None = None,
        as_agency: str | None = None,
        messagetype: str = "edoc",
        to: Sequence[str] = (),
        unparsed: bool = False,
    ) -> dict[str, Any]:
        """Send ``data`` as a system (or as the system serving ``as_agency``); returns the
        envelope sendEdoc would have answered."""
        body: dict[str, Any] = {
            "body_base64": base64.b64encode(data).decode("ascii"),
            "messagetype": messagetype,
            "to": list(to),
            "unparsed": unparsed,
        }
        if system_id is not None:
            body["system_id"] = system_id
        if as_agency is not None:
            body["as_agency"] = as_agency
        return self._object("POST", "/inject", json=body)

    def messages(self, *, after: int = 0, limit: int = 100) -> list[dict[str, Any]]:
        return self._array("GET", "/messages", params={"after": after, "limit": limit})

    def message_body(self, doc_id: str) -> bytes:
        """The bytes the axis stored for ``doc_id``, exactly as they were sent."""
        response = self._http.get(f"{self.url}/messages/{doc_id}/body")
        if response.status_code != 200:
            raise AdminError(response.status_code, f"GET /messages/{doc_id}/body: {response.text}")
        return response.content

    def timeline(self, doc_id: str) -> list[Event]:
        """Every transcript event about ``doc_id`` and its status messages."""
        return [parse_event(e) for e in self._json("GET", f"/timeline/{doc_id}")["events"]]

    def events(
        self, after: int = 0, *, limit: int = 1000, **filters: str
    ) -> tuple[list[Event], int]:
        """Events after ``after`` matching ``filters`` (kind, system, doc_id, op), and the
        cursor to pass next time."""
        page = self._json("GET", "/events", params={"after": after, "limit": limit, **filters})
        return [parse_event(e) for e in page["events"]], int(page["cursor"])

    def wait_for(self, after: int = 0, *, timeout: float = 10.0, **filters: str) -> Event | None:
        """The first event after ``after`` matching ``filters`` (kind, system, doc_id, op,
        status, error_code), waiting up to ``timeout`` seconds; None on timeout."""
        page = self._json(
            "GET", "/events/wait", params={"after": after, "timeout": timeout, **filters}
        )
        return None if page["timed_out"] else parse_event(page["event"])

    def transcript(self) -> str:
        """The whole transcript as JSON Lines text."""
        response = self._http.get(self.url + "/transcript.jsonl")
        if response.status_code != 200:
            raise AdminError(response.status_code, "GET /transcript.jsonl refused")
        return response.text

    def transcript_events(self) -> list[Event]:
        """The whole transcript, each line read as a typed event."""
        return [parse_event(line) for line in self.transcript().splitlines() if line]

    def faults(self) -> dict[str, Any]:
        return self._object("GET", "/faults")

    def set_faults(self, plan: Mapping[str, Any]) -> dict[str, Any]:
        return self._object("PUT", "/faults", json=dict(plan))

    def clear_faults(self) -> None:
        self._json("DELETE", "/faults")
