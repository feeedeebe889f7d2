"""Tests of spec.lifecycle: each rule and its explanation, against an independent model."""

from __future__ import annotations

import datetime
import re
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

import spec.lifecycle
from spec.catalogue import Level, catalogue
from spec.errors import SpecError
from spec.lifecycle import (
    RULE_IDS,
    Lifecycle,
    LifecycleBook,
    Rejection,
    State,
    TransitionRejected,
    check_first_report,
    check_sequence,
    receiver_of,
)
from spec.status_codes import StatusCode

T0 = datetime.datetime(2024, 3, 1, 8, 0, 0)


def codes(text: str) -> list[StatusCode]:
    return [StatusCode.parse(c) for c in text.split()]


def lifecycle(text: str) -> Lifecycle:
    return Lifecycle.replay((c, None) for c in codes(text))


# -- an independent model of the rules ---------------------------------------------------------
# It reads the rules straight off the history by counting and searching, with no state
# machine, and returns every rule a status would break (the implementation reports one).

FORWARD = ["01", "03", "04", "05", "06"]


def model_violations(
    history: list[str], last_ts: datetime.datetime | None, code: str, ts: datetime.datetime | None
) -> set[str]:
    broken = set()
    requests = history.count("13")
    answers = history.count("15") + history.count("16")
    if "15" in history:
        broken.add("LC-WITHDRAWN-FINAL")
    if code in FORWARD:
        if "02" in history:
            broken.add("LC-NOTHING-AFTER-REFUSAL")
        if code in history:
            broken.add("LC-NO-REPEAT")
        if any(h in FORWARD and FORWARD.index(h) > FORWARD.index(code) for h in history):
            broken.add("LC-FORWARD-ONLY")
    elif code == "02":
        if "02" in history:
            broken.add("LC-NO-REPEAT")
        if any(h in ("03", "04", "05", "06") for h in history):
            broken.add("LC-REFUSAL-BEFORE-ACCEPT")
    elif code == "13":
        if "06" in history:
            broken.add("LC-TAKE-BACK-BEFORE-COMPLETE")
        if "02" in history:
            broken.add("LC-NOTHING-AFTER-REFUSAL")
        if requests > answers:
            broken.add("LC-TAKE-BACK-ONE-AT-A-TIME")
    elif requests == 0:
        broken.add("LC-ANSWER-NEEDS-REQUEST")
    elif requests == answers:
        broken.add("LC-TAKE-BACK-ANSWER-ONCE")
    if ts is not None and last_ts is not None and ts < last_ts:
        broken.add("LC-TIMESTAMP-ORDER")
    return broken


def model_state(history: list[str]) -> State:
    if "15" in history:
        return State.WITHDRAWN
    if "02" in history:
        return State.REFUSED
    reached = [h for h in history if h in FORWARD]
    names = ["ARRIVED", "ACCEPTED", "ASSIGNED", "PROCESSING", "COMPLETED"]
    return State[names[FORWARD.index(reached[-1])]] if reached else State.NEW


def model_pending(history: list[str]) -> bool:
    return history.count("13") > history.count("15") + history.count("16")


def assert_agrees(lc: Lifecycle, code: StatusCode, ts: datetime.datetime | None) -> None:
    history = [c.value for c in lc.codes]
    expected = model_violations(history, lc.last_timestamp, code.value, ts)
    rejection = lc.check(code, ts)
    if expected:
        assert rejection is not None, (history, code, ts, expected)
        assert rejection.rule_id in expected, (history, code, rejection, expected)
        assert rejection.code is code
        assert rejection.previous == lc.codes
    else:
        assert rejection is None, (history, code, ts, rejection)


# -- explanations, one per rule ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("history", "code", "rule_id", "message"),
    [
        (
            "01 03 05",
            "04",
            "LC-FORWARD-ONLY",
            "04 after 05: the forward path 01→03→04→05→06 never goes back (earlier: 01, 03, 05)",
        ),
        (
            "03",
            "01",
            "LC-FORWARD-ONLY",
            "01 after 03: the forward path 01→03→04→05→06 never goes back (earlier: 03)",
        ),
        (
            "01 03",
            "03",
            "LC-NO-REPEAT",
            "03 again: a status code is never repeated (earlier: 01, 03)",
        ),
        ("01", "01", "LC-NO-REPEAT", "01 again: a status code is never repeated (earlier: 01)"),
        ("02", "02", "LC-NO-REPEAT", "02 again: a status code is never repeated (earlier: 02)"),
        (
            "01 03",
            "02",
            "LC-REFUSAL-BEFORE-ACCEPT",
            "02 after 03: a document can be refused only before it is accepted (03) "
            "(earlier: 01, 03)",
        ),
        (
            "06",
            "02",
            "LC-REFUSAL-BEFORE-ACCEPT",
            "02 after 06: a document can be refused only before it is accepted (03) (earlier: 06)",
        ),
        (
            "01 02",
            "03",
            "LC-NOTHING-AFTER-REFUSAL",
            "03 after 02: a refused document gets no further forward status (earlier: 01, 02)",
        ),
        (
            "02",
            "13",
            "LC-NOTHING-AFTER-REFUSAL",
            "13 after 02: a refused document was never registered, there is nothing to take back "
            "(earlier: 02)",
        ),
        (
            "01 03 06",
            "13",
            "LC-TAKE-BACK-BEFORE-COMPLETE",
            "13 after 06: a take-back must be requested before the document is completed "
            "(earlier: 01, 03, 06)",
        ),
        (
            "01 13",
            "13",
            "LC-TAKE-BACK-ONE-AT-A-TIME",
            "13 while an earlier 13 waits for its answer: the receiver answers one request "
            "(15 or 16) before the sender asks again (earlier: 01, 13)",
        ),
        (
            "01",
            "15",
            "LC-ANSWER-NEEDS-REQUEST",
            "15 without a 13: the receiver answers only a take-back request that waits "
            "(earlier: 01)",
        ),
        (
            "",
            "16",
            "LC-ANSWER-NEEDS-REQUEST",
            "16 without a 13: the receiver answers only a take-back request that waits "
            "(earlier: none)",
        ),
        (
            "01 13 16",
            "15",
            "LC-TAKE-BACK-ANSWER-ONCE",
            "15 after 16: the take-back request was already answered, each request gets exactly "
            "one answer (earlier: 01, 13, 16)",
        ),
        (
            "01 13 16",
            "16",
            "LC-TAKE-BACK-ANSWER-ONCE",
            "16 after 16: the take-back request was already answered, each request gets exactly "
            "one answer (earlier: 01, 13, 16)",
        ),
        (
            "01 13 15",
            "03",
            "LC-WITHDRAWN-FINAL",
            "03 after 15: the document was withdrawn (take-back agreed), nothing may follow "
            "(earlier: 01, 13, 15)",
        ),
        (
            "13 15",
            "13",
            "LC-WITHDRAWN-FINAL",
            "13 after 15: the document was withdrawn (take-back agreed), nothing may follow "
            "(earlier: 13, 15)",
        ),
        (
            "13 15",
            "16",
            "LC-WITHDRAWN-FINAL",
            "16 after 15: the document was withdrawn (take-back agreed), nothing may follow "
            "(earlier: 13, 15)",
        ),
    ],
)
def test_each_rule_explains_itself(history: str, code: str, rule_id: str, message: str) -> None:
    lc = lifecycle(history)
    rejection = lc.check(StatusCode.parse(code))
    assert rejection == Rejection(rule_id, message, StatusCode.parse(code), tuple(codes(history)))
    assert str(rejection) == f"{rule_id}: {message}"


@pytest.mark.parametrize(
    "history",
    [
        "01 03 04 05 06",
        "03 06",
        "06",
        "01 02",
        "02",
        "01 13 16 03 13 16 05 13 15",
        "13 01 03 16 04",
        "01 13 06 16",  # 06 may come while a take-back waits for its answer
        "01 13 06 15",
        "01 13 02 16",  # a request made before the refusal may still be answered
        "13",
        "13 15",
    ],
)
def test_legal_sequences_are_accepted(history: str) -> None:
    assert check_sequence((c, None) for c in codes(history)) == []
    assert lifecycle(history).codes == tuple(codes(history))


# -- timestamps -------------------------------------------------------------------------------


def test_equal_timestamps_are_allowed_and_earlier_ones_rejected() -> None:
    lc = Lifecycle()
    lc.apply(StatusCode.ARRIVED, T0)
    lc.apply(StatusCode.ACCEPTED, T0)
    rejection = lc.check(StatusCode.ASSIGNED, T0 - timedelta(seconds=1))
    assert rejection == Rejection(
        "LC-TIMESTAMP-ORDER",
        "04 at 2024/03/01 07:59:59 is earlier than 03 at 2024/03/01 08:00:00: a document's "
        "status timestamps never decrease (earlier: 01, 03)",
        StatusCode.ASSIGNED,
        (StatusCode.ARRIVED, StatusCode.ACCEPTED),
    )


def test_a_status_without_timestamp_is_not_compared_and_does_not_reset_the_order() -> None:
    lc = Lifecycle()
    lc.apply(StatusCode.ARRIVED, T0 + timedelta(hours=1))
    lc.apply(StatusCode.ACCEPTED, None)
    assert lc.last_timestamp == T0 + timedelta(hours=1)
    rejection = lc.check(StatusCode.ASSIGNED, T0)
    assert rejection is not None
    assert rejection.rule_id == "LC-TIMESTAMP-ORDER"
    assert "earlier than 01 at 2024/03/01 09:00:00" in rejection.message


def test_a_rejected_status_does_not_move_the_clock() -> None:
    lc = Lifecycle()
    lc.apply(StatusCode.ARRIVED, T0)
    with pytest.raises(TransitionRejected):
        lc.apply(StatusCode.ARRIVED, T0 + timedelta(days=1))
    lc.apply(StatusCode.ACCEPTED, T0 + timedelta(minutes=1))
    assert lc.last_timestamp == T0 + timedelta(minutes=1)


def test_a_transition_rule_is_reported_before_the_timestamp_rule() -> None:
    lc = Lifecycle()
    lc.apply(StatusCode.PROCESSING, T0)
    rejection = lc.check(StatusCode.ACCEPTED, T0 - timedelta(days=1))
    assert rejection is not None and rejection.rule_id == "LC-FORWARD-ONLY"


# -- apply, check, summaries ----------------------------------------------------------------


def test_apply_raises_with_the_rejection_and_records_nothing() -> None:
    lc = lifecycle("01 03 05")
    with pytest.raises(TransitionRejected) as info:
        lc.apply(StatusCode.ASSIGNED, T0)
    assert isinstance(info.value, SpecError) and isinstance(info.value, ValueError)
    assert info.value.rejection.rule_id == "LC-FORWARD-ONLY"
    assert str(info.value) == str(info.value.rejection)
    assert lc.codes == tuple(codes("01 03 05"))
    assert lc.last_timestamp is None


def test_check_changes_nothing() -> None:
    lc = lifecycle("01 13")
    before = (lc.history, lc.state, lc.pending_take_back, lc.allowed_next())
    assert lc.check(StatusCode.TAKE_BACK_AGREED, T0) is None
    assert lc.check(StatusCode.ARRIVED, T0) is not None
    assert (lc.history, lc.state, lc.pending_take_back, lc.allowed_next()) == before


def test_check_refuses_text_with_a_clear_type_error() -> None:
    with pytest.raises(TypeError, match=r"code='01' must be a StatusCode"):
        Lifecycle().check("01")  # type: ignore[arg-type]


def test_history_keeps_timestamps() -> None:
    lc = Lifecycle()
    lc.apply(StatusCode.ARRIVED, T0)
    lc.apply(StatusCode.COMPLETED)
    assert lc.history == ((StatusCode.ARRIVED, T0), (StatusCode.COMPLETED, None))
    assert len(lc) == 2


def test_repr_replays_to_an_equal_lifecycle() -> None:
    lc = Lifecycle()
    lc.apply(StatusCode.ARRIVED, T0)
    lc.apply(StatusCode.TAKE_BACK_REQUESTED, None)
    again = eval(repr(lc), {"Lifecycle": Lifecycle, "StatusCode": StatusCode, "datetime": datetime})
    assert again.history == lc.history
    assert again.state is lc.state and again.pending_take_back


def test_replay_stops_at_the_first_rejection() -> None:
    with pytest.raises(TransitionRejected, match="LC-NO-REPEAT"):
        Lifecycle.replay([(StatusCode.ARRIVED, None), (StatusCode.ARRIVED, None)])


@pytest.mark.parametrize(
    ("history", "state", "pending", "withdrawn", "finished"),
    [
        ("", State.NEW, False, False, False),
        ("13", State.NEW, True, False, False),
        ("01", State.ARRIVED, False, False, False),
        ("01 03", State.ACCEPTED, False, False, False),
        ("04", State.ASSIGNED, False, False, False),
        ("01 05", State.PROCESSING, False, False, False),
        ("01 03 06", State.COMPLETED, False, False, True),
        ("01 13 06", State.COMPLETED, True, False, False),
        ("01 13 06 16", State.COMPLETED, False, False, True),
        ("01 02", State.REFUSED, False, False, True),
        ("13 02", State.REFUSED, True, False, False),
        ("01 13 15", State.WITHDRAWN, False, True, True),
        ("13 02 15", State.WITHDRAWN, False, True, True),
        ("01 13 16", State.ARRIVED, False, False, False),
    ],
)
def test_summaries(
    history: str, state: State, pending: bool, withdrawn: bool, finished: bool
) -> None:
    lc = lifecycle(history)
    assert (lc.state, lc.pending_take_back, lc.withdrawn, lc.finished) == (
        state,
        pending,
        withdrawn,
        finished,
    )


@pytest.mark.parametrize(
    ("history", "allowed"),
    [
        ("", "01 02 03 04 05 06 13"),
        ("01", "02 03 04 05 06 13"),
        ("01 03", "04 05 06 13"),
        ("01 03 13", "04 05 06 15 16"),
        ("05", "06 13"),
        ("06", ""),
        ("02", ""),
        ("13 02", "15 16"),
        ("13 15", ""),
        ("13 16", "01 02 03 04 05 06 13"),
    ],
)
def test_allowed_next(history: str, allowed: str) -> None:
    lc = lifecycle(history)
    assert lc.allowed_next() == frozenset(codes(allowed))
    assert lc.allowed_next() == frozenset(c for c in StatusCode if lc.check(c) is None)


def test_check_sequence_goes_on_after_a_rejection() -> None:
    events = [
        (StatusCode.ARRIVED, T0),
        (StatusCode.PROCESSING, T0 + timedelta(hours=2)),
        (StatusCode.ACCEPTED, T0 + timedelta(hours=3)),  # goes back: rejected, not applied
        (StatusCode.COMPLETED, T0 + timedelta(hours=1)),  # earlier than 05
        (StatusCode.COMPLETED, T0 + timedelta(hours=4)),
        (StatusCode.TAKE_BACK_AGREED, T0 + timedelta(hours=5)),
    ]
    rejections = check_sequence(events)
    assert [(r.rule_id, r.code.value, r.previous) for r in rejections] == [
        ("LC-FORWARD-ONLY", "03", tuple(codes("01 05"))),
        ("LC-TIMESTAMP-ORDER", "06", tuple(codes("01 05"))),
        ("LC-ANSWER-NEEDS-REQUEST", "15", tuple(codes("01 05 06"))),
    ]


def test_check_sequence_of_nothing() -> None:
    assert check_sequence([]) == []


# -- the book ---------------------------------------------------------------------------------


def test_book_keeps_one_lifecycle_per_document_and_receiver() -> None:
    book = LifecycleBook()
    assert book.record("doc-1", "000.00.00.H44", StatusCode.ARRIVED, T0) is None
    assert book.record("doc-1", "000.00.00.H41", StatusCode.ARRIVED, T0) is None
    assert book.record("doc-2", "000.00.00.H44", StatusCode.ACCEPTED, T0) is None
    again = book.record("doc-1", "000.00.00.H44", StatusCode.ARRIVED, T0)
    assert again is not None and again.rule_id == "LC-NO-REPEAT"
    assert len(book) == 3
    assert ("doc-1", "000.00.00.H44") in book
    assert set(book) == {
        ("doc-1", "000.00.00.H44"),
        ("doc-1", "000.00.00.H41"),
        ("doc-2", "000.00.00.H44"),
    }
    assert book.lifecycle("doc-1", "000.00.00.H44").codes == (StatusCode.ARRIVED,)
    assert dict(book.items())[("doc-2", "000.00.00.H44")].state is State.ACCEPTED


def test_book_lifecycle_of_an_unknown_pair_is_new_and_kept() -> None:
    book = LifecycleBook()
    lc = book.lifecycle("doc-9", "000.00.00.G22")
    assert lc.state is State.NEW and len(lc) == 0
    lc.apply(StatusCode.ARRIVED)
    assert book.lifecycle("doc-9", "000.00.00.G22").codes == (StatusCode.ARRIVED,)


def test_book_does_not_record_a_rejected_status() -> None:
    book = LifecycleBook()
    book.record("d", "r", StatusCode.ARRIVED, T0)
    assert book.record("d", "r", StatusCode.ACCEPTED, T0 - timedelta(1)) is not None
    assert book.lifecycle("d", "r").codes == (StatusCode.ARRIVED,)


def test_receiver_of_follows_who_sends_the_code() -> None:
    assert receiver_of(StatusCode.ARRIVED, "R", "S") == "R"
    assert receiver_of(StatusCode.TAKE_BACK_AGREED, "R", "S") == "R"
    assert receiver_of(StatusCode.TAKE_BACK_REQUESTED, "S", "R") == "R"


# -- first report ------------------------------------------------------------------------------

BOUND = timedelta(minutes=15)


def _first(events: list[tuple[str, timedelta]], now: timedelta) -> list[tuple[str, str]]:
    lc = Lifecycle.replay((StatusCode.parse(c), T0 + at) for c, at in events)
    found = check_first_report(lc, downloaded_at=T0, now=T0 + now, bound=BOUND)
    return [(r.rule_id, r.code.value) for r in found]


def test_first_report_in_time() -> None:
    assert _first([("01", BOUND)], now=timedelta(days=1)) == []
    assert _first([("02", timedelta(0))], now=timedelta(days=1)) == []


def test_first_report_late() -> None:
    lc = Lifecycle.replay([(StatusCode.ARRIVED, T0 + BOUND + timedelta(seconds=1))])
    [late] = check_first_report(lc, downloaded_at=T0, now=T0 + timedelta(days=1), bound=BOUND)
    assert late.rule_id == "LC-FIRST-ARRIVED-TIMELY"
    assert late.message == (
        "01 at 2024/03/01 08:15:01 came 0:15:01 after the download at 2024/03/01 08:00:00, "
        "later than the bound 0:15:00 (earlier: 01)"
    )


def test_no_first_report_yet() -> None:
    assert _first([], now=BOUND) == []
    assert _first([], now=BOUND + timedelta(seconds=1)) == [("LC-FIRST-ARRIVED-TIMELY", "01")]
    # a take-back request is the sender's, not a report of the receiver
    assert _first([("13", timedelta(0))], now=timedelta(hours=1)) == [
        ("LC-FIRST-ARRIVED-TIMELY", "01")
    ]


def test_first_report_that_skips_01() -> None:
    assert _first([("03", timedelta(minutes=1))], now=timedelta(hours=1)) == [
        ("LC-FIRST-REPORT-ARRIVED", "03")
    ]
    assert _first([("13", timedelta(0)), ("05", timedelta(hours=1))], now=timedelta(hours=1)) == [
        ("LC-FIRST-ARRIVED-TIMELY", "05"),
        ("LC-FIRST-REPORT-ARRIVED", "05"),
    ]


def test_first_report_without_timestamp_is_not_late() -> None:
    lc = Lifecycle.replay([(StatusCode.ARRIVED, None)])
    assert check_first_report(lc, downloaded_at=T0, now=T0 + timedelta(days=9), bound=BOUND) == []


def test_first_report_refuses_a_negative_bound() -> None:
    with pytest.raises(ValueError, match=r"bound=datetime.timedelta\(days=-1"):
        check_first_report(Lifecycle(), downloaded_at=T0, now=T0, bound=timedelta(days=-1))


# -- the catalogue ---------------------------------------------------------------------------


def test_every_rule_id_in_the_code_is_in_the_catalogue() -> None:
    source = Path(spec.lifecycle.__file__).read_text("utf-8")
    in_source = set(re.findall(r"\bLC-[A-Z0-9-]*[A-Z0-9]\b", source))
    assert in_source == set(RULE_IDS)
    known = catalogue()
    for rule_id in RULE_IDS:
        assert rule_id in known, rule_id
        assert known[rule_id].family == "lifecycle"
        assert not known[rule_id].retired


def test_lifecycle_catalogue_entries_are_complete() -> None:
    family = [r for r in catalogue().values() if r.family == "lifecycle"]
    assert all(r.id.startswith("LC-") for r in family)
    assert all(r.title and r.statement and r.source for r in family)
    assert {r.id for r in family if r.level is Level.SHOULD} >= {"LC-FIRST-REPORT-ARRIVED"}
    musts = {r.id for r in family if r.level is Level.MUST}
    assert set(RULE_IDS) - {"LC-FIRST-REPORT-ARRIVED"} <= musts


# -- agreement with the model ------------------------------------------------------------------


def test_every_short_sequence_agrees_with_the_model() -> None:
    """Every status after every legal history of up to seven statuses (no timestamps)."""
    checked = 0
    frontier = [Lifecycle()]
    for _ in range(8):
        grown = []
        for lc in frontier:
            history = [c.value for c in lc.codes]
            assert lc.state is model_state(history)
            assert lc.pending_take_back is model_pending(history)
            for code in StatusCode:
                assert_agrees(lc, code, None)
                checked += 1
                if lc.check(code) is None:
                    grown.append(Lifecycle.replay([*lc.history, (code, None)]))
        frontier = grown
    assert checked > 10_000


class LifecycleAgainstModel(RuleBasedStateMachine):
    """Random statuses with random, sometimes decreasing, timestamps; every decision is
    compared with the model and the rejected ones must leave no trace."""

    def __init__(self) -> None:
        super().__init__()
        self.lc = Lifecycle()
        self.book = LifecycleBook()
        self.model_history: list[str] = []
        self.model_last: datetime.datetime | None = None
        self.clock = T0

    @rule(
        code=st.sampled_from(StatusCode),
        step=st.one_of(st.none(), st.integers(min_value=-3, max_value=20)),
    )
    def send(self, code: StatusCode, step: int | None) -> None:
        ts = None
        if step is not None:
            self.clock += timedelta(minutes=step)
            ts = self.clock
        assert_agrees(self.lc, code, ts)
        expected = model_violations(self.model_history, self.model_last, code.value, ts)
        via_book = self.book.record("doc", "000.00.00.H44", code, ts)
        if expected:
            with pytest.raises(TransitionRejected) as info:
                self.lc.apply(code, ts)
            assert info.value.rejection == via_book
        else:
            assert via_book is None
            self.lc.apply(code, ts)
            self.model_history.append(code.value)
            if ts is not None:
                self.model_last = ts

    @precondition(lambda self: bool(self.lc.allowed_next()))
    @rule(data=st.data())
    def send_an_allowed_code(self, data: st.DataObject) -> None:
        code = data.draw(st.sampled_from(sorted(self.lc.allowed_next(), key=lambda c: c.position)))
        assert not model_violations(self.model_history, None, code.value, None)
        self.lc.apply(code)
        self.book.record("doc", "000.00.00.H44", code)
        self.model_history.append(code.value)

    @invariant()
    def history_is_the_accepted_codes(self) -> None:
        assert [c.value for c in self.lc.codes] == self.model_history
        assert self.book.lifecycle("doc", "000.00.00.H44").history == self.lc.history

    @invariant()
    def summaries_agree(self) -> None:
        history = self.model_history
        assert self.lc.state is model_state(history)
        assert self.lc.pending_take_back is model_pending(history)
        assert self.lc.withdrawn is ("15" in history)
        assert self.lc.finished is (not self.lc.allowed_next())
        assert self.lc.last_timestamp == self.model_last

    @invariant()
    def timestamps_never_decrease(self) -> None:
        stamps = [ts for _, ts in self.lc.history if ts is not None]
        assert stamps == sorted(stamps)

    @invariant()
    def replaying_the_history_gives_the_same_lifecycle(self) -> None:
        again = Lifecycle.replay(self.lc.history)
        assert again.state is self.lc.state and again.allowed_next() == self.lc.allowed_next()


LifecycleAgainstModel.TestCase.settings = settings(
    max_examples=150, stateful_step_count=25, deadline=None
)
test_lifecycle_against_model = LifecycleAgainstModel.TestCase
