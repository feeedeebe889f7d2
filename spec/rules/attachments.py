"""Rules on the manifest and the attachments: one-to-one, base64, and the bytes behind the label."""

from __future__ import annotations

import binascii

from spec import model
from spec.filetypes import ZIP_MAGIC, label_problem
from spec.limits import MAX_LENGTH
from spec.rules.checker import ATTACHMENTS, BODY, Checker

_WHITESPACE = b" \t\r\n"
_ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def base64_problem(text: str) -> str | None:
    """Why ``text`` is not strict base64 (line breaks allowed), or None when it is.

    Checks the alphabet, the padding and the length without decoding: attachments can be
    megabytes and the validator only needs to know that they would decode.
    """
    try:
        data = text.encode("ascii")
    except UnicodeEncodeError:
        return "has characters outside base64's alphabet"
    data = data.translate(None, _WHITESPACE)
    if len(data) % 4:
        return f"has {len(data)} base64 characters, not a multiple of 4"
    body = data.rstrip(b"=")
    if len(data) - len(body) > 2:
        return "has more than two '=' of padding"
    if body.translate(None, _ALPHABET):
        return "has characters outside base64's alphabet"
    return None


def decode_head(text: str, size: int = 8) -> bytes:
    """The first bytes of valid base64 ``text`` (enough to sniff a file's magic number)."""
    head = text[: size * 2].encode("ascii").translate(None, _WHITESPACE)
    head = head[: len(head) // 4 * 4]
    return binascii.a2b_base64(head)[:size]


def _content(c: Checker, att: model.Attachment, path: str) -> bytes | None:
    """The file's bytes, as far as judging its label needs them: the whole file when it is a
    ZIP archive (an OOXML or ODF document is told apart by its entries), else its first
    bytes; None when there is no valid base64 to read."""
    encoded = att.content_transfer_encoded
    if not c.required(
        "ATT-BASE64",
        f"{path}/ContentTransferEncoded",
        encoded,
        "ContentTransferEncoded (nội dung tệp đính kèm)",
    ):
        return None
    text = encoded or ""
    problem = base64_problem(text)
    if problem:
        c.error(
            "ATT-BASE64",
            f"{path}/ContentTransferEncoded",
            f"ContentTransferEncoded is not valid base64: it {problem} (starts {text[:40]!r})",
        )
        return None
    head = decode_head(text)
    if head.startswith(ZIP_MAGIC):
        return binascii.a2b_base64(text.encode("ascii").translate(None, _WHITESPACE))
    return head


def _sniff(c: Checker, att: model.Attachment, content: bytes, path: str) -> None:
    declared = (att.content_type or "").strip()
    if not declared:
        return  # reported as missing
    problem = label_problem(content, declared)
    if problem:
        c.error(
            "ATT-CONTENT-TYPE", f"{path}/ContentType", f"the attachment is mislabelled: {problem}"
        )


def check_attachments(c: Checker, edoc: model.Edoc) -> None:
    manifest = edoc.manifest or []
    if edoc.manifest is None and edoc.attachments:
        c.error("ATT-MANIFEST-MATCH", BODY, "attachments without an edXMLManifest to list them")
    by_cid: dict[str, int] = {}
    for i, ref in enumerate(manifest, 1):
        path = f"{BODY}/Reference[{i}]"
        cid = (ref.content_id or "").strip()
        if not cid:
            c.error(
                "ATT-MANIFEST-MATCH", f"{path}/ContentId", "manifest Reference without ContentId"
            )
            continue
        if not cid.startswith("cid:"):
            c.warning(
                "ATT-CONTENT-ID",
                f"{path}/ContentId",
                f"ContentId {cid!r} should have the form 'cid:<id>'",
            )
        if cid in by_cid:
            c.error(
                "ATT-MANIFEST-MATCH",
                f"{path}/ContentId",
                f"ContentId {cid!r} is listed twice in the manifest",
            )
        by_cid[cid] = i
        c.max_length(
            f"{path}/AttachmentName",
            ref.attachment_name,
            MAX_LENGTH["AttachmentName"],
            "AttachmentName",
        )
    seen: set[str] = set()
    for i, att in enumerate(edoc.attachments, 1):
        path = f"{ATTACHMENTS}/Attachment[{i}]"
        cid = (att.content_id or "").strip()
        if not cid:
            c.error("ATT-MANIFEST-MATCH", f"{path}/ContentId", "Attachment without ContentId")
        elif cid in seen:
            c.error(
                "ATT-MANIFEST-MATCH",
                f"{path}/ContentId",
                f"two attachments share ContentId {cid!r}",
            )
        elif cid not in by_cid and edoc.manifest is not None:
            c.error(
                "ATT-MANIFEST-MATCH",
                f"{path}/ContentId",
                f"attachment {cid!r} is not in the manifest",
            )
        seen.add(cid)
        c.required(
            "ATT-NAME", f"{path}/AttachmentName", att.attachment_name, "AttachmentName (tên tệp)"
        )
        c.max_length(
            f"{path}/AttachmentName",
            att.attachment_name,
            MAX_LENGTH["AttachmentName"],
            "AttachmentName",
        )
        c.required("ATT-CONTENT-TYPE", f"{path}/ContentType", att.content_type, "ContentType")
        content = _content(c, att, path)
        if content is not None:
            _sniff(c, att, content, path)
    for cid, i in by_cid.items():
        if cid not in seen:
            c.error(
                "ATT-MANIFEST-MATCH",
                f"{BODY}/Reference[{i}]/ContentId",
                f"manifest lists {cid!r} but no attachment carries it",
            )
