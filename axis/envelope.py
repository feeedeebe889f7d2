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

from axis.errors import ErrorCode

MAX_DESC = 400

__all__ = ["ascii_text", "encode", "fail", "ok"]


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


def _check(key: str, value: Any) -> None:
    # A null or a multi-element array where the SDK reads breaks the client silently; catching
    # it here turns an axis bug into a loud one. List items are flat dicts of scalars by
    # construction, so a C-level ``None in values`` scan is enough for them (the hot path).
    if value is None:
        raise ValueError(f"envelope key {key!r} is None; the SDK cannot read a JSON null")
    if key == "data" and isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, dict) and None in item.values():
                raise ValueError(f"envelope data[{index}] holds a None: {item!r}")
    elif isinstance(value, list) and len(value) > 1:
        raise ValueError(f"envelope array {key!r} has {len(value)} elements; the SDK reads <= 1")


def encode(envelope: dict[str, Any], *, ascii_only: bool = False) -> bytes:
    """The envelope as compact JSON bytes (UTF-8, or pure ASCII escapes with ``ascii_only``).

    Raises ``ValueError`` when the envelope holds a ``null`` or, outside the top-level
    ``data`` list, an array of more than one element."""
    for key in ("status", "ErrorCode", "ErrorDesc"):
        if not isinstance(envelope.get(key), str):
            raise ValueError(f"envelope key {key!r} must be a string, got {envelope.get(key)!r}")
    for key, value in envelope.items():
        _check(key, value)
    return json.dumps(envelope, ensure_ascii=ascii_only, separators=(",", ":")).encode("utf-8")
