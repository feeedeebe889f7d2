"""Reading edXML bytes into the model, tolerantly: real-world quirks become findings, not failures.

The reader matches elements by local name, so prefixes and namespace variations do not matter;
it records what it had to tolerate (junk before the declaration, undeclared prefixes, elements
outside the edXML namespace, unknown or repeated elements). Field-level rules belong to the
validator, not here.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from spec import elements, model
from spec.errors import NotEdXML
from spec.findings import Finding, Severity
from spec.xmlsafe import DEFAULT_MAX_BYTES, load

_EDXML_TAG_NS = "{" + model.EDXML_NS + "}"
_DSIG_TAG_NS = "{" + model.XMLDSIG_NS + "}"


@dataclass(slots=True)
class Parsed:
    """A parsed message and the findings collected on the way (parse and, with ``check``,
    validation). ``junk_prefix`` holds any bytes found before the XML."""

    message: model.Message
    findings: list[Finding] = field(default_factory=list)
    junk_prefix: bytes = b""


# Local names of the edXML and XML-DSig tags seen so far (bounded: hostile input could invent
# any number of names).
_KNOWN_LOCAL: dict[str, str] = {}
_KNOWN_LOCAL_LIMIT = 2048


def _local(tag: Any) -> str:
    if not isinstance(tag, str):
        return ""
    if tag[0] == "{":
        return tag[tag.index("}") + 1 :]
    # An undeclared prefix read in recovery mode keeps its "prefix:" in the name.
    return tag.rpartition(":")[2]


@functools.cache
def _header_spec(table: elements.HeaderTable) -> dict[str, tuple[str, Any]]:
    return {name: (attr, kind) for name, attr, kind in table}


class _Reader:
    def __init__(self) -> None:
        self.findings: list[Finding] = []
        self._foreign_ns_reported = False

    def note(self, req_id: str, severity: Severity, path: str, message: str) -> None:
        self.findings.append(Finding(req_id, severity, path, message))

    def name_of(self, child: etree._Element, path: str) -> str | None:
        """The local name of ``child`` (None for comments and the like), reporting once per
        document an element outside the edXML and XML-DSig namespaces."""
        tag = child.tag
        local = _KNOWN_LOCAL.get(tag)  # type: ignore[arg-type]
        if local is not None:
            return local
        if not isinstance(tag, str):
            return None
        local = _local(tag)
        if tag.startswith((_EDXML_TAG_NS, _DSIG_TAG_NS)):
            if len(_KNOWN_LOCAL) < _KNOWN_LOCAL_LIMIT:
                _KNOWN_LOCAL[tag] = local
        elif not self._foreign_ns_reported:
            self._foreign_ns_reported = True
            ns = tag[1 : tag.index("}")] if tag[0] == "{" else "no namespace"
            self.note(
                "XML-NAMESPACE",
                Severity.WARNING,
                f"{path}/{local}",
                f"element in {ns!r}, not the edXML namespace {model.EDXML_NS!r}; read by name",
            )
        return local

    def children(self, el: etree._Element, path: str) -> list[tuple[str, etree._Element]]:
        out = []
        for child in el:
            local = self.name_of(child, path)
            if local is not None:
                out.append((local, child))
        return out

    def unknown(self, path: str, name: str) -> None:
        self.note(
            "XML-UNKNOWN-ELEMENT",
            Severity.INFO,
            f"{path}/{name}",
            f"element {name!r} is not part of QCVN 102 here; ignored",
        )

    def repeated(self, path: str, name: str) -> None:
        self.note(
            "XML-REPEATED-ELEMENT",
            Severity.WARNING,
            f"{path}/{name}",
            f"element {name!r} appears more than once; the first is used",
        )

    def leaf_block(self, cls: type, el: etree._Element, path: str) -> Any:
        names = elements.LEAF_NAMES[cls]
        values: dict[str, str] = {}
        known = _KNOWN_LOCAL
        for child in el:  # the hot loop of the reader: children() inlined
            name = known.get(child.tag) or self.name_of(child, path)  # type: ignore[arg-type]
            if name is None:
                continue
            attr = names.get(name)
            if attr is None:
                self.unknown(path, name)
            elif attr in values:
                self.repeated(path, name)
            else:
                values[attr] = child.text or ""
        return cls(**values)

    def text_list(self, el: etree._Element, path: str, item: str) -> list[str]:
        out = []
        for name, child in self.children(el, path):
            if name == item:
                out.append(child.text or "")
            else:
                self.unknown(path, name)
        return out

    # -- document header ---------------------------------------------------------------

    def other_info(self, el: etree._Element, path: str) -> model.OtherInfo:
        names = dict(elements.OTHER_INFO)
        values: dict[str, Any] = {}
        for name, child in self.children(el, path):
            if name == "Appendixes":
                if "appendixes" in values:
                    self.repeated(path, name)
                else:
                    values["appendixes"] = self.text_list(child, f"{path}/Appendixes", "Appendix")
            elif name in names:
                if names[name] in values:
                    self.repeated(path, name)
                else:
                    values[names[name]] = child.text or ""
            else:
                self.unknown(path, name)
        return model.OtherInfo(**values)

    def header(
        self,
        children: list[tuple[str, etree._Element]],
        path: str,
        table: elements.HeaderTable,
        cls: type,
    ) -> Any:
        spec = _header_spec(table)
        values: dict[str, Any] = {}
        counts: dict[str, int] = {}
        for name, child in children:
            entry = spec.get(name)
            if entry is None:
                self.unknown(path, name)
                continue
            attr, kind = entry
            counts[name] = counts.get(name, 0) + 1
            child_path = f"{path}/{name}"
            if kind is list:
                child_path = f"{child_path}[{counts[name]}]"
                block = self.leaf_block(
                    model.Organization if name == "To" else model.ResponseFor, child, child_path
                )
                values.setdefault(attr, []).append(block)
                continue
            if attr in values:
                self.repeated(path, name)
                continue
            if kind is str:
                values[attr] = child.text or ""
            elif isinstance(kind, str):
                values[attr] = self.text_list(child, child_path, kind)
            elif kind is model.OtherInfo:
                values[attr] = self.other_info(child, child_path)
            else:
                values[attr] = self.leaf_block(kind, child, child_path)
        return cls(**values)

    # -- trace headers and business block ----------------------------------------------

    def bussiness(self, el: etree._Element, path: str) -> model.Bussiness:
        names = dict(elements.BUSSINESS)
        values: dict[str, Any] = {}
        for name, child in self.children(el, path):
            child_path = f"{path}/{name}"
            if name in names:
                key = names[name]
                if key in values:
                    self.repeated(path, name)
                else:
                    values[key] = child.text or ""
            elif name == "StaffInfo" and "staff_info" not in values:
                values["staff_info"] = self.leaf_block(model.StaffInfo, child, child_path)
            elif name == "BussinessDocumentInfo" and "document_info" not in values:
                values["document_info"] = self.document_info(child, child_path)
            elif name == "ReplacementInfoList" and "replacements" not in values:
                values["replacements"] = self.replacements(child, child_path)
            elif name in ("StaffInfo", "BussinessDocumentInfo", "ReplacementInfoList"):
                self.repeated(path, name)
            else:
                self.unknown(path, name)
        return model.Bussiness(**values)

    def document_info(self, el: etree._Element, path: str) -> model.BussinessDocumentInfo:
        values: dict[str, Any] = {}
        for name, child in self.children(el, path):
            if name == "DocumentInfo":
                values["document_info"] = child.text or ""
            elif name == "DocumentReceiver":
                values["document_receiver"] = child.text or ""
            elif name == "ReceiverList":
                receivers = []
                for i, (sub, rc) in enumerate(self.children(child, f"{path}/ReceiverList"), 1):
                    if sub == "Receiver":
                        receivers.append(
                            self.leaf_block(
                                model.Receiver, rc, f"{path}/ReceiverList/Receiver[{i}]"
                            )
                        )
                    else:
                        self.unknown(f"{path}/ReceiverList", sub)
                values["receivers"] = receivers
            else:
                self.unknown(path, name)
        return model.BussinessDocumentInfo(**values)

    def replacements(self, el: etree._Element, path: str) -> list[model.ReplacementInfo]:
        out = []
        for i, (name, child) in enumerate(self.children(el, path), 1):
            if name != "ReplacementInfo":
                self.unknown(path, name)
                continue
            item_path = f"{path}/ReplacementInfo[{i}]"
            info = model.ReplacementInfo()
            for sub, sc in self.children(child, item_path):
                if sub == "DocumentId":
                    info.document_id = sc.text or ""
                elif sub == "OrganIdList":
                    info.organ_ids = self.text_list(sc, f"{item_path}/OrganIdList", "OrganId")
                else:
                    self.unknown(item_path, sub)
            out.append(info)
        return out

    def trace_list(
        self, el: etree._Element, path: str
    ) -> tuple[list[model.TraceHeader], model.Bussiness | None]:
        traces: list[model.TraceHeader] = []
        bussiness = None
        for name, child in self.children(el, path):
            if name == "TraceHeader":
                traces.append(
                    self.leaf_block(
                        model.TraceHeader, child, f"{path}/TraceHeader[{len(traces) + 1}]"
                    )
                )
            elif name == "Bussiness":
                if bussiness is None:
                    bussiness = self.bussiness(child, f"{path}/Bussiness")
                else:
                    self.repeated(path, name)
            else:
                self.unknown(path, name)
        return traces, bussiness

    # -- body and attachments ----------------------------------------------------------

    def manifest(self, el: etree._Element, path: str) -> list[model.Reference] | None:
        refs: list[model.Reference] | None = None
        for name, child in self.children(el, path):
            if name != "edXMLManifest":
                self.unknown(path, name)
                continue
            refs = []
            mpath = f"{path}/edXMLManifest"
            for sub, rc in self.children(child, mpath):
                if sub == "Reference":
                    refs.append(
                        self.leaf_block(model.Reference, rc, f"{mpath}/Reference[{len(refs) + 1}]")
                    )
                else:
                    self.unknown(mpath, sub)
        return refs

    def attachments(self, el: etree._Element, path: str) -> list[model.Attachment]:
        out: list[model.Attachment] = []
        for name, child in self.children(el, path):
            if name == "Attachment":
                out.append(
                    self.leaf_block(model.Attachment, child, f"{path}/Attachment[{len(out) + 1}]")
                )
            else:
                self.unknown(path, name)
        return out


def _signature(el: etree._Element) -> bytes:
    return etree.tostring(el, method="c14n", exclusive=True, with_comments=False)


def read(root: etree._Element) -> tuple[model.Message, list[Finding]]:
    """Turn a parsed ``edXML`` root element into an Edoc or Status and the reader's findings."""
    r = _Reader()
    if _local(root.tag) != "edXML":
        raise NotEdXML(f"root element is {_local(root.tag)!r}, not 'edXML'")
    if etree.QName(root).namespace != model.EDXML_NS:
        r._foreign_ns_reported = True
        r.note(
            "XML-NAMESPACE",
            Severity.WARNING,
            "/edXML",
            f"root element is not in the edXML namespace {model.EDXML_NS!r}; read by name",
        )
    envelope = header_el = message_header = trace_el = body_el = attach_el = sig_el = None
    for name, child in r.children(root, "/edXML"):
        if name == "edXMLEnvelope" and envelope is None:
            envelope = child
        elif name == "AttachmentEncoded" and attach_el is None:
            attach_el = child
        else:
            r.unknown("/edXML", name)
    if envelope is None:
        raise NotEdXML("edXML root has no edXMLEnvelope")
    env_path = "/edXML/edXMLEnvelope"
    for name, child in r.children(envelope, env_path):
        if name == "edXMLHeader" and header_el is None:
            header_el = child
        elif name == "edXMLBody" and body_el is None:
            body_el = child
        else:
            r.unknown(env_path, name)
    if header_el is None:
        raise NotEdXML("edXMLEnvelope has no edXMLHeader")
    hdr_path = f"{env_path}/edXMLHeader"
    for name, child in r.children(header_el, hdr_path):
        if name == "MessageHeader" and message_header is None:
            message_header = child
        elif name == "TraceHeaderList" and trace_el is None:
            trace_el = child
        elif name == "Signature" and sig_el is None:
            sig_el = child
        else:
            r.unknown(hdr_path, name)
    if message_header is None:
        raise NotEdXML("edXMLHeader has no MessageHeader")
    mh_path = f"{hdr_path}/MessageHeader"
    header_children = r.children(message_header, mh_path)
    is_status = any(name == "StatusCode" for name, _ in header_children)
    signature = _signature(sig_el) if sig_el is not None else None
    if is_status:
        status = r.header(header_children, mh_path, elements.STATUS_HEADER, model.Status)
        status.signature = signature
        for extra, where in ((trace_el, "TraceHeaderList"), (body_el, "edXMLBody")):
            if extra is not None:
                r.unknown(hdr_path if where == "TraceHeaderList" else env_path, where)
        return status, r.findings
    edoc = model.Edoc(
        header=r.header(header_children, mh_path, elements.EDOC_HEADER, model.MessageHeader),
        signature=signature,
    )
    if trace_el is not None:
        edoc.trace_headers, edoc.bussiness = r.trace_list(trace_el, f"{hdr_path}/TraceHeaderList")
    if body_el is not None:
        edoc.manifest = r.manifest(body_el, f"{env_path}/edXMLBody")
    if attach_el is not None:
        edoc.attachments = r.attachments(attach_el, "/edXML/AttachmentEncoded")
    return edoc, r.findings


def parse(data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Parsed:
    """Parse edXML ``data`` into a message and the reader's findings.

    Raises an :class:`~spec.errors.InputRefused` subclass when the bytes are not XML, are
    hostile (DTD, entities, excessive depth), too large, or not an edXML message at all.
    """
    loaded = load(data, max_bytes=max_bytes)
    message, findings = read(loaded.root)
    pre: list[Finding] = []
    if loaded.junk_prefix:
        pre.append(
            Finding(
                "XML-JUNK-BEFORE-DECLARATION",
                Severity.WARNING,
                "/",
                f"{len(loaded.junk_prefix)} byte(s) {loaded.junk_prefix[:16]!r} before the XML; "
                "ignored",
            )
        )
    for text in loaded.namespace_errors:
        pre.append(Finding("XML-UNDECLARED-PREFIX", Severity.WARNING, "/", text))
    return Parsed(message, pre + findings, loaded.junk_prefix)
