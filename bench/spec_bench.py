"""Parse + full validation throughput of a typical 20 KB document with two small attachments,
against a bare ``lxml.etree.fromstring`` of the same bytes in the same process."""

from __future__ import annotations

import base64
import io
import time
import zipfile
from datetime import date

from lxml import etree

from spec import Options, check, model, serialize


def typical_document() -> bytes:
    """A new document from VPCP to three provinces, two attachments, about 20 KB on the wire."""

    def org(organ_id: str, name: str) -> model.Organization:
        return model.Organization(
            organ_id=organ_id,
            organization_in_charge=name,
            organ_name=name,
            organ_add="Số 1 Hoàng Hoa Thám, Quận Ba Đình, Hà Nội",
            email="vanthu@gov.vn",
            telephone="0243 8043100",
            fax="0243 8044130",
            website="https://chinhphu.vn",
        )

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("phu-luc.txt", "Phụ lục kèm theo công văn. " * 180)
    pdf = b"%PDF-1.4\n" + b"1 0 obj << /Type /Catalog >> endobj\n" * 110 + b"%%EOF\n"
    files = [
        ("cid:1", "phu-luc.zip", "application/zip", buffer.getvalue()),
        ("cid:2", "cong-van.pdf", "application/pdf", pdf),
    ]
    edoc = model.Edoc(
        header=model.MessageHeader(
            from_=org("000.00.00.G22", "Văn phòng Chính phủ"),
            to=[org(f"000.00.00.H{n}", f"UBND tỉnh {n}") for n in ("41", "14", "44")],
            code=model.Code("7816", "VPCP-TTĐT"),
            promulgation_info=model.PromulgationInfo("Hà Nội", "2026/11/02"),
            document_type=model.DocumentType("1", "0", "Công văn"),
            subject="V/v kết nối, liên thông phần mềm quản lý văn bản giữa các cơ quan nhà nước",
            content="Đề nghị các đơn vị triển khai kết nối liên thông theo kế hoạch.",
            signer_info=model.SignerInfo("KT. BỘ TRƯỞNG", "Phó Chủ nhiệm", "Nguyễn Văn A"),
            due_date="2026/12/01",
            other_info=model.OtherInfo("0", "Toàn quốc", "TVC", "3", "2"),
            steering_type="1",
            document_id="000.00.00.G22,2026/11/02,7816/VPCP-TTĐT",
        ),
        trace_headers=[model.TraceHeader("000.00.00.G22", "2026/11/02 09:15:00")],
        bussiness=model.Bussiness(
            "0",
            "Văn bản điện tử mới",
            None,
            "0",
            model.StaffInfo("Văn thư", "Trần Thị B", "0912000001", "vt@gov.vn"),
        ),
        manifest=[model.Reference(cid, ctype, name, name) for cid, name, ctype, _ in files],
        attachments=[
            model.Attachment(cid, name, name, ctype, base64.b64encode(data).decode())
            for cid, name, ctype, data in files
        ],
    )
    return serialize(edoc)


def _rate(fn, data: bytes, seconds: float = 2.0) -> float:
    n, started = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - started) < seconds:
        for _ in range(100):
            fn(data)
        n += 100
    return n / elapsed


def main() -> None:
    data = typical_document()
    options = Options(today=date(2026, 11, 21))
    findings = check(data, options).findings
    if findings:
        raise SystemExit(f"benchmark document is not clean: {findings}")
    bare = _rate(etree.fromstring, data)
    full = _rate(lambda d: check(d, options), data)
    print(f"document: {len(data):,} bytes, 2 attachments")
    print(f"bare lxml.etree.fromstring: {bare:10,.0f} docs/s")
    print(f"spec.check (parse+validate): {full:10,.0f} docs/s  (target >= 5,000)")
    print(f"ratio check / bare parse:   {full / bare:10.2f}")
