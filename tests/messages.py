"""A parsed message of the kind a test expects, and elements a test knows are there."""

from __future__ import annotations

from lxml import etree

from spec import model
from spec.codec import parse


def edoc_of(data: bytes) -> model.Edoc:
    message = parse(data).message
    assert isinstance(message, model.Edoc), f"expected a document, got {type(message).__name__}"
    return message


def status_of(data: bytes) -> model.Status:
    message = parse(data).message
    assert isinstance(message, model.Status), f"expected a status, got {type(message).__name__}"
    return message


def child(el: etree._Element, path: str) -> etree._Element:
    """The first element at ``path`` under ``el``; the test fails when there is none."""
    found = el.find(path)
    assert found is not None, f"no {path} under {el.tag!r}"
    return found
