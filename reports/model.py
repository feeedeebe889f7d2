"""The certification report: which software was run against which profile, and per requirement
of that profile the verdict with the evidence that proves it.

A :class:`Report` is built by the conformance suite (or by hand in tests), rendered by
:mod:`reports.html`, :mod:`reports.junit` and signed by :mod:`reports.certificate`. Its overall
verdict is not set by anyone: :meth:`Report.compute_verdict` derives it from the requirements,
so a report cannot say CERTIFIED while one of its MUST requirements failed. The JSON form
(:meth:`Report.to_json`, by :mod:`spec.jsonmap`) is described by
``spec/schemas/certification-report.schema.json``.
"""

from __future__ import annotations

import enum
import json
import re
from collections import Counter
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any, ClassVar

from reports import schema
from reports.errors import ReportFormatError
from spec.catalogue import Level, requirement
from spec.clock import VIETNAM
from spec.findings import Finding
from spec.jsonmap import JsonMapped, JsonWritable, Layout

FORMAT = "lienthong-certification-report/2"
EVIDENCE_KINDS = ("transcript", "finding", "note", "exchange")
TIMELINE_KINDS = ("sent", "listed", "downloaded", "ack", "status", "fault")
ACK_CODES = ("done", "fail")
_SHA256 = re.compile(r"[0-9a-f]{64}")
# How many ids a verdict reason names before it says "and N more".
_REASON_IDS = 5

__all__ = [
    "AXIS_KINDS",
    "EVIDENCE_KINDS",
    "FORMAT",
    "TIMELINE_KINDS",
    "Conditions",
    "Coverage",
    "DocumentTimeline",
    "Evidence",
    "EvidenceLine",
    "Outcome",
    "Report",
    "RequirementResult",
    "SutIdentity",
    "TimelineEvent",
    "Verdict",
    "Waiver",
    "override_text",
]


class Outcome(enum.StrEnum):
    """The verdict on one requirement."""

    PASSED = "passed"
    FAILED = "failed"
    NOT_TESTED = "not tested"
    WAIVED = "waived"

    def __repr__(self) -> str:
        return f"Outcome.{self.name}"


class Verdict(enum.StrEnum):
    """The verdict on the whole run."""

    CERTIFIED = "CERTIFIED"
    NOT_CERTIFIED = "NOT CERTIFIED"
    INCOMPLETE = "INCOMPLETE"

    def __repr__(self) -> str:
        return f"Verdict.{self.name}"


def _aware(value: datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ReportFormatError(f"{name}={value!r} must carry a timezone (an aware datetime)")


def _names(ids: list[str]) -> str:
    shown = ", ".join(ids[:_REASON_IDS])
    return shown + (f" and {len(ids) - _REASON_IDS} more" if len(ids) > _REASON_IDS else "")


@dataclass(frozen=True, slots=True)
class SutIdentity(JsonMapped):
    """The software under test and the party it was certified for.

    ``product``, ``vendor``, ``version``, ``build`` (a commit, build number or package hash;
    None when the SUT does not say) and ``contract_version`` are what the SUT says about
    itself (adapter contract ``GET /info``); ``adapter`` is the kind of adapter that drove it
    (``http``, ``manual``, ``reference``). ``organ_id``, ``agency`` (its name in the registry
    of agencies) and ``system_id`` are the party the suite certified, set by the officer."""

    product: str
    vendor: str
    version: str
    build: str | None
    contract_version: str
    adapter: str
    organ_id: str
    agency: str
    system_id: str

    @property
    def software(self) -> str:
        """``product version (build b)`` as people read it."""
        build = f" (build {self.build})" if self.build else ""
        return f"{self.product} {self.version}{build}"


AXIS_KINDS = ("in-process", "external")


@dataclass(frozen=True, slots=True)
class Conditions(JsonMapped):
    """Everything besides the profile's name that shaped the verdict of a run.

    ``require_signature`` is the profile's effective choice; ``overrides`` names every option
    that departed from the defaults with its value (``require_signature``, ``requirements``,
    ``time_scale``, ``exploration_examples``, ``seed``); ``mutant`` is the defect planted in the
    reference SUT, if any; ``axis_kind`` is ``in-process`` (the suite's own axis) or
    ``external`` (a running axis given by URL); ``officer`` is who ran it; ``waivers_sha256``
    the SHA-256 of the waivers file applied (None without one); ``catalogue_sha256`` and
    ``checks_sha256`` identify the requirement catalogue and the suite's check modules."""

    require_signature: bool
    overrides: dict[str, Any]
    exploration_examples: int
    mutant: str | None
    axis_kind: str
    officer: str | None
    waivers_sha256: str | None
    catalogue_sha256: str
    checks_sha256: str

    def __post_init__(self) -> None:
        if self.axis_kind not in AXIS_KINDS:
            raise ReportFormatError(f"axis_kind={self.axis_kind!r} must be one of {AXIS_KINDS}")
        for name in ("catalogue_sha256", "checks_sha256", "waivers_sha256"):
            value = getattr(self, name)
            if value is not None and not _SHA256.fullmatch(value):
                raise ReportFormatError(f"{name}={value!r} must be 64 lowercase hex digits")
        object.__setattr__(self, "overrides", dict(self.overrides))

    def override_text(self) -> str:
        """``require_signature=no, time_scale=60`` (or ``none``), as the verdict line says it."""
        return override_text(self.overrides)


def override_text(overrides: dict[str, Any]) -> str:
    """Overrides as people read them: ``require_signature=no, time_scale=60``, or ``none``."""
    if not overrides:
        return "none"
    return ", ".join(f"{k}={_shown(v)}" for k, v in overrides.items())


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ",".join(str(v) for v in value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


@dataclass(frozen=True, slots=True)
class Waiver(JsonMapped):
    """An accepted deviation: the requirement it excuses, why, until when (inclusive) and who
    approved it."""

    requirement: str
    reason: str
    expires: date
    approved_by: str

    def valid_on(self, day: date) -> bool:
        """Whether the waiver still holds on ``day`` (it holds through its expiry date)."""
        return day <= self.expires


@dataclass(frozen=True, slots=True)
class EvidenceLine(JsonMapped):
    """One thing that happened, as an officer reads it: ``text`` is a sentence ("the SUT sent
    status 03 on document X to Y, after 01 at 10:01:40"), ``at`` the axis's time of it,
    ``seq`` its transcript event number, ``fault`` True for a fault the harness injected on
    purpose, ``xml`` the path (relative to the run's folder) of the message bytes it is about."""

    text: str
    at: datetime | None = None
    seq: int | None = None
    fault: bool = False
    xml: str | None = None

    def __post_init__(self) -> None:
        if self.at is not None:
            _aware(self.at, "at")


@dataclass(frozen=True, slots=True)
class Evidence(JsonMapped):
    """One piece of evidence for a verdict. ``kind`` is ``exchange`` (a request and what came
    back), ``transcript`` (axis events), ``finding`` (a validation finding of spec) or ``note``
    (the suite's own words); ``detail`` is any JSON value; ``seqs`` are the transcript event
    numbers it rests on; ``lines`` tell what happened in sentences (the raw ``detail`` stays
    for machines)."""

    kind: str
    summary: str
    detail: Any = None
    seqs: tuple[int, ...] = ()
    lines: tuple[EvidenceLine, ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in EVIDENCE_KINDS:
            raise ReportFormatError(f"kind={self.kind!r} must be one of {EVIDENCE_KINDS}")
        object.__setattr__(self, "seqs", tuple(self.seqs))
        object.__setattr__(self, "lines", tuple(self.lines))

    @classmethod
    def from_finding(cls, finding: Finding, seqs: tuple[int, ...] = ()) -> Evidence:
        """Evidence from a ``spec.findings.Finding``."""
        return cls(
            "finding", f"{finding.severity.value}: {finding.message}", finding.to_json(), seqs
        )


@dataclass(frozen=True, slots=True)
class RequirementResult(JsonMapped):
    """The verdict on one requirement of the profile, with its evidence, the tests that
    checked it, the waiver that excuses it (only when ``verdict`` is ``WAIVED``) and a hint to
    the vendor on how to fix a failure."""

    id: str
    title: str
    level: Level
    family: str
    source: str
    verdict: Outcome
    evidence: tuple[Evidence, ...] = ()
    tests: tuple[str, ...] = ()
    waiver: Waiver | None = None
    hint: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "level", Level(self.level))
        object.__setattr__(self, "verdict", Outcome(self.verdict))
        object.__setattr__(self, "evidence", tuple(self.evidence))
        object.__setattr__(self, "tests", tuple(self.tests))
        if (self.verdict is Outcome.WAIVED) != (self.waiver is not None):
            raise ReportFormatError(
                f"requirement {self.id!r}: a waiver goes with verdict 'waived' and only with it "
                f"(verdict={self.verdict.value!r}, waiver={self.waiver!r})"
            )
        if self.waiver is not None and self.waiver.requirement != self.id:
            raise ReportFormatError(
                f"requirement {self.id!r} carries a waiver for {self.waiver.requirement!r}"
            )

    @classmethod
    def of(
        cls,
        req_id: str,
        verdict: Outcome | str,
        *,
        evidence: tuple[Evidence, ...] | list[Evidence] = (),
        tests: tuple[str, ...] | list[str] = (),
        hint: str | None = None,
    ) -> RequirementResult:
        """A result for catalogue requirement ``req_id`` (title, level, family and source come
        from ``spec.catalogue``; raises ``UnknownRequirement`` for an id it does not list)."""
        req = requirement(req_id)
        return cls(
            req.id,
            req.title,
            req.level,
            req.family,
            req.source,
            Outcome(verdict),
            tuple(evidence),
            tuple(tests),
            None,
            hint,
        )


@dataclass(frozen=True, slots=True)
class TimelineEvent(JsonMapped):
    """One thing that happened to a document, on the lane of one receiving agency.

    ``kind``: ``sent`` (sendEdoc), ``listed`` (it appeared in the receiver's list),
    ``downloaded`` (getEdoc), ``ack`` (updateStatus; ``code`` ``done`` or ``fail``), ``status``
    (a business status; ``code`` the two-digit StatusCode as sent) or ``fault`` (an injected
    fault; ``code`` its kind). ``at`` is the axis's clock time of the event."""

    at: datetime
    receiver: str
    kind: str
    code: str | None = None
    seq: int | None = None
    note: str = ""

    def __post_init__(self) -> None:
        _aware(self.at, "at")
        if self.kind not in TIMELINE_KINDS:
            raise ReportFormatError(f"kind={self.kind!r} must be one of {TIMELINE_KINDS}")
        if self.kind == "ack" and self.code not in ACK_CODES:
            raise ReportFormatError(f"an ack event needs code in {ACK_CODES}, got {self.code!r}")
        if self.kind in ("status", "fault") and not self.code:
            raise ReportFormatError(f"a {self.kind} event needs a code, got {self.code!r}")


@dataclass(frozen=True, slots=True)
class DocumentTimeline(JsonMapped):
    """What happened to one document over time, per receiving agency; ``label`` says what the
    document was in the run (e.g. "sent by the SUT to 000.00.24.H44")."""

    json_layout: ClassVar[Layout] = Layout(order=("document_id", "label", "events"))
    document_id: str
    events: tuple[TimelineEvent, ...]
    label: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "events", tuple(sorted(self.events, key=_event_order)))

    @property
    def receivers(self) -> list[str]:
        """The lanes, in the order their first event happened."""
        return list(dict.fromkeys(e.receiver for e in self.events))


def _event_order(event: TimelineEvent) -> tuple[datetime, int]:
    return event.at, event.seq if event.seq is not None else -1


@dataclass(frozen=True, slots=True)
class Coverage(JsonWritable):
    """How many MUST requirements of the profile were tested, and which were not."""

    must_total: int
    must_tested: int
    untested: tuple[str, ...]

    @classmethod
    def of(cls, results: tuple[RequirementResult, ...]) -> Coverage:
        must = [r for r in results if r.level is Level.MUST]
        untested = tuple(r.id for r in must if r.verdict is Outcome.NOT_TESTED)
        return cls(len(must), len(must) - len(untested), untested)

    @property
    def complete(self) -> bool:
        return not self.untested


def _check_schema(data: Any) -> None:
    schema.check(schema.REPORT_SCHEMA, data, "report JSON")


@dataclass(frozen=True, slots=True)
class Report(JsonMapped):
    """One certification run. ``requirements`` holds every requirement of the profile, tested
    or not; ``conditions`` says what else shaped the verdict (overrides, mutant, waivers file,
    axis, catalogue and check digests); ``transcript_sha256`` is the head hash of the axis
    transcript chain (``axis.transcript``) after ``transcript_events`` events; ``completed`` is
    False when the run stopped early, with ``incomplete_reason``; ``expired_waivers`` are
    waivers that were offered but had expired and so did not apply, ``unused_waivers`` those
    that excused nothing (a note: the requirement passed or is outside the profile).

    Its JSON form names the format and states the verdict, its reason and the coverage; reading
    one (:meth:`from_json`) checks it against its schema and refuses a stored verdict, reason
    or coverage that is not what its requirements give."""

    json_layout: ClassVar[Layout] = Layout(
        tags={"format": FORMAT},
        extra={
            "verdict": lambda r: r.compute_verdict()[0],
            "reason": lambda r: r.compute_verdict()[1],
            "coverage": lambda r: r.coverage,
        },
        verify_extra=True,
        order=(
            "format",
            "suite_version",
            "profile",
            "seed",
            "time_scale",
            "started",
            "finished",
            "sut",
            "axis_endpoint",
            "completed",
            "incomplete_reason",
            "verdict",
            "reason",
            "coverage",
            "conditions",
            "transcript_sha256",
            "transcript_events",
            "requirements",
            "expired_waivers",
            "unused_waivers",
            "timelines",
        ),
        check=_check_schema,
        error=ReportFormatError,
        what="report",
    )
    suite_version: str
    profile: str
    seed: int
    time_scale: float
    started: datetime
    finished: datetime
    sut: SutIdentity
    axis_endpoint: str
    requirements: tuple[RequirementResult, ...]
    transcript_sha256: str
    transcript_events: int
    conditions: Conditions
    completed: bool = True
    incomplete_reason: str = ""
    timelines: tuple[DocumentTimeline, ...] = ()
    expired_waivers: tuple[Waiver, ...] = ()
    unused_waivers: tuple[Waiver, ...] = ()

    def __post_init__(self) -> None:
        _aware(self.started, "started")
        _aware(self.finished, "finished")
        if self.finished < self.started:
            raise ReportFormatError(
                f"finished={self.finished.isoformat()!r} is before started="
                f"{self.started.isoformat()!r}"
            )
        if not self.time_scale > 0:
            raise ReportFormatError(f"time_scale={self.time_scale!r} must be > 0")
        object.__setattr__(self, "time_scale", float(self.time_scale))
        if not _SHA256.fullmatch(self.transcript_sha256):
            raise ReportFormatError(
                f"transcript_sha256={self.transcript_sha256!r} must be 64 lowercase hex digits"
            )
        if self.transcript_events < 0:
            raise ReportFormatError(f"transcript_events={self.transcript_events!r} must be >= 0")
        if not self.completed and not self.incomplete_reason.strip():
            raise ReportFormatError("a run that did not complete needs an incomplete_reason")
        for name in ("requirements", "timelines", "expired_waivers", "unused_waivers"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        seen = Counter(r.id for r in self.requirements)
        doubled = sorted(i for i, n in seen.items() if n > 1)
        if doubled:
            raise ReportFormatError(f"requirements listed more than once: {doubled!r}")

    # --- what the report says ----------------------------------------------------------------

    @property
    def coverage(self) -> Coverage:
        return Coverage.of(self.requirements)

    @property
    def subject(self) -> str:
        """What was certified, as a title says it: the software (and the mutant planted in it,
        if any) and the agency."""
        mutant = self.conditions.mutant
        planted = f" with mutant {mutant}" if mutant else ""
        return f"{self.sut.software}{planted} for {self.sut.agency} ({self.sut.organ_id})"

    @property
    def verdict(self) -> Verdict:
        return self.compute_verdict()[0]

    @property
    def reason(self) -> str:
        return self.compute_verdict()[1]

    def compute_verdict(self) -> tuple[Verdict, str]:
        """The verdict and a one-sentence reason.

        NOT CERTIFIED when a MUST requirement failed (or was waived by a waiver that had expired
        by the end of the run) — a failure is conclusive even in a run that stopped early;
        otherwise INCOMPLETE when the run did not complete or a MUST requirement was not tested;
        otherwise CERTIFIED.
        """
        must = [r for r in self.requirements if r.level is Level.MUST]
        day = self.finished.astimezone(VIETNAM).date()
        failed = [r.id for r in must if r.verdict is Outcome.FAILED]
        lapsed = [
            r.id
            for r in must
            if r.verdict is Outcome.WAIVED and r.waiver is not None and not r.waiver.valid_on(day)
        ]
        if failed or lapsed:
            parts = []
            if failed:
                parts.append(f"{len(failed)} MUST requirement(s) failed: {_names(failed)}")
            if lapsed:
                parts.append(f"waiver(s) expired before the run ended: {_names(lapsed)}")
            return Verdict.NOT_CERTIFIED, "; ".join(parts)
        if not self.completed:
            return Verdict.INCOMPLETE, f"the run did not complete: {self.incomplete_reason}"
        if not must:
            return Verdict.INCOMPLETE, f"profile {self.profile!r} lists no MUST requirement"
        untested = self.coverage.untested
        if untested:
            return (
                Verdict.INCOMPLETE,
                f"{len(untested)} MUST requirement(s) were not tested: {_names(list(untested))}",
            )
        waived = sum(r.verdict is Outcome.WAIVED for r in must)
        tail = f" ({waived} of them under a waiver)" if waived else ""
        return Verdict.CERTIFIED, f"all {len(must)} MUST requirements passed{tail}"

    def counts(self) -> dict[Outcome, int]:
        """How many requirements have each outcome (every outcome present, zero or not)."""
        found = Counter(r.verdict for r in self.requirements)
        return {o: found[o] for o in Outcome}

    def result(self, req_id: str) -> RequirementResult:
        """The result for ``req_id``; raises ``KeyError`` naming it when the profile lacks it."""
        for r in self.requirements:
            if r.id == req_id:
                return r
        raise KeyError(f"requirement {req_id!r} is not in this report (profile {self.profile!r})")

    def with_results(self, results: tuple[RequirementResult, ...], **changes: Any) -> Report:
        """A copy with ``results`` replacing the requirements of the same ids."""
        by_id = {r.id: r for r in results}
        unknown = sorted(set(by_id) - {r.id for r in self.requirements})
        if unknown:
            raise KeyError(f"requirements {unknown!r} are not in this report")
        merged = tuple(by_id.get(r.id, r) for r in self.requirements)
        return replace(self, requirements=merged, **changes)

    def dumps(self) -> str:
        """The report as the JSON text written to ``report.json`` (stable: same report, same
        text)."""
        return json.dumps(self.to_json(), ensure_ascii=False, indent=2) + "\n"

    @classmethod
    def loads(cls, text: str | bytes) -> Report:
        """Read a report from its JSON text; raises ``ReportFormatError`` for text that is not
        JSON."""
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise ReportFormatError(f"report is not JSON: {exc}") from exc
        return cls.from_json(data)
