"""What an answer of the adapter contract should look like, in words a vendor can act on.

:func:`problems` validates a body against a contract schema and says, for each mismatch, the
exact key (a JSON path such as ``$.documents[0].direction``), what was there, and the shape the
schema expects ("one of "received", "sent""). :func:`shape` renders any part of a schema that
way, following ``$ref`` into the shared definitions.
"""

from __future__ import annotations

import ast
import functools
import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource

from conformance import contract

__all__ = ["Problem", "found_text", "literal", "problems", "shape"]

_REQUIRED = re.compile(r"^(?P<key>.+) is a required property$")
_TYPE_WORDS = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
    "object": "an object",
    "array": "an array",
    "null": "null",
}
_SHOWN = 60


@dataclass(frozen=True, slots=True)
class Problem:
    """One way a body breaks its schema: ``key`` is the JSON path of the offending key,
    ``found`` what was there ("missing" when absent), ``expected`` the shape it should have."""

    key: str
    found: str
    expected: str

    def __str__(self) -> str:
        return f"{self.key}: {self.found}; expected {self.expected}"


@functools.cache
def _registry() -> Registry:
    schemas = [contract.schema(name) for name in contract.schema_names()]
    return Registry().with_resources((s["$id"], Resource.from_contents(s)) for s in schemas)


@functools.cache
def _validator(name: str) -> Draft202012Validator:
    return Draft202012Validator(contract.schema(name), registry=_registry())


def _resolve(node: dict[str, Any], base: str) -> tuple[dict[str, Any], str, str | None]:
    """``node`` with its ``$ref`` followed (repeatedly): the schema, its base URI, and the
    name of the shared definition it came from (``DocumentId``), if any."""
    name = None
    while isinstance(node, dict) and "$ref" in node:
        ref = node["$ref"]
        node = _registry().resolver(base_uri=base).lookup(ref).contents
        name = ref.rsplit("/", 1)[-1] if "#/$defs/" in ref else name
        document = ref.split("#", 1)[0]
        if document:
            base = urljoin(base, document)
    return node, base, name


def literal(value: object) -> str:
    """``value`` as JSON text, non-ASCII kept: ``"received"``, ``true``."""
    return json.dumps(value, ensure_ascii=False)


def _string_words(node: dict[str, Any]) -> str:
    bits = ["a non-empty string" if node.get("minLength", 0) >= 1 else "a string"]
    if "pattern" in node:
        bits.append(f"matching {node['pattern']}")
    if "maxLength" in node:
        bits.append(f"of at most {node['maxLength']} characters")
    return " ".join(bits)


def shape(node: dict[str, Any], base: str = contract.SCHEMA_BASE, *, depth: int = 0) -> str:
    """The shape ``node`` (a schema or part of one, relative to ``base``) describes, in words."""
    node, base, name = _resolve(node, base)
    if not isinstance(node, dict):
        return "anything"
    if "const" in node:
        text = literal(node["const"])
    elif "enum" in node:
        text = "one of " + ", ".join(literal(v) for v in node["enum"])
    else:
        text = _typed(node, base, depth)
    if name and depth == 0 and name not in ("RegisteredDocument",):
        return f"{text} (a {name})"
    return text


def _typed(node: dict[str, Any], base: str, depth: int) -> str:
    types = node.get("type")
    if isinstance(types, list):
        return " or ".join(_typed({**node, "type": t}, base, depth) for t in types)
    if types == "string":
        return _string_words(node)
    if types == "array":
        text = "an array"
        if node.get("minItems"):
            text = f"an array of at least {node['minItems']}"
        if "items" in node and depth < 2:
            unique = " unique" if node.get("uniqueItems") else ""
            text += f" of{unique} items, each {shape(node['items'], base, depth=depth + 1)}"
        return text
    if types == "object" or "properties" in node or "required" in node:
        required = node.get("required") or []
        if required:
            return "an object with " + ", ".join(required)
        return "an object"
    if types in _TYPE_WORDS:
        return _TYPE_WORDS[types]
    return "a value"


def found_text(value: object) -> str:
    """What a body held, briefly: its JSON (cut to a readable length) and its JSON type."""
    kind = {
        str: "a string",
        bool: "a boolean",
        int: "an integer",
        float: "a number",
        list: "an array",
        dict: "an object",
        type(None): "null",
    }.get(type(value), type(value).__name__)
    text = json.dumps(value, ensure_ascii=False)
    if len(text) > _SHOWN:
        text = text[: _SHOWN - 1] + "…"
    return f"{text} ({kind})"


def _problem(error: ValidationError, name: str) -> Problem:
    base = contract.schema(name)["$id"]
    if error.validator == "required":
        match = _REQUIRED.match(error.message)
        key = ast.literal_eval(match["key"]) if match else "?"
        sub = (
            (error.schema.get("properties") or {}).get(key)
            if isinstance(error.schema, dict)
            else None
        )
        expected = shape(sub, base) if sub else "present"
        path = error.json_path + (f".{key}" if _plain(key) else f"[{literal(key)}]")
        return Problem(path, "missing", expected)
    node = error.schema if isinstance(error.schema, dict) else {}
    expected = shape(node, base)
    if error.validator in ("minItems", "uniqueItems", "minLength", "maxLength", "pattern"):
        expected = f"{expected} ({error.message})"
    return Problem(error.json_path, found_text(error.instance), expected)


def _plain(key: str) -> bool:
    return bool(re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key))


def problems(name: str, body: object) -> list[Problem]:
    """Every way ``body`` breaks the contract schema ``name`` (``"send.response"``, …),
    shallowest key first."""
    found = sorted(
        _validator(name).iter_errors(body),
        key=lambda e: (len(e.absolute_path), [str(p) for p in e.absolute_path]),
    )
    out: list[Problem] = []
    for error in found:
        if error.validator in ("if", "then", "allOf", "anyOf", "oneOf") and error.context:
            out += [_problem(sub, name) for sub in error.context]
            continue
        out.append(_problem(error, name))
    return list(dict.fromkeys(out))
