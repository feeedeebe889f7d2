"""The length limits of edXML text fields (SPEC §2): the one table that the validator checks
and that everything writing documents (the fixture factory, the load generator, the reference
SUT, the adapter contract's schemas) respects.

Keys are the element names as SPEC writes them; ``ToPlaces/Place`` is the Place of ToPlaces
(PromulgationInfo's Place is ``Place``).
"""

from __future__ import annotations

MAX_LENGTH: dict[str, int] = {
    "CodeNumber": 11,
    "CodeNotation": 30,
    "Place": 50,
    "TypeName": 100,
    "Subject": 500,
    "Content": 500,
    "ToPlaces/Place": 150,
    "SphereOfPromulgation": 100,
    "TyperNotation": 10,
    "OrganName": 200,
    "OrganAdd": 500,
    "OrganizationInCharge": 500,
    "Email": 100,
    "Telephone": 20,
    "Fax": 20,
    "AttachmentName": 500,
}
"""The most characters each text field may hold."""


def fit(field: str, text: str) -> str:
    """``text`` cut to the limit of ``field`` (a key of :data:`MAX_LENGTH`), for writers that
    build values from longer names."""
    return text[: MAX_LENGTH[field]]
