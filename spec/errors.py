"""The exceptions of the spec core: one base class, a subclass per failure kind."""

from __future__ import annotations


class SpecError(Exception):
    """Base class of every error raised by :mod:`spec`."""


class InputRefused(SpecError, ValueError):
    """The bytes cannot be read as an edXML message at all (exit code 2 of `validate`)."""


class NotXML(InputRefused):
    """The input is empty, binary, or not well-formed XML."""


class HostileXML(InputRefused):
    """The input uses a DTD, entities, or nesting deeper than the limit."""


class TooLarge(InputRefused):
    """The input is larger than the configured size limit."""


class NotEdXML(InputRefused):
    """Well-formed XML whose root is not an edXML document envelope or status message."""


class InvalidOrganId(SpecError, ValueError):
    """An organ id (mã định danh) that fits neither the QCVN 102 nor the QĐ 20 grammar."""


class UnknownRequirement(SpecError, KeyError):
    """A requirement id that the catalogue does not list."""
