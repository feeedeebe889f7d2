"""The statuses agencies emit are decided by spec's lifecycle, not by rules of the simulator."""

from __future__ import annotations

from sim import statuses as st
from spec.lifecycle import check_sequence
from spec.status_codes import StatusCode


def test_the_tables_come_from_the_lifecycle() -> None:
    assert st.FORWARD == (1, 3, 4, 5, 6)
    # 02 only before 03; 13 any time before 06, not after a refusal; nothing after 15
    assert st.REFUSAL_AFTER == 1
    assert st.TAKE_BACK_ALLOWED == (True, True, True, True, True, False)
    assert st.TAKE_BACK_AFTER_REFUSAL is False
    assert not st.AFTER_AGREED
    assert sorted(st.TERMINAL) == [2, 6, 15]


def test_every_plan_the_model_can_produce_is_accepted() -> None:
    plans = st.plans()
    assert (1, 3, 4, 5, 6) in plans and (1, 2) in plans
    assert (1, 3, 13, 4, 15) in plans and (13, 16, 1, 3, 4, 5, 6) in plans
    for plan in plans:
        events = [(StatusCode.parse(f"{c:02d}"), None) for c in plan]
        assert check_sequence(events) == [], plan


def test_codes_map_to_the_spec() -> None:
    assert st.code_of(st.ACCEPTED) is StatusCode.ACCEPTED
    assert {st.code_of(c) for c in st.CODES} == set(StatusCode)


def test_the_simulators_code_tables_and_metrics_follow_spec() -> None:
    """The simulator's tables are spec's enum read at import: a code spec adds is counted,
    and gets its time-to-status metrics and table rows, without an edit here."""
    from sim.catalogue import METRICS

    assert tuple(int(c.value) for c in StatusCode) == st.CODES
    receiver = {int(c.value) for c in StatusCode if c.sent_by == "receiver"}
    assert set(st.RECEIVER_CODES) == receiver
    assert st.CODE_INDEX[list(st.CODES)].tolist() == list(range(len(st.CODES)))
    names = {m.name for m in METRICS}
    for code in receiver:
        assert {f"tts_{code:02d}_median_h", f"tts_{code:02d}_p95_h"} <= names
        assert st.label(code).startswith(f"{code:02d} ")
