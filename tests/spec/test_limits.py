"""spec.limits is the table the validator enforces: every field at its limit passes, one
character more is a MSG-FIELD-LENGTH error at that field."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from fixtures.agencies import lookup
from fixtures.factory import DocumentFactory
from spec import Options, model, validate
from spec.limits import MAX_LENGTH, fit

TODAY = date(2026, 1, 5)


def _other(edoc: model.Edoc) -> model.OtherInfo:
    assert edoc.header.other_info is not None
    return edoc.header.other_info


def _from(edoc: model.Edoc) -> model.Organization:
    assert edoc.header.from_ is not None
    return edoc.header.from_


def _attachment_name(edoc: model.Edoc, text: str) -> None:
    for ref in edoc.manifest or ():
        ref.attachment_name = text
    for attachment in edoc.attachments:
        attachment.attachment_name = text


SETTERS: dict[str, Callable[[model.Edoc, str], None]] = {
    "CodeNumber": lambda e, t: setattr(e.header.code, "code_number", t),
    "CodeNotation": lambda e, t: setattr(e.header.code, "code_notation", t),
    "Place": lambda e, t: setattr(e.header.promulgation_info, "place", t),
    "TypeName": lambda e, t: setattr(e.header.document_type, "type_name", t),
    "Subject": lambda e, t: setattr(e.header, "subject", t),
    "Content": lambda e, t: setattr(e.header, "content", t),
    "ToPlaces/Place": lambda e, t: setattr(e.header, "to_places", [t]),
    "SphereOfPromulgation": lambda e, t: setattr(_other(e), "sphere_of_promulgation", t),
    "TyperNotation": lambda e, t: setattr(_other(e), "typer_notation", t),
    "OrganName": lambda e, t: setattr(_from(e), "organ_name", t),
    "OrganAdd": lambda e, t: setattr(_from(e), "organ_add", t),
    "OrganizationInCharge": lambda e, t: setattr(_from(e), "organization_in_charge", t),
    "Email": lambda e, t: setattr(_from(e), "email", t),
    "Telephone": lambda e, t: setattr(_from(e), "telephone", t),
    "Fax": lambda e, t: setattr(_from(e), "fax", t),
    "AttachmentName": _attachment_name,
}


def _length_errors(field: str, length: int) -> list[str]:
    sender, receiver = lookup("000.00.00.G22"), lookup("000.00.00.H41")
    assert sender is not None and receiver is not None
    edoc = DocumentFactory(seed=1, today=TODAY).edoc(sender, [receiver], attachments=1)
    SETTERS[field](edoc, "7" * length)
    findings = validate(edoc, Options(today=TODAY))
    return [f.path for f in findings if f.req_id == "MSG-FIELD-LENGTH"]


def test_every_limit_has_a_field_to_try() -> None:
    assert set(SETTERS) == set(MAX_LENGTH)


@pytest.mark.parametrize("field", sorted(MAX_LENGTH))
def test_the_validator_enforces_the_limit_of(field: str) -> None:
    limit = MAX_LENGTH[field]
    assert _length_errors(field, limit) == []
    over = _length_errors(field, limit + 1)
    assert over, f"{field} of {limit + 1} characters passed"
    assert all(field.split("/")[-1] in path for path in over), over


def test_fit_cuts_to_the_limit() -> None:
    assert fit("CodeNumber", "1" * 20) == "1" * MAX_LENGTH["CodeNumber"]
    assert fit("Fax", "024") == "024"
