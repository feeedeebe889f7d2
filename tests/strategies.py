"""Hypothesis strategies for the edXML model: any message the model can hold and XML can carry."""

from __future__ import annotations

import base64
import dataclasses

from hypothesis import strategies as st
from lxml import etree

from spec import model

_VIETNAMESE = "ăâđêôơưàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵĐÂĂÊÔƠƯ"

# Characters XML 1.0 can carry: no surrogates, no other C0 controls, no U+FFFE/U+FFFF.
_xml_char = st.characters(
    blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff"
) | st.sampled_from("\t\n\r")
_text_chars = st.one_of(st.sampled_from(_VIETNAMESE), _xml_char, st.sampled_from(" /,.-"))

text = st.text(_text_chars, max_size=40)
long_text = st.text(_text_chars, min_size=0, max_size=700)
maybe = st.none() | text


def _block(cls: type, **overrides: st.SearchStrategy) -> st.SearchStrategy:
    fields = {f.name: maybe for f in dataclasses.fields(cls)}
    fields.update(overrides)
    return st.builds(cls, **fields)


def _dsig(n: int) -> bytes:
    ns = model.XMLDSIG_NS
    sig = etree.Element(f"{{{ns}}}Signature", nsmap={None: ns})
    info = etree.SubElement(sig, f"{{{ns}}}SignedInfo")
    etree.SubElement(info, f"{{{ns}}}SignatureMethod", Algorithm=f"{ns}rsa-sha1")
    etree.SubElement(sig, f"{{{ns}}}SignatureValue").text = f"c2lnbmF0dXJl{n}=="
    return etree.tostring(sig, method="c14n", exclusive=True)


signature = st.none() | st.sampled_from([_dsig(1), _dsig(2)])
organization = _block(model.Organization, organ_name=st.none() | long_text)
response_for = _block(model.ResponseFor)
staff_info = _block(model.StaffInfo)
other_info = _block(model.OtherInfo, appendixes=st.none() | st.lists(text, max_size=4))

header = st.builds(
    model.MessageHeader,
    from_=st.none() | organization,
    to=st.lists(organization, max_size=25),
    code=st.none() | _block(model.Code),
    promulgation_info=st.none() | _block(model.PromulgationInfo),
    document_type=st.none() | _block(model.DocumentType),
    subject=st.none() | long_text,
    content=maybe,
    signer_info=st.none() | _block(model.SignerInfo),
    due_date=maybe,
    to_places=st.none() | st.lists(text, max_size=4),
    other_info=st.none() | other_info,
    response_for=st.lists(response_for, max_size=3),
    steering_type=maybe,
    document_id=maybe,
)

bussiness = st.builds(
    model.Bussiness,
    bussiness_doc_type=maybe,
    bussiness_doc_reason=maybe,
    document_id=maybe,
    paper=maybe,
    staff_info=st.none() | staff_info,
    document_info=st.none()
    | st.builds(
        model.BussinessDocumentInfo,
        document_info=maybe,
        document_receiver=maybe,
        receivers=st.none() | st.lists(_block(model.Receiver), max_size=4),
    ),
    replacements=st.none()
    | st.lists(
        st.builds(
            model.ReplacementInfo,
            document_id=maybe,
            organ_ids=st.none() | st.lists(text, max_size=4),
        ),
        max_size=3,
    ),
)

attachment = _block(
    model.Attachment,
    content_transfer_encoded=st.none()
    | st.binary(max_size=3000).map(lambda b: base64.b64encode(b).decode()),
)

edoc = st.builds(
    model.Edoc,
    header=header,
    trace_headers=st.lists(_block(model.TraceHeader), max_size=4),
    bussiness=st.none() | bussiness,
    signature=signature,
    manifest=st.none() | st.lists(_block(model.Reference), max_size=12),
    attachments=st.lists(attachment, max_size=12),
)

status = st.builds(
    model.Status,
    from_=st.none() | organization,
    response_for=st.none() | response_for,
    staff_info=st.none() | staff_info,
    status_code=text,
    description=st.none() | long_text,
    timestamp=maybe,
    signature=signature,
)

message = edoc | status
