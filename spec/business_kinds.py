"""The business kinds of a document (SPEC §2, Bussiness/BussinessDocType): new, revoke, update
and replace, written once.

On the wire a kind is the BussinessDocType digit; in the harness's JSON (the adapter contract,
the document factory, the reference SUT's register) it is an English word. :class:`BusinessKind`
holds both and the Vietnamese word, so nothing else keeps a table of them.
"""

from __future__ import annotations

import enum
from typing import Literal

from spec.errors import SpecError


class InvalidBusinessKind(SpecError, ValueError):
    """A BussinessDocType text or a kind word that is not one of :class:`BusinessKind`."""


class BusinessKind(enum.StrEnum):
    """A business kind. The value is the BussinessDocType digit written on the wire, so a
    member compares equal to that text (``BusinessKind.REVOKE == "1"``).

    Each member carries ``word`` (the harness's JSON name, ``"revoke"``) and ``word_vi`` (the
    Vietnamese term, ``"thu hồi"``); ``label`` joins them for messages.
    """

    word: str
    word_vi: str

    NEW = ("0", "new", "văn bản mới")
    REVOKE = ("1", "revoke", "thu hồi")
    UPDATE = ("2", "update", "cập nhật")
    REPLACE = ("3", "replace", "thay thế")

    def __new__(cls, digit: str, word: str, word_vi: str) -> BusinessKind:
        member = str.__new__(cls, digit)
        member._value_ = digit
        member.word = word
        member.word_vi = word_vi
        return member

    def __repr__(self) -> str:
        return f"BusinessKind.{self.name}"

    @property
    def label(self) -> str:
        """The word with its Vietnamese term, for messages: ``"revoke (thu hồi)"``."""
        return f"{self.word} ({self.word_vi})"

    @classmethod
    def parse(cls, text: str) -> BusinessKind:
        """The member for a BussinessDocType text (``"1"`` or ``" 1 "``); raises
        :class:`InvalidBusinessKind` for anything else."""
        digit = text.strip() if isinstance(text, str) else text
        for member in cls:
            if member.value == digit:
                return member
        raise InvalidBusinessKind(
            f"BussinessDocType (text={text!r}) must be one of {', '.join(cls)}"
        )

    @classmethod
    def from_word(cls, word: str) -> BusinessKind:
        """The member named ``word`` in the harness's JSON (``"revoke"``); raises
        :class:`InvalidBusinessKind` for other words."""
        for member in cls:
            if member.word == word:
                return member
        raise InvalidBusinessKind(
            f"business kind (word={word!r}) must be one of {', '.join(WORDS)}"
        )


WORDS: tuple[str, ...] = tuple(kind.word for kind in BusinessKind)
"""The kinds' words in BussinessDocType order: ``("new", "revoke", "update", "replace")``."""

KindWord = Literal["new", "revoke", "update", "replace"]
"""A kind's word as a type, for the fields of the harness's JSON that hold one: the one place a
type checker reads them from (a test holds it to :data:`WORDS`)."""
