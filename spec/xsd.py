"""The harness's XML Schema of edXML (``spec/schemas/edxml.xsd``) and a check of bytes against it.

The schema is the structural half of the profile: element names, nesting, required elements,
length limits and value shapes. It agrees with the validator in one direction, which a
property test checks: every message the validator passes without an error is schema-valid.
The rules XSD 1.0 cannot state (one field depending on another) are the validator's alone.
"""

from __future__ import annotations

import functools
import threading
from importlib import resources

from lxml import etree

from spec.xmlsafe import DEFAULT_MAX_BYTES, load

__all__ = ["SCHEMA_FILE", "schema", "xsd_errors"]

SCHEMA_FILE = "edxml.xsd"

# An lxml schema object keeps its error log between calls: one validation at a time.
_LOCK = threading.Lock()


@functools.cache
def schema() -> etree.XMLSchema:
    """The compiled edXML schema (loaded on first use, then shared)."""
    source = resources.files("spec") / "schemas" / SCHEMA_FILE
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    return etree.XMLSchema(etree.fromstring(source.read_bytes(), parser))


def xsd_errors(data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> list[str]:
    """Why ``data`` is not valid by the edXML schema, one line per problem; ``[]`` when it is.

    The bytes are read as the codec reads them, so hostile or non-XML input raises the same
    :class:`~spec.errors.InputRefused` subclass. What the codec tolerates but XML forbids
    (bytes before the declaration, undeclared prefixes) is reported here as an error.
    """
    loaded = load(data, max_bytes=max_bytes)
    problems = []
    if loaded.junk_prefix:
        problems.append(f"{len(loaded.junk_prefix)} byte(s) before the XML declaration")
    problems.extend(f"not namespace-well-formed: {text}" for text in loaded.namespace_errors)
    compiled = schema()
    with _LOCK:
        if not compiled.validate(loaded.root):
            problems.extend(f"line {e.line}: {e.message}" for e in compiled.error_log)
    return problems
