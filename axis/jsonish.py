"""Reading the JSON-ish objects real clients send to ``registerAgency``.

The SDK's own example sends ``{"id":"","code":"…","mail":cc"","mobile":333""}``: keys are
quoted, values are not always. This reader takes proper JSON when it can and otherwise splits
the text at each ``"key":`` and trims quotes and commas from the value between keys.
"""

from __future__ import annotations

import json
import re

__all__ = ["JsonishError", "read_object"]

_KEY = re.compile(r'"([A-Za-z_][A-Za-z0-9_]*)"\s*:')


class JsonishError(ValueError):
    """The text holds no object with readable ``"key": value`` pairs."""


def _scalar(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | str):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def read_object(text: str) -> dict[str, str]:
    """The object's keys and values as strings; raises ``JsonishError`` when nothing can be
    read."""
    stripped = text.strip()
    try:
        obj = json.loads(stripped)
    except ValueError:
        obj = None
    if isinstance(obj, dict):
        return {str(k): _scalar(v) for k, v in obj.items()}
    if not stripped.startswith("{"):
        raise JsonishError(f"expected a JSON object starting with '{{', got {stripped[:40]!r}")
    inner = stripped[1:].rstrip()
    inner = inner[:-1] if inner.endswith("}") else inner
    keys = list(_KEY.finditer(inner))
    if not keys:
        raise JsonishError(f"no '\"key\": value' pair found in {stripped[:80]!r}")
    out: dict[str, str] = {}
    for index, match in enumerate(keys):
        end = keys[index + 1].start() if index + 1 < len(keys) else len(inner)
        raw = inner[match.end() : end].strip().rstrip(",").strip()
        if raw.startswith('"') and raw.endswith('"') and len(raw) >= 2 and raw.count('"') == 2:
            value = raw[1:-1]
        else:
            value = raw.replace('"', "")
        out.setdefault(match.group(1), "" if value == "null" else value)
    return out
