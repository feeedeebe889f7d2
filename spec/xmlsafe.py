"""Reading untrusted XML bytes safely: size limit, no DTD or entities, bounded depth, no network.

Everything an edXML reader must refuse before it looks at a single field lives here; the
result is an lxml element tree plus the tolerant-reading notes (junk before the declaration,
undeclared prefixes) that the codec turns into findings.

A DTD is refused from the parser's view of the document (its doctype), never by searching the
bytes: the same declaration in UTF-16 or UTF-32, with or without a byte-order mark, is seen as
a DTD all the same. The parser never loads a DTD, resolves an entity or opens a file or URL
(every resolution is refused), so refusing after the parse costs nothing but the parse.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from spec.errors import HostileXML, NotXML, TooLarge

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
# libxml2 refuses deeper documents on its own (no XML_PARSE_HUGE); edXML needs about 8.
MAX_DEPTH = 256


class _RefuseEverything(etree.Resolver):
    """Any external resource the parser would fetch (a DTD, an external entity) is refused."""

    def resolve(self, system_url: str | None, public_id: str | None, context: object) -> None:
        raise HostileXML(f"input refers to an external resource ({system_url!r}); refused")


def _parser(recover: bool, huge: bool = False) -> etree.XMLParser:
    # A new parser per document: lxml parsers are not thread-safe and keep their error log,
    # and one costs about a microsecond.
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=huge,
        remove_comments=True,
        remove_pis=False,
        recover=recover,
    )
    parser.resolvers.add(_RefuseEverything())
    return parser


_BOMS = (b"\xef\xbb\xbf",)
# Byte-order marks and first bytes of '<?' in the encodings whose bytes are not ASCII's (XML
# 1.0 appendix F): such input is handed to the parser whole, it alone can read it.
_WIDE_STARTS = (
    b"\xff\xfe",
    b"\xfe\xff",
    b"\x00\x00\xfe\xff",
    b"\x00\x00\x00<",
    b"<\x00\x00\x00",
    b"\x00<\x00?",
    b"<\x00?\x00",
)


def _refuse_dtd(root: etree._Element) -> None:
    info = root.getroottree().docinfo
    if info.doctype or info.internalDTD is not None or info.system_url or info.public_id:
        raise HostileXML("input has a DTD or entity declarations, which edXML never uses; refused")


@dataclass(slots=True)
class Loaded:
    """An XML tree read from untrusted bytes, with what had to be tolerated to read it."""

    root: etree._Element
    junk_prefix: bytes = b""
    namespace_errors: list[str] = field(default_factory=list)


def _strip_junk(data: bytes) -> tuple[bytes, bytes]:
    """Split off bytes before the XML (one SDK sample starts with ``1212<?xml``)."""
    if data.startswith(_WIDE_STARTS):
        return b"", data
    start = 0
    for bom in _BOMS:
        if data.startswith(bom):
            start = len(bom)
    body = data[start:] if start else data
    if body[:1] == b"<":
        return b"", body
    stripped = body.lstrip()
    if stripped.startswith(b"<"):
        return b"", stripped
    decl = body.find(b"<?xml")
    if decl < 0:
        decl = body.find(b"<")
    if decl < 0:
        raise NotXML("input is not XML: no '<' anywhere in it")
    return body[:decl], body[decl:]


def load(data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Loaded:
    """Parse ``data`` as XML, refusing anything hostile with an :class:`InputRefused` subclass."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError(f"data must be bytes, not {type(data).__name__}")
    if not isinstance(data, bytes):
        data = bytes(data)
    if len(data) > max_bytes:
        raise TooLarge(f"input is {len(data):,} bytes, over the limit of {max_bytes:,} bytes")
    if not data or data.isspace():
        raise NotXML("input is empty")
    junk, body = _strip_junk(data)
    parser = _parser(recover=False)
    try:
        root = etree.fromstring(body, parser)
    except etree.XMLSyntaxError as exc:
        loaded = _tolerate(body, junk, exc, parser.error_log)
        _refuse_dtd(loaded.root)
        return loaded
    _refuse_dtd(root)
    return Loaded(root, junk)


def _tolerate(
    body: bytes, junk: bytes, exc: etree.XMLSyntaxError, log: etree._ListErrorLog
) -> Loaded:
    # The parser's own log: the exception's may still hold errors of earlier documents.
    messages = [e.message for e in log] or [str(exc)]
    if any("entit" in m.lower() or "amplification" in m.lower() for m in messages):
        # The parser saw entities it would not expand (a DTD that failed, an entity bomb).
        raise HostileXML(
            "input has a DTD or entity declarations, which edXML never uses; refused"
        ) from None
    if any("depth" in m.lower() for m in messages):
        raise HostileXML(f"input nests elements deeper than {MAX_DEPTH} levels; refused") from None
    if any(e.type_name == "ERR_RESOURCE_LIMIT" for e in log):
        # A text node over libxml2's 10 MB default: a large attachment, within our size limit
        # (checked before parsing). Entities are refused above, so only depth needs a check.
        return _load_huge(body, junk)
    if any(e.domain_name != "NAMESPACE" for e in log) or not len(log):
        raise NotXML(f"input is not well-formed XML: {messages[0]}") from None
    # Only namespace errors (a prefix used without a declaration, as `xlink:href` in a real
    # sample): the document is otherwise well-formed, so read it and report the prefixes.
    root = etree.fromstring(body, _parser(recover=True))
    if root is None:
        raise NotXML(f"input is not well-formed XML: {messages[0]}") from None
    return Loaded(root, junk, namespace_errors=messages)


def _load_huge(body: bytes, junk: bytes) -> Loaded:
    parser = _parser(recover=False, huge=True)
    try:
        root = etree.fromstring(body, parser)
    except etree.XMLSyntaxError as exc:
        messages = [e.message for e in parser.error_log] or [str(exc)]
        raise NotXML(f"input is not well-formed XML: {messages[0]}") from None
    depth = 0
    for event, _ in etree.iterwalk(root, events=("start", "end")):
        depth += 1 if event == "start" else -1
        if depth > MAX_DEPTH:
            raise HostileXML(f"input nests elements deeper than {MAX_DEPTH} levels; refused")
    return Loaded(root, junk)
