"""File types known by their bytes: what an attached file is, whatever its name or label says
(ATT-CONTENT-TYPE).

A receiver must look at an attachment's bytes, not trust its label (SPEC §2, §7), so a sender
must label each file by its bytes too. :func:`identify` reads the signature of a file: a PDF
starts ``%PDF-``, a ZIP archive ``PK\\x03\\x04``; a ZIP that holds ``[Content_Types].xml`` is an
Office Open XML document (DOCX, XLSX, PPTX) and one whose first entry ``mimetype`` names an
OpenDocument type is that ODF document (ODT, ODS, ODP); an OLE2 compound file (the old DOC,
XLS, PPT) starts ``D0 CF 11 E0``; PNG and JPEG images have their own. :func:`label_problem` says
why a ContentType does not fit the bytes: a file of a known type is labelled with one of that
type's media types (an OOXML or ODF document, being a ZIP archive too, also as a ZIP), and a
label that names one of these types is used only for bytes of that type. Bytes of no known
type (plain text, say) may carry any other label (``text/plain``,
``application/octet-stream``).
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

__all__ = [
    "DOCX",
    "JPEG",
    "ODP",
    "ODS",
    "ODT",
    "OLE2",
    "PDF",
    "PNG",
    "PPTX",
    "XLSX",
    "ZIP",
    "ZIP_TYPES",
    "FileType",
    "identify",
    "label_problem",
]

ZIP_MAGIC = b"PK\x03\x04"
ZIP_TYPES = frozenset({"application/zip", "application/x-zip-compressed", "application/x-zip"})
_OOXML = "application/vnd.openxmlformats-officedocument."
_ODF = "application/vnd.oasis.opendocument."
_MAX_MIMETYPE = 200  # bytes of an ODF "mimetype" entry worth reading
_ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError, KeyError)


@dataclass(frozen=True, slots=True)
class FileType:
    """A kind of file: a name people use, its media type, and every ContentType that is right
    for its bytes."""

    name: str
    media_type: str
    accepted: frozenset[str]

    def __repr__(self) -> str:
        return f"FileType({self.name!r}, {self.media_type!r})"


def _kind(name: str, media_type: str, *others: str, zipped: bool = False) -> FileType:
    accepted = frozenset({media_type, *others}) | (ZIP_TYPES if zipped else frozenset())
    return FileType(name, media_type, accepted)


PDF = _kind("PDF document", "application/pdf")
ZIP = FileType("ZIP archive", "application/zip", ZIP_TYPES)
DOCX = _kind("Word document (DOCX)", _OOXML + "wordprocessingml.document", zipped=True)
XLSX = _kind("Excel workbook (XLSX)", _OOXML + "spreadsheetml.sheet", zipped=True)
PPTX = _kind("PowerPoint presentation (PPTX)", _OOXML + "presentationml.presentation", zipped=True)
ODT = _kind("OpenDocument text (ODT)", _ODF + "text", zipped=True)
ODS = _kind("OpenDocument spreadsheet (ODS)", _ODF + "spreadsheet", zipped=True)
ODP = _kind("OpenDocument presentation (ODP)", _ODF + "presentation", zipped=True)
OLE2 = _kind(
    "OLE2 compound file (DOC, XLS, PPT)",
    "application/msword",
    "application/vnd.ms-excel",
    "application/vnd.ms-powerpoint",
    "application/x-ole-storage",
)
PNG = _kind("PNG image", "image/png")
JPEG = _kind("JPEG image", "image/jpeg", "image/jpg", "image/pjpeg")

_SIGNED = (PDF, OLE2, PNG, JPEG)
_MAGIC = {
    PDF: b"%PDF-",
    OLE2: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
    PNG: b"\x89PNG\r\n\x1a\n",
    JPEG: b"\xff\xd8\xff",
}
_OOXML_PARTS = (("word/", DOCX), ("xl/", XLSX), ("ppt/", PPTX))
_ODF_TYPES = {t.media_type: t for t in (ODT, ODS, ODP)}
KNOWN = (PDF, ZIP, DOCX, XLSX, PPTX, ODT, ODS, ODP, OLE2, PNG, JPEG)
# A label names the most specific type it is the media type of; the ZIP labels name ZIP.
_CLAIMED = {label: t for t in KNOWN for label in t.accepted - ZIP_TYPES} | dict.fromkeys(
    ZIP_TYPES, ZIP
)


def _zipped(data: bytes) -> FileType:
    """An OOXML or ODF document, or a plain ZIP archive (also when the archive is damaged)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
            first = entries[0] if entries else None
            if (
                first is not None
                and first.filename == "mimetype"
                and first.file_size <= _MAX_MIMETYPE
            ):
                declared = archive.read(first).decode("ascii", "replace").strip()
                if declared in _ODF_TYPES:
                    return _ODF_TYPES[declared]
            names = [e.filename for e in entries]
    except _ZIP_ERRORS:
        return ZIP
    if "[Content_Types].xml" in names:
        for prefix, kind in _OOXML_PARTS:
            if any(n.startswith(prefix) for n in names):
                return kind
    return ZIP


def identify(data: bytes) -> FileType | None:
    """The file type ``data`` is by its signature, or None when it has no known one."""
    if data.startswith(ZIP_MAGIC):
        return _zipped(data)
    for kind in _SIGNED:
        if data.startswith(_MAGIC[kind]):
            return kind
    return None


def _label(content_type: str) -> str:
    """The media type of a ContentType, lower case, without parameters (``; charset=…``)."""
    return content_type.split(";", 1)[0].strip().lower()


def label_problem(data: bytes, content_type: str) -> str | None:
    """Why ``content_type`` is wrong for a file of bytes ``data``, or None when it fits."""
    label = _label(content_type)
    actual = identify(data)
    if actual is not None:
        if label in actual.accepted:
            return None
        return (
            f"its bytes are a {actual.name} ({actual.media_type}) but it is labelled "
            f"{content_type!r}"
        )
    claimed = _CLAIMED.get(label)
    if claimed is not None:
        return (
            f"it is labelled {content_type!r} ({claimed.name}) but its bytes are not one "
            f"(they start {data[:8]!r})"
        )
    return None
