"""Agency identifiers (mã định danh): the two grammars, their levels, tiers, parents and mapping.

An organ id names one organ of the state in a four-level tree (SPEC §4). Two written forms
exist and real traffic carries both:

* **QCVN 102** ``LLL.KK.MM.Xnn``, read from the right: ``Xnn`` is the level-1 organ (one
  letter and two digits), ``MM`` level 2, ``KK`` level 3, ``LLL`` level 4; an unused level is
  all zeros (``000.00.00.H44`` Phú Thọ, ``000.00.24.H44`` a district, ``000.46.24.H44`` a
  commune of it).
* **QĐ 20/2020** left to right, at most 35 characters of ``[0-9A-Z.]``, level-1 part first
  (``H44``, ``H44.24``, ``H44.24.46``).

Harness rules where the sources are silent (each one is stated once, here):

* An intermediate level may be unused (``002.00.20.H13``, a level-4 unit straight under a
  level-2 one); an id's level is its deepest used level and its parent the nearest used
  ancestor. A QĐ 20 id shows a skipped level as a zero code (``H13.20.00.002``) and never
  ends in one.
* The mechanical mapping between the forms: QCVN ``LLL.KK.MM.Xnn`` ⇔ QĐ 20 ``Xnn.MM.KK.LLL``
  with unused trailing levels dropped. A QĐ 20 id whose codes do not fit two digits (levels 2
  and 3) or three digits (level 4) has no QCVN 102 form. The harness accepts at most four
  levels in either form.
* Tier is syntactic: level-1 letters ``H`` (People's Committee) and ``K`` (People's Council)
  are provinces, their level-2 units districts, deeper units communes; every other letter
  (``G`` ministries and government bodies, ``A`` party bodies, …) is central at every level.
  Departments of a province are level 2 as well; the fixture registry knows their real tier.
* Connection systems (``W00``) are ids but not agencies: ``SS.NN.W00`` (SPEC's ``00.53.W00``,
  ``02.29.W00``) or ``LLL.KK.MM.W00``. The harness names the system of a level-1 organ
  ``Xnn`` as ``SS.nn.W00`` where the serial ``SS`` encodes the letter (``SYSTEM_SERIALS``):
  ``00.53.W00`` is the gateway of ``H53`` (Tây Ninh), ``02.29.W00`` the system of ``G29``.
"""

from __future__ import annotations

import enum
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass

from spec.errors import InvalidOrganId

# Names an organ id (the agency's name and tier) when a registry knows it, else None.
NameLookup = Callable[[str], "tuple[str, str] | None"]

__all__ = [
    "CONNECTION_SYSTEM_CODE",
    "LEVEL_WIDTHS",
    "QD20_MAX_LENGTH",
    "SYSTEM_SERIALS",
    "IdForm",
    "OrganId",
    "Tier",
    "compose",
    "explain",
    "organ_id_problem",
    "parse_organ_id",
    "recipient_problem",
    "system_id_for",
]


class IdForm(enum.Enum):
    """Which of the two written forms an organ id uses."""

    QCVN102 = "qcvn102"
    QD20 = "qd20"

    def __repr__(self) -> str:
        return f"IdForm.{self.name}"


class Tier(enum.Enum):
    """The tier of government an organ belongs to."""

    CENTRAL = "central"
    PROVINCE = "province"
    DISTRICT = "district"
    COMMUNE = "commune"

    def __repr__(self) -> str:
        return f"Tier.{self.name}"


CONNECTION_SYSTEM_CODE = "W00"
QD20_MAX_LENGTH = 35
MAX_LEVEL = 4
PROVINCIAL_LETTERS = frozenset("HK")
# Harness convention: the serial SS of a system id SS.nn.W00 tells the owner's letter.
SYSTEM_SERIALS: dict[str, str] = {"H": "00", "K": "01", "G": "02", "A": "03"}
_SERIAL_LETTERS = {serial: letter for letter, serial in SYSTEM_SERIALS.items()}

_PROVINCIAL_TIERS = {1: Tier.PROVINCE, 2: Tier.DISTRICT, 3: Tier.COMMUNE, 4: Tier.COMMUNE}
# QCVN 102 group widths, left to right: LLL (level 4), KK (level 3), MM (level 2).
_QCVN_WIDTHS = ((3, 4, "LLL"), (2, 3, "KK"), (2, 2, "MM"))
LEVEL_WIDTHS: dict[int, int] = {2: 2, 3: 2, 4: 3}
"""The digits of a level's code in QCVN 102 form (MM, KK: two; LLL: three)."""
_COUNT_WORDS = {1: "one group", 2: "two groups", 3: "three groups", 5: "five groups"}

_LEVEL1 = re.compile(r"[A-Z][0-9]{2}")
_LETTER_GROUP = re.compile(r"[A-Z]{2,}[0-9]*")
_ALLOWED = re.compile(r"[0-9A-Z.]+")
_DIGITS = re.compile(r"[0-9]+")
_QCVN_SYSTEM = re.compile(r"(?:[0-9]{2}\.[0-9]{2}|[0-9]{3}\.[0-9]{2}\.[0-9]{2})\.W00")


@dataclass(frozen=True, slots=True)
class OrganId:
    """A parsed organ id. ``levels`` holds the codes of levels 2.. down to the id's own level,
    top-down, whatever the form (``000.46.24.H44`` and ``H44.24.46`` both have
    ``("24", "46")``); a skipped intermediate level shows as its zero code."""

    text: str
    form: IdForm
    level1: str
    levels: tuple[str, ...] = ()

    def __repr__(self) -> str:
        return f"parse_organ_id({self.text!r})"

    @property
    def level(self) -> int:
        """1 for a level-1 organ (a ministry, a province) .. 4."""
        return 1 + len(self.levels)

    @property
    def is_connection_system(self) -> bool:
        """True for a connection system id (``W00``): an id, never an agency or recipient."""
        return self.level1 == CONNECTION_SYSTEM_CODE

    @property
    def key(self) -> tuple[str, tuple[str, ...]]:
        """What the organ is, independent of the form: equal for both forms of one organ."""
        if self.is_connection_system:
            return (self.level1, (self.text,))
        return (self.level1, self.levels)

    @property
    def system_owner(self) -> str | None:
        """For a ``SS.nn.W00`` system id, the level-1 code that owns it by the harness
        convention (``00.53.W00`` → ``H53``); None for agencies and unknown serials."""
        if not self.is_connection_system:
            return None
        groups = self.text.split(".")
        letter = _SERIAL_LETTERS.get(groups[0]) if len(groups) == 3 else None
        if letter is None or groups[1] == "00":
            return None
        return letter + groups[1]

    @property
    def tier(self) -> Tier:
        """The syntactic tier (see the module docstring); a connection system has its owner's."""
        if self.is_connection_system:
            owner = self.system_owner
            return Tier.PROVINCE if owner and owner[0] in PROVINCIAL_LETTERS else Tier.CENTRAL
        if self.level1[0] not in PROVINCIAL_LETTERS:
            return Tier.CENTRAL
        return _PROVINCIAL_TIERS[self.level]

    @property
    def parent(self) -> OrganId | None:
        """The nearest used ancestor in the same form; None at level 1 and for systems."""
        if self.is_connection_system or not self.levels:
            return None
        codes = list(self.levels[:-1])
        while codes and _is_zero(codes[-1]):
            codes.pop()
        return _build(self.form, self.level1, tuple(codes))

    def to_qcvn102(self) -> OrganId:
        """This organ in QCVN 102 form (``H44.24.46`` → ``000.46.24.H44``).

        Raises ``InvalidOrganId`` for a QĐ 20 id whose codes do not fit QCVN 102's widths."""
        if self.form is IdForm.QCVN102:
            return self
        for level, code in enumerate(self.levels, start=2):
            width = LEVEL_WIDTHS[level]
            if len(code) != width or not code.isdigit():
                raise InvalidOrganId(
                    f"organ id {self.text!r} has no QCVN 102 form: its level-{level} code "
                    f"{code!r} is not {width} digits"
                )
        return _build(IdForm.QCVN102, self.level1, self.levels)

    def to_qd20(self) -> OrganId:
        """This organ in QĐ 20/2020 form (``000.46.24.H44`` → ``H44.24.46``).

        Raises ``InvalidOrganId`` for a connection system id, which has one form only."""
        if self.is_connection_system:
            raise InvalidOrganId(
                f"organ id {self.text!r} names a connection system, which has no QĐ 20 form"
            )
        if self.form is IdForm.QD20:
            return self
        return _build(IdForm.QD20, self.level1, self.levels)


def _is_zero(code: str) -> bool:
    return code.strip("0") == ""


def _build(form: IdForm, level1: str, levels: tuple[str, ...]) -> OrganId:
    if form is IdForm.QD20:
        text = ".".join((level1, *levels))
    else:
        padded = [*levels, *([""] * (MAX_LEVEL - 1 - len(levels)))]
        mm, kk, lll = (
            code or "0" * LEVEL_WIDTHS[level] for level, code in enumerate(padded, start=2)
        )
        text = f"{lll}.{kk}.{mm}.{level1}"
    return OrganId(text=text, form=form, level1=level1, levels=levels)


def _level1_problem(text: str, code: str) -> str | None:
    if _LETTER_GROUP.fullmatch(code):
        return (
            f"organ id {text!r}: level-1 code {code!r} has a {len(code.rstrip('0123456789'))}-letter "
            "group; a level-1 code is one letter and two digits (like G12 or H44)"
        )
    if not _LEVEL1.fullmatch(code):
        return (
            f"organ id {text!r}: level-1 code {code!r} is not one letter and two digits "
            "(like G12 or H44)"
        )
    if code[1:] == "00":
        return (
            f"organ id {text!r}: level-1 code {code!r} has number 00, which means 'unused'; "
            "only W00 (a connection system) ends that way"
        )
    return None


def _analyse_system(text: str, groups: list[str]) -> OrganId | str:
    if not _QCVN_SYSTEM.fullmatch(text):
        return (
            f"organ id {text!r} ends in W00 (a connection system) but is not of the form "
            "SS.NN.W00 or LLL.KK.MM.W00"
        )
    return OrganId(text=text, form=IdForm.QCVN102, level1=CONNECTION_SYSTEM_CODE)


def _analyse_qcvn102(text: str, groups: list[str]) -> OrganId | str:
    if len(groups) != 4:
        count = _COUNT_WORDS.get(len(groups), f"{len(groups)} groups")
        return f"organ id {text!r} has {count}; QCVN 102 needs four (LLL.KK.MM.Xnn)"
    problem = _level1_problem(text, groups[3])
    if problem:
        return problem
    for code, (width, level, name) in zip(groups[:3], _QCVN_WIDTHS, strict=True):
        if len(code) != width or not _DIGITS.fullmatch(code):
            return (
                f"organ id {text!r}: the level-{level} group {name} is {code!r}; "
                f"it must be {width} digits ({'0' * width} when unused)"
            )
    lll, kk, mm = groups[:3]
    levels = (mm, kk, lll)
    used = len(levels)
    while used and _is_zero(levels[used - 1]):
        used -= 1
    return OrganId(text=text, form=IdForm.QCVN102, level1=groups[3], levels=levels[:used])


def _analyse_qd20(text: str, groups: list[str]) -> OrganId | str:
    problem = _level1_problem(text, groups[0])
    if problem:
        return problem
    levels = tuple(groups[1:])
    if len(levels) >= MAX_LEVEL:
        return (
            f"organ id {text!r} has {len(groups)} levels; the harness maps ids onto "
            "QCVN 102's four levels and accepts at most four"
        )
    if levels and _is_zero(levels[-1]):
        return f"organ id {text!r} ends in an unused level {levels[-1]!r}; leave it out"
    return OrganId(text=text, form=IdForm.QD20, level1=groups[0], levels=levels)


@functools.lru_cache(maxsize=1 << 16)
def _analyse(text: str) -> OrganId | str:
    """The parsed id, or the reason it is not one (cached: the validator's hot path)."""
    if text == "":
        return "organ id is empty"
    if text != text.strip():
        return f"organ id {text!r} has whitespace around it"
    if any(ch.isspace() for ch in text):
        return f"organ id {text!r} contains whitespace"
    if any(ch.islower() for ch in text):
        return f"organ id {text!r} has lowercase letters; organ ids use 0-9, A-Z and '.'"
    if not _ALLOWED.fullmatch(text):
        bad = next(ch for ch in text if not _ALLOWED.fullmatch(ch))
        return f"organ id {text!r} contains {bad!r}; organ ids use 0-9, A-Z and '.' only"
    groups = text.split(".")
    if "" in groups:
        return f"organ id {text!r} has an empty group (a leading, trailing or doubled '.')"
    if groups[-1] == CONNECTION_SYSTEM_CODE:
        return _analyse_system(text, groups)
    if groups[0][0].isalpha():
        return _analyse_qd20(text, groups)
    return _analyse_qcvn102(text, groups)


def _outcome(text: str) -> OrganId | str:
    if not isinstance(text, str):
        return f"organ id must be a string, got {text!r:.60}"
    if len(text) > QD20_MAX_LENGTH:
        # Checked before the cache so that hostile input neither fills it nor the message.
        shown = repr(text) if len(text) <= 64 else f"{text[:40]!r}…"
        return f"organ id {shown} is {len(text)} characters long; at most 35 are allowed"
    return _analyse(text)


def organ_id_problem(text: str) -> str | None:
    """Why ``text`` is not a valid organ id in either form, or None when it is one.

    Connection-system ids (``00.53.W00``) are valid ids; see ``recipient_problem``."""
    result = _outcome(text)
    return result if isinstance(result, str) else None


def parse_organ_id(text: str) -> OrganId:
    """Parse either form; raises ``InvalidOrganId`` with the precise reason."""
    result = _outcome(text)
    if isinstance(result, str):
        raise InvalidOrganId(result)
    return result


def recipient_problem(text: str) -> str | None:
    """Like ``organ_id_problem``, and a connection system (W00) is never a valid recipient."""
    result = _outcome(text)
    if isinstance(result, OrganId) and result.is_connection_system:
        return (
            f"organ id {text!r} names a connection system (W00), not an agency; "
            "messages are addressed to agencies"
        )
    return result if isinstance(result, str) else None


def compose(level1: str, *levels: int | str, form: IdForm = IdForm.QCVN102) -> str:
    """The id of an organ from its level-1 code and the codes of levels 2.. top-down, each an
    int or its digits: ``compose("H44", 24, 46)`` is ``000.46.24.H44``, with
    ``form=IdForm.QD20`` ``H44.24.46``. A zero code is an unused level; unused levels at the
    end are left out of a QĐ 20 id. Raises ``InvalidOrganId`` for a level-1 code that is not
    one letter and two digits, more than three levels below it, or a code that does not fit
    its level's width (two digits for levels 2 and 3, three for level 4)."""
    problem = _level1_problem(level1, level1)
    if problem is not None:
        raise InvalidOrganId(problem)
    if len(levels) >= MAX_LEVEL:
        raise InvalidOrganId(
            f"level1={level1!r} with levels={levels!r}: at most {MAX_LEVEL - 1} levels below it"
        )
    codes = [_level_code(level1, level, code) for level, code in enumerate(levels, start=2)]
    while codes and _is_zero(codes[-1]):
        codes.pop()
    return _build(form, level1, tuple(codes)).text


def _level_code(level1: str, level: int, code: int | str) -> str:
    width = LEVEL_WIDTHS[level]
    text = f"{code:0{width}d}" if isinstance(code, int) and code >= 0 else str(code)
    if len(text) != width or not _DIGITS.fullmatch(text):
        raise InvalidOrganId(
            f"level1={level1!r}: the level-{level} code {code!r} must be {width} digits "
            f"(0 to {10**width - 1})"
        )
    return text


def system_id_for(level1: str) -> str:
    """The harness's connection-system id for a level-1 organ: ``H53`` → ``00.53.W00``."""
    problem = None if _LEVEL1.fullmatch(level1) else "is not one letter and two digits"
    if problem is None and level1[0] not in SYSTEM_SERIALS:
        problem = f"has letter {level1[0]!r}; system serials exist for {sorted(SYSTEM_SERIALS)}"
    if problem:
        raise InvalidOrganId(f"level1={level1!r} {problem}")
    return f"{SYSTEM_SERIALS[level1[0]]}.{level1[1:]}.{CONNECTION_SYSTEM_CODE}"


_LEVEL_LABELS = {1: "level 1", 2: "level 2 (MM)", 3: "level 3 (KK)", 4: "level 4 (LLL)"}
_FORM_NAMES = {
    IdForm.QCVN102: "QCVN 102 (LLL.KK.MM.Xnn, read from the right)",
    IdForm.QD20: "QĐ 20/2020 (left to right, level 1 first)",
}


def _row(label: str, value: str) -> str:
    return f"  {label + ':':<15}{value}"


def explain(text: str, name_of: NameLookup | None = None) -> str:
    """A multi-line human explanation of ``text``: validity, form, levels, tier, parent and,
    when ``name_of`` (a registry such as the fixtures') knows it, the agency's name."""

    def suffix(level1: str) -> str:
        named = name_of(level1) if name_of else None
        return f" — {named[0]}" if named else ""

    problem = organ_id_problem(text)
    if problem is not None:
        return f"{text!r}: not a valid organ id\n{_row('reason', problem)}"
    oid = parse_organ_id(text)
    lines = [f"{text!r}: valid organ id"]
    if oid.is_connection_system:
        lines.append(_row("kind", "connection system (W00): never an agency or a recipient"))
        owner = oid.system_owner
        if owner:
            lines.append(_row("owner", f"{owner}{suffix(owner)} (harness rule SS.nn.W00)"))
        lines.append(_row("tier", oid.tier.value))
        return "\n".join(lines)
    lines.append(_row("form", _FORM_NAMES[oid.form]))
    lines.append(_row(_LEVEL_LABELS[1], oid.level1 + suffix(oid.level1)))
    for number, code in enumerate(oid.levels, start=2):
        lines.append(_row(_LEVEL_LABELS[number], code + (" (unused)" if _is_zero(code) else "")))
    lines.append(_row("level", str(oid.level)))
    lines.append(_row("tier", f"{oid.tier.value} (syntactic)"))
    parent = oid.parent
    lines.append(_row("parent", parent.text if parent else "none (a level-1 organ)"))
    try:
        other = oid.to_qd20() if oid.form is IdForm.QCVN102 else oid.to_qcvn102()
        lines.append(_row("other form", other.text))
    except InvalidOrganId as exc:
        lines.append(_row("other form", f"none: {exc}"))
    named = name_of(oid.text) if name_of else None
    if named is not None:
        lines.append(_row("agency", f"{named[0]} (tier {named[1]})"))
    return "\n".join(lines)
