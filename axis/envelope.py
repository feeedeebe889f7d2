"""The JSON envelope every VXP answer carries, built so the SDK can always read it.

The SDK reads ``status``, ``ErrorCode`` and ``ErrorDesc`` as non-null strings and turns a missing
key or a JSON ``null`` into an object of nulls (AXIS_PROTOCOL.md §3); in list items a ``null`` or
an array of more than one element aborts the whole list. This module is the one place that
shapes answers, and it refuses to emit either.
"""

from __future__ import annotations

import json
import unicodedata
from typing import Any

import orjson

from axis.errors import ErrorCode

MAX_DESC = 400

__all__ = ["ascii_text", "encode", "fail", "items", "ok"]


def ok(**extra: Any) -> dict[str, Any]:
    """A success envelope with ``extra`` fields (``DocId``, ``data``, ``count``, …)."""
    return {"status": "OK", "ErrorCode": "0", "ErrorDesc": "Success", **extra}


def fail(code: ErrorCode, desc: str, **extra: Any) -> dict[str, Any]:
    """A failure envelope; ``desc`` is shortened to ``MAX_DESC`` characters."""
    if code is ErrorCode.OK:
        raise ValueError("fail(code=ErrorCode.OK) is not a failure; use ok()")
    return {"status": "FAIL", "ErrorCode": str(int(code)), "ErrorDesc": _short(desc), **extra}


def _short(text: str) -> str:
    return text if len(text) <= MAX_DESC else text[: MAX_DESC - 3] + "..."


_ASCII_FOLD = str.maketrans({"đ": "d", "Đ": "D", "’": "'", "‘": "'", "“": '"', "”": '"'})


def ascii_text(text: str) -> str:
    """``text`` folded to ASCII (diacritics dropped, đ → d, anything else → ``?``): the SDK
    decodes ``sendEdoc`` answers as US-ASCII."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_ASCII_FOLD))
    kept = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return kept.encode("ascii", "replace").decode("ascii")


def items(values: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``values`` checked for use as the envelope's ``data`` list: flat items without ``None``
    (a JSON ``null`` in a list item aborts the whole list on the client)."""
    for index, item in enumerate(values):
        if None in item.values():
            raise ValueError(f"data[{index}] holds a None, which the SDK cannot read: {item!r}")
    return values


def encode(envelope: dict[str, Any], *, ascii_only: bool = False) -> bytes:
    """The envelope as compact JSON bytes (UTF-8, or pure ASCII escapes with ``ascii_only``).

    Raises ``ValueError`` when a top-level value is ``None`` or a top-level array other than
    ``data`` has more than one element (list items are checked by ``items``)."""
    for key in ("status", "ErrorCode", "ErrorDesc"):
        if not isinstance(envelope.get(key), str):
            raise ValueError(f"envelope key {key!r} must be a string, got {envelope.get(key)!r}")
    for key, value in envelope.items():
        if value is None:
            raise ValueError(f"envelope key {key!r} is None; the SDK cannot read a JSON null")
        if key != "data" and isinstance(value, list) and len(value) > 1:
            raise ValueError(
                f"envelope array {key!r} has {len(value)} elements; the SDK reads <= 1"
            )
    if ascii_only:
        return json.dumps(envelope, ensure_ascii=True, separators=(",", ":")).encode("ascii")
    return orjson.dumps(envelope)
