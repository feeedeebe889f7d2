"""The reports' JSON forms: any report, run index or certificate the model can hold is written
as JSON its schema accepts and reads back equal (Hypothesis, through spec.jsonmap)."""

from __future__ import annotations

import json
import string
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reports.certificate_document import (
    AxisPart,
    CertificateDocument,
    PartyPart,
    ProfilePart,
    RunPart,
    SignerPart,
    SoftwarePart,
    SuitePart,
    TranscriptPart,
    WaiversPart,
)
from reports.model import (
    Conditions,
    DocumentTimeline,
    Evidence,
    EvidenceLine,
    Outcome,
    Report,
    RequirementResult,
    SutIdentity,
    TimelineEvent,
    Verdict,
    Waiver,
)
from reports.run_index import RunIndex
from spec import schemas
from spec.catalogue import catalogue
from spec.clock import VIETNAM

IDS = sorted(catalogue())
ZONES = st.sampled_from([VIETNAM, UTC, timezone(timedelta(hours=-5))])

words = st.text(min_size=1, max_size=20)
maybe_words = st.none() | words
sha256 = st.text("0123456789abcdef", min_size=64, max_size=64)
moments = st.datetimes(datetime(2000, 1, 1), datetime(2099, 12, 31), timezones=ZONES)
days = st.dates(date(2000, 1, 1), date(2099, 12, 31))
seqs = st.integers(1, 10**6)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)
overrides = st.fixed_dictionaries(
    {},
    optional={
        "require_signature": st.booleans(),
        "requirements": st.lists(st.sampled_from(IDS), min_size=1, max_size=3, unique=True),
        "time_scale": st.floats(0.5, 1000),
        "exploration_examples": st.integers(0, 50),
        "seed": st.integers(0, 2**31),
    },
)
waivers = st.builds(Waiver, st.sampled_from(IDS), words, days, words)


def _fits(data: Any, schema: str) -> Any:
    """``data`` as a file holds it, checked against ``schema``."""
    data = json.loads(json.dumps(data, ensure_ascii=False))
    schemas.validator(schema).validate(data)
    return data


@st.composite
def results(draw: st.DrawFn) -> tuple[RequirementResult, ...]:
    ids = draw(st.lists(st.sampled_from(IDS), min_size=1, max_size=6, unique=True))
    out = []
    for req_id in ids:
        verdict = draw(st.sampled_from(Outcome))
        result = RequirementResult.of(
            req_id,
            Outcome.PASSED,
            evidence=draw(st.lists(evidence, max_size=2)),
            tests=draw(st.lists(words, max_size=2)),
            hint=draw(maybe_words),
        )
        waiver = Waiver(req_id, draw(words), draw(days), draw(words))
        result = replace(
            result, verdict=verdict, waiver=waiver if verdict is Outcome.WAIVED else None
        )
        out.append(result)
    return tuple(out)


evidence_lines = st.builds(
    EvidenceLine, words, st.none() | moments, st.none() | seqs, st.booleans(), maybe_words
)
evidence = st.builds(
    Evidence,
    st.sampled_from(["transcript", "finding", "note", "exchange"]),
    words,
    json_values,
    st.lists(seqs, max_size=3).map(tuple),
    st.lists(evidence_lines, max_size=2).map(tuple),
)


@st.composite
def timeline_events(draw: st.DrawFn) -> TimelineEvent:
    kind = draw(st.sampled_from(["sent", "listed", "downloaded", "ack", "status", "fault"]))
    code = {"ack": st.sampled_from(["done", "fail"]), "status": words, "fault": words}.get(
        kind, maybe_words
    )
    return TimelineEvent(
        draw(moments), draw(words), kind, draw(code), draw(st.none() | seqs), draw(st.text())
    )


timelines = st.builds(
    DocumentTimeline, words, st.lists(timeline_events(), max_size=3).map(tuple), st.text()
)
sut_identities = st.builds(
    SutIdentity,
    words,
    words,
    words,
    maybe_words,
    st.text(max_size=5),
    st.sampled_from(["http", "manual", "reference"]),
    words,
    words,
    words,
)
conditions = st.builds(
    Conditions,
    st.booleans(),
    overrides,
    st.integers(0, 50),
    maybe_words,
    st.sampled_from(["in-process", "external"]),
    maybe_words,
    st.none() | sha256,
    sha256,
    sha256,
)


@st.composite
def reports(draw: st.DrawFn) -> Report:
    started = draw(moments)
    completed = draw(st.booleans())
    return Report(
        suite_version=draw(words),
        profile=draw(words),
        seed=draw(st.integers(0, 2**31)),
        time_scale=draw(st.floats(0.01, 1e4)),
        started=started,
        finished=started + draw(st.timedeltas(timedelta(0), timedelta(days=2))),
        sut=draw(sut_identities),
        axis_endpoint=draw(st.text(max_size=30)),
        requirements=draw(results()),
        transcript_sha256=draw(sha256),
        transcript_events=draw(st.integers(0, 10**6)),
        conditions=draw(conditions),
        completed=completed,
        incomplete_reason="" if completed else draw(words.filter(str.strip)),
        timelines=tuple(draw(st.lists(timelines, max_size=2))),
        expired_waivers=tuple(draw(st.lists(waivers, max_size=2))),
        unused_waivers=tuple(draw(st.lists(waivers, max_size=2))),
    )


@pytest.mark.slow
@settings(max_examples=60, deadline=None)
@given(reports())
def test_a_report_validates_against_its_schema_and_reads_back_equal(report: Report) -> None:
    data = _fits(report.to_json(), "certification-report")
    assert Report.from_json(data) == report
    assert Report.loads(report.dumps()).dumps() == report.dumps()


run_indexes = st.builds(
    RunIndex,
    st.from_regex(r"\A[a-z][a-z0-9-]{0,10}\Z"),
    words,
    moments,
    st.none() | st.integers(0, 2**31),
    st.text(st.characters(blacklist_characters="\n"), max_size=30),
    maybe_words,
    st.from_regex(r"\A[a-z]{1,8}(/[a-z]{1,8}){0,2}\.html\Z"),
)


@given(run_indexes)
def test_a_run_index_validates_against_its_schema_and_reads_back_equal(index: RunIndex) -> None:
    assert RunIndex.from_json(_fits(index.to_json(), "run-index")) == index


def _b64(size: int) -> st.SearchStrategy[str]:
    return st.text(string.ascii_letters + string.digits + "+/", min_size=size, max_size=size)


certificates = st.builds(
    CertificateDocument,
    verdict=st.sampled_from(Verdict),
    reason=words,
    party=st.builds(PartyPart, words, words, words),
    software=st.builds(
        SoftwarePart,
        words,
        words,
        words,
        maybe_words,
        st.text(max_size=5),
        st.sampled_from(["http", "manual", "reference"]),
    ),
    profile=st.builds(
        ProfilePart,
        words,
        st.booleans(),
        overrides,
        st.lists(st.sampled_from(IDS), max_size=4).map(tuple),
        st.integers(0, 99),
        st.integers(0, 99),
        st.integers(0, 99),
    ),
    mutant=maybe_words,
    waivers=st.builds(
        WaiversPart,
        st.none() | sha256,
        *(st.lists(waivers, max_size=2).map(tuple) for _ in range(3)),
    ),
    suite=st.builds(SuitePart, words, sha256, sha256),
    run=st.builds(
        RunPart,
        st.integers(0, 2**31),
        st.floats(0.01, 1e4),
        st.integers(0, 50),
        moments,
        moments,
        st.booleans(),
    ),
    axis=st.builds(AxisPart, st.sampled_from(["in-process", "external"]), st.text(max_size=20)),
    transcript=st.builds(TranscriptPart, sha256, st.integers(0, 10**6)),
    officer=maybe_words,
    report_sha256=sha256,
    issued=moments,
    valid_from=days,
    valid_until=st.none() | days,
    signer=st.builds(SignerPart, st.just("Ed25519"), _b64(43).map(lambda k: k + "="), sha256),
    signature=_b64(86).map(lambda s: s + "=="),
)


@settings(max_examples=60)
@given(certificates)
def test_a_certificate_validates_against_its_schema_and_reads_back_equal(
    certificate: CertificateDocument,
) -> None:
    assert CertificateDocument.from_json(_fits(certificate.to_json(), "certificate")) == certificate
