"""The edXML codec: ``parse(bytes)`` into the model and ``serialize(message)`` back to bytes."""

from spec.reader import Parsed, parse
from spec.writer import UnwritableMessage, serialize, to_element

__all__ = ["Parsed", "UnwritableMessage", "parse", "serialize", "to_element"]
