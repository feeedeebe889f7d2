"""Files known by their bytes (spec.filetypes): an attachment's ContentType is judged against
what the file is, whatever its name says, and ZIP-based office documents are accepted under
their own media types."""

from __future__ import annotations

import base64
from datetime import date

import pytest

from fixtures.factory import docx_bytes, pdf_bytes, zip_bytes
from spec import model
from spec.filetypes import DOCX, ODT, PDF, XLSX, ZIP, identify, label_problem
from spec.rules.attachments import check_attachments
from spec.rules.checker import Checker, Options

STAMP = date(2024, 6, 28)
PDF_FILE = pdf_bytes(["Công văn"])
PLAIN_ZIP = zip_bytes([("phu_luc.pdf", PDF_FILE)], STAMP)
DOCX_FILE = docx_bytes(["Công văn"], STAMP)
XLSX_FILE = zip_bytes(
    [("[Content_Types].xml", b"<Types/>"), ("xl/workbook.xml", b"<workbook/>")], STAMP
)
ODT_FILE = zip_bytes(
    [("mimetype", ODT.media_type.encode()), ("content.xml", b"<office:document/>")], STAMP
)
TEXT = "Danh sách cán bộ đầu mối\n".encode()


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (PDF_FILE, PDF),
        (PLAIN_ZIP, ZIP),
        (DOCX_FILE, DOCX),
        (XLSX_FILE, XLSX),
        (ODT_FILE, ODT),
        (b"PK\x03\x04 a damaged archive", ZIP),
        (TEXT, None),
        (b"", None),
    ],
)
def test_a_file_is_identified_by_its_signature(data: bytes, kind: object) -> None:
    assert identify(data) == kind


@pytest.mark.parametrize(
    ("data", "label", "wrong"),
    [
        (PDF_FILE, "application/pdf", False),
        (PDF_FILE, DOCX.media_type, True),  # a PDF named .docx
        (PDF_FILE, "application/octet-stream", True),
        (PLAIN_ZIP, "application/zip", False),
        (PLAIN_ZIP, "application/x-zip-compressed", False),
        (PLAIN_ZIP, "application/octet-stream", True),  # a ZIP without an extension
        (DOCX_FILE, DOCX.media_type, False),  # OOXML by its own signature
        (DOCX_FILE, "application/zip", False),  # and still a ZIP archive
        (DOCX_FILE, "application/pdf", True),
        (DOCX_FILE, XLSX.media_type, True),
        (ODT_FILE, ODT.media_type + "; charset=binary", False),
        (TEXT, "text/plain", False),
        (TEXT, "application/octet-stream", False),
        (TEXT, "application/pdf", True),  # plain text named .pdf
        (TEXT, "application/zip", True),
    ],
)
def test_a_label_fits_the_bytes_or_says_why_not(data: bytes, label: str, wrong: bool) -> None:
    problem = label_problem(data, label)
    assert (problem is not None) == wrong, problem
    if problem:
        assert repr(label) in problem


def _edoc(content: bytes, content_type: str, name: str) -> model.Edoc:
    encoded = base64.b64encode(content).decode("ascii")
    return model.Edoc(
        header=model.MessageHeader(),
        manifest=[model.Reference("cid:1", content_type, "tệp", name)],
        attachments=[model.Attachment("cid:1", name, "tệp", content_type, encoded)],
    )


def test_the_validator_judges_the_whole_archive_not_only_its_first_bytes() -> None:
    checker = Checker(Options())
    check_attachments(checker, _edoc(DOCX_FILE, DOCX.media_type, "cong_van.docx"))
    assert not checker.findings
    check_attachments(checker, _edoc(PDF_FILE, DOCX.media_type, "cong_van.docx"))
    [finding] = checker.findings
    assert finding.req_id == "ATT-CONTENT-TYPE" and "PDF document" in finding.message
