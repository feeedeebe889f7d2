"""The adapter contract's bodies: any value of its types is written as a body its schema
accepts and reads back equal (Hypothesis, through spec.jsonmap)."""

from __future__ import annotations

import json
from datetime import date
from typing import Literal, get_args

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conformance import contract
from conformance.contract.types import (
    ACTION_STATUS,
    Action,
    ActionResult,
    Attachment,
    Business,
    ClockSettings,
    Configuration,
    DocumentRequest,
    RecipientState,
    RecordedStatus,
    RegisteredDocument,
    SentDocument,
    SigningCredentials,
    SutIdentity,
    TakeBackAnswer,
    TakeBackRequest,
)
from spec.business_kinds import KindWord
from spec.jsonmap import JsonMapped
from spec.lifecycle import State
from spec.status_codes import StatusCode

organ_ids = st.from_regex(r"\A[0-9]{3}\.[0-9]{2}\.[0-9]{2}\.[A-Z][0-9]{2}\Z")
words = st.text(min_size=1, max_size=30)
maybe_words = st.none() | words
reasons = st.text(min_size=1, max_size=60)
document_ids = st.text(min_size=1, max_size=80)
states = st.sampled_from([s.value for s in State])
kinds: st.SearchStrategy[KindWord] = st.sampled_from(get_args(KindWord))
timestamps = (
    st.datetimes().map(lambda t: t.strftime("%Y/%m/%d %H:%M:%S")).filter(lambda t: len(t) == 19)
)


def _round_trip(value: JsonMapped, schema: str) -> None:
    body = json.loads(json.dumps(value.to_json()))
    contract.validate(schema, body)
    assert type(value).from_json(body) == value


identities = st.builds(
    SutIdentity,
    product=words,
    vendor=words,
    version=words,
    contract_version=st.from_regex(r"\A1\.[0-9]{1,2}\Z"),
    capabilities=st.frozensets(
        st.sampled_from(
            ["registered", "reset", "take-back", "business-kinds", "signature", "clock"]
        )
    ),
    configured=st.booleans(),
    organ_id=st.none() | organ_ids,
    system_id=maybe_words,
    build=st.none() | st.from_regex(r"\A[a-z0-9][a-z0-9 .-]{0,20}[a-z0-9]\Z"),
)


@pytest.mark.slow
@given(identities)
def test_info_round_trips(identity: SutIdentity) -> None:
    _round_trip(identity, "info.response")


configurations = st.builds(
    Configuration,
    axis_endpoint=st.from_regex(r"\Ahttps?://[a-z0-9.:]{1,20}\Z"),
    system_id=words,
    secret=words,
    organ_id=organ_ids,
    ca_pem=maybe_words,
    signing=st.none() | st.builds(SigningCredentials, words, words),
    require_signature=st.booleans(),
    clock=st.none() | st.builds(ClockSettings, st.floats(0.1, 1e4), timestamps),
    poll_interval=st.none() | st.floats(0.1, 600),
)


@given(configurations)
def test_configuration_round_trips(configuration: Configuration) -> None:
    _round_trip(configuration, "configure.request")


@st.composite
def businesses(draw: st.DrawFn) -> Business:
    kind: Literal["revoke", "update", "replace"] = draw(
        st.sampled_from(("revoke", "update", "replace"))
    )
    update = kind == "update"
    return Business(
        kind,
        draw(document_ids),
        draw(reasons),
        draw(st.booleans()) if update else False,
        tuple(draw(st.lists(organ_ids, max_size=2))) if update else (),
        tuple(draw(st.lists(organ_ids, max_size=2))) if update else (),
    )


requests = st.builds(
    DocumentRequest,
    to=st.lists(organ_ids, min_size=1, max_size=3, unique=True).map(tuple),
    subject=words,
    attachments=st.lists(
        st.builds(Attachment, words, st.binary(max_size=40), maybe_words, maybe_words), max_size=2
    ).map(tuple),
    content=maybe_words,
    type_name=maybe_words,
    code_number=st.none() | st.text(min_size=1, max_size=11),
    code_notation=maybe_words,
    steering_type=st.none() | st.sampled_from([0, 1, 2]),
    due_date=st.none() | st.dates(date(1000, 1, 1)),
    business=st.none() | businesses(),
)


@given(requests)
def test_send_request_round_trips(request: DocumentRequest) -> None:
    _round_trip(request, "send.request")


sent = st.builds(
    SentDocument,
    document_id=document_ids,
    to=st.lists(organ_ids, max_size=3).map(tuple),
    business_kind=kinds,
    code=maybe_words,
    promulgation_date=maybe_words,
    axis_doc_id=maybe_words,
)


@given(sent)
def test_send_response_round_trips(document: SentDocument) -> None:
    _round_trip(document, "send.response")


@given(document_ids, st.sampled_from(Action), states)
def test_action_response_round_trips(document_id: str, action: Action, state: str) -> None:
    _round_trip(ActionResult(document_id, ACTION_STATUS[action], state, action), "action.response")


@given(st.builds(TakeBackRequest, organ_ids, reasons))
def test_take_back_request_round_trips(request: TakeBackRequest) -> None:
    _round_trip(request, "take-back.request")


@given(st.booleans(), st.none() | organ_ids, reasons)
def test_take_back_answer_round_trips(agree: bool, requester: str | None, reason: str) -> None:
    _round_trip(TakeBackAnswer(agree, requester, reason), "take-back-answer.request")
    if agree:
        _round_trip(TakeBackAnswer(agree, requester), "take-back-answer.request")


statuses = st.builds(
    RecordedStatus,
    st.sampled_from([c.value for c in StatusCode]),
    organ_ids,
    organ_ids,
    maybe_words,
    maybe_words,
    st.none() | st.sampled_from(["sent", "received"]),
)


@st.composite
def registered(draw: st.DrawFn) -> RegisteredDocument:
    direction: Literal["received", "sent"] = draw(st.sampled_from(("received", "sent")))
    recipients = st.builds(RecipientState, organ_ids, states, st.booleans())
    return RegisteredDocument(
        document_id=draw(document_ids),
        direction=direction,
        sender=draw(organ_ids),
        recipients=tuple(draw(st.lists(organ_ids, max_size=3))),
        subject=draw(st.text(max_size=30)),
        code=draw(maybe_words),
        promulgation_date=draw(maybe_words),
        business_kind=draw(kinds),
        state=draw(st.none() | states),
        recipient_states=tuple(draw(st.lists(recipients, max_size=3)))
        if direction == "sent"
        else (),
        revoked=draw(st.booleans()),
        withdrawn=draw(st.booleans()),
        take_back_pending=draw(st.booleans()),
        axis_doc_ids=tuple(draw(st.lists(words, max_size=2))),
        statuses=tuple(draw(st.lists(statuses, max_size=3))),
    )


@pytest.mark.slow
@given(registered())
def test_registered_document_round_trips(document: RegisteredDocument) -> None:
    _round_trip(document, "document.response")


def test_the_wire_form_keeps_its_shape() -> None:
    """Keys the contract has always had, in their order: optional ones left out when unset,
    update-only business keys only for an update, per-recipient states only when sent."""
    revoke = Business("revoke", "D", "why")
    assert revoke.to_json() == {"kind": "revoke", "originalDocumentId": "D", "reason": "why"}
    assert list(Business("update", "D", "why").to_json())[3:] == [
        "documentInfoChanged",
        "receiversAdded",
        "receiversRemoved",
    ]
    request = DocumentRequest(("000.00.00.H41",), "s", due_date=date(2025, 3, 14))
    assert request.to_json() == {
        "to": ["000.00.00.H41"],
        "subject": "s",
        "dueDate": "2025/03/14",
        "attachments": [],
    }
    received = RegisteredDocument("D", "received", "000.00.00.H41", ("000.00.00.H42",), "s")
    assert "recipients" not in received.to_json()
    assert list(SentDocument("D", ()).to_json()) == [
        "documentId",
        "code",
        "promulgationDate",
        "to",
        "businessKind",
        "axisDocId",
    ]
    assert next(iter(SutIdentity("p", "v", "1", "1.1").to_json())) == "contractVersion"
