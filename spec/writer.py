"""Writing the model as canonical edXML: the ``edXML:`` prefix, QCVN 102 element order, UTF-8.

``None`` fields are left out and ``""`` fields written as empty elements, so that
``parse(serialize(m)).message == m`` for every message the model can hold.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from spec import elements, model
from spec.errors import SpecError

_NS = model.EDXML_NS
_NSMAP = {"edXML": _NS}


class UnwritableMessage(SpecError, ValueError):
    """A model value that no XML document can carry (control characters, for instance)."""


def _q(name: str) -> str:
    return f"{{{_NS}}}{name}"


def _text(parent: etree._Element, name: str, value: str | None) -> None:
    if value is None:
        return
    el = etree.SubElement(parent, _q(name))
    if value:
        try:
            el.text = value
        except ValueError as exc:
            raise UnwritableMessage(
                f"{name} value {value!r} cannot be written as XML: {exc}"
            ) from None


def _leaf_block(parent: etree._Element, name: str, block: Any) -> None:
    if block is None:
        return
    el = etree.SubElement(parent, _q(name))
    for child, attr in elements.LEAF_BLOCKS[type(block)]:
        _text(el, child, getattr(block, attr))


def _text_list(parent: etree._Element, name: str, item: str, values: list[str] | None) -> None:
    if values is None:
        return
    el = etree.SubElement(parent, _q(name))
    for value in values:
        _text(el, item, value)


def _other_info(parent: etree._Element, info: model.OtherInfo | None) -> None:
    if info is None:
        return
    el = etree.SubElement(parent, _q("OtherInfo"))
    for child, attr in elements.OTHER_INFO:
        _text(el, child, getattr(info, attr))
    _text_list(el, "Appendixes", "Appendix", info.appendixes)


def _header(parent: etree._Element, table: elements.HeaderTable, source: Any) -> None:
    mh = etree.SubElement(parent, _q("MessageHeader"))
    for name, attr, kind in table:
        value = getattr(source, attr)
        if kind is list:
            for block in value:
                _leaf_block(mh, name, block)
        elif kind is str:
            _text(mh, name, value)
        elif isinstance(kind, str):
            _text_list(mh, name, kind, value)
        elif kind is model.OtherInfo:
            _other_info(mh, value)
        else:
            _leaf_block(mh, name, value)


def _bussiness(parent: etree._Element, b: model.Bussiness | None) -> None:
    if b is None:
        return
    el = etree.SubElement(parent, _q("Bussiness"))
    for name, attr in elements.BUSSINESS:
        _text(el, name, getattr(b, attr))
    _leaf_block(el, "StaffInfo", b.staff_info)
    if b.document_info is not None:
        di = etree.SubElement(el, _q("BussinessDocumentInfo"))
        _text(di, "DocumentInfo", b.document_info.document_info)
        _text(di, "DocumentReceiver", b.document_info.document_receiver)
        if b.document_info.receivers is not None:
            rl = etree.SubElement(di, _q("ReceiverList"))
            for receiver in b.document_info.receivers:
                _leaf_block(rl, "Receiver", receiver)
    if b.replacements is not None:
        rl = etree.SubElement(el, _q("ReplacementInfoList"))
        for info in b.replacements:
            ri = etree.SubElement(rl, _q("ReplacementInfo"))
            _text(ri, "DocumentId", info.document_id)
            _text_list(ri, "OrganIdList", "OrganId", info.organ_ids)


_SIGNATURE_MARK = b"<?lienthong-signature ?>"


def _place_signature(header: etree._Element, signature: bytes | None, *, exact: bool) -> None:
    """Add the kept signature block at the end of the header.

    lxml re-declares namespaces when it moves an element into another tree, which would change
    the block's prefixes; with ``exact`` a marker is placed instead and ``serialize`` splices the
    kept bytes in, so they come out exactly as they were read.
    """
    if signature is None:
        return
    node = (
        etree.ProcessingInstruction("lienthong-signature") if exact else etree.fromstring(signature)
    )
    if len(header):
        node.tail = header[-1].tail
        header[-1].tail = header.text
    header.append(node)


def _build(message: model.Message, *, indent: bool, exact_signature: bool) -> etree._Element:
    root = etree.Element(_q("edXML"), nsmap=_NSMAP)
    envelope = etree.SubElement(root, _q("edXMLEnvelope"))
    header = etree.SubElement(envelope, _q("edXMLHeader"))
    if isinstance(message, model.Status):
        if message.status_code is None:
            raise UnwritableMessage(
                "a status message is known by its StatusCode element: status_code must not be "
                "None (use '' for an empty one)"
            )
        _header(header, elements.STATUS_HEADER, message)
    else:
        _edoc_parts(root, envelope, header, message)
    if indent:
        etree.indent(root, space="  ")
    _place_signature(header, message.signature, exact=exact_signature)
    return root


def to_element(message: model.Message) -> etree._Element:
    """The message as an lxml element tree (root ``edXML:edXML``), for signing and XSD checks."""
    return _build(message, indent=False, exact_signature=False)


def _edoc_parts(
    root: etree._Element, envelope: etree._Element, header: etree._Element, message: model.Edoc
) -> None:
    _header(header, elements.EDOC_HEADER, message.header)
    if message.trace_headers or message.bussiness is not None:
        thl = etree.SubElement(header, _q("TraceHeaderList"))
        for trace in message.trace_headers:
            _leaf_block(thl, "TraceHeader", trace)
        _bussiness(thl, message.bussiness)
    if message.manifest is not None:
        body = etree.SubElement(envelope, _q("edXMLBody"))
        manifest = etree.SubElement(body, _q("edXMLManifest"), version="1.0")
        for ref in message.manifest:
            _leaf_block(manifest, "Reference", ref)
    if message.attachments:
        encoded = etree.SubElement(root, _q("AttachmentEncoded"))
        for attachment in message.attachments:
            _leaf_block(encoded, "Attachment", attachment)


def serialize(message: model.Message) -> bytes:
    """Canonical edXML bytes of ``message`` (UTF-8, XML declaration, indented)."""
    root = _build(message, indent=True, exact_signature=True)
    data = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    if message.signature is not None:
        data = data.replace(_SIGNATURE_MARK, message.signature, 1)
    return data
