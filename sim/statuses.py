"""Which status codes the simulated agencies may emit, and when: decided by spec's lifecycle.

The model handles millions of deliveries, so it does not walk a :class:`spec.lifecycle.Lifecycle`
per delivery. Instead this module asks the lifecycle once, at import, the few questions the
model's behaviour raises, and keeps the answers as small tables:

* the receiver's forward steps (01, 03, 04, 05, 06) and the refusal 02, in the order the
  lifecycle allows (:data:`FORWARD`, :data:`REFUSAL_AFTER`);
* after which forward step a sender's take-back request 13 is still allowed
  (:data:`TAKE_BACK_ALLOWED`, indexed by the number of forward steps already emitted);
* which codes may still follow an agreed take-back 15 (:data:`AFTER_AGREED`, empty in the
  harness profile, so every later status of that delivery is suppressed).

Every sequence the model can produce is one of :func:`plans`; the tests check each of them,
and every sequence of a simulated run, with :func:`spec.lifecycle.check_sequence`.
"""

from __future__ import annotations

import numpy as np

from sim.errors import ModelError
from spec.lifecycle import Lifecycle, check_sequence
from spec.status_codes import StatusCode

ARRIVED = int(StatusCode.ARRIVED.value)
REFUSED = int(StatusCode.REFUSED.value)
ACCEPTED = int(StatusCode.ACCEPTED.value)
ASSIGNED = int(StatusCode.ASSIGNED.value)
PROCESSING = int(StatusCode.PROCESSING.value)
COMPLETED = int(StatusCode.COMPLETED.value)
TAKE_BACK = int(StatusCode.TAKE_BACK_REQUESTED.value)
AGREED = int(StatusCode.TAKE_BACK_AGREED.value)
DECLINED = int(StatusCode.TAKE_BACK_REFUSED.value)

CODES: tuple[int, ...] = tuple(int(c.value) for c in StatusCode)
"""Every status code spec knows, as ints (the two-digit wire text as a number); the model's
tables and reports cover each of them, so a code added to spec is counted without edits."""

CODE_INDEX = np.full(max(CODES) + 1, -1, dtype=np.int64)
CODE_INDEX[list(CODES)] = np.arange(len(CODES))
N_CODES = len(CODES)

RECEIVER_CODES: tuple[int, ...] = tuple(int(c.value) for c in StatusCode if c.sent_by == "receiver")
"""Codes a receiver sends back: the ones whose time from sending a sender sees."""


def label(code: int) -> str:
    """``"06 completed"``: the code with the short name spec gives it, for tables."""
    return code_of(code).label


TERMINAL: frozenset[int] = frozenset({COMPLETED, REFUSED, AGREED})
"""Codes after which the sender knows how the document ended at that receiver."""


def code_of(value: int) -> StatusCode:
    """The spec's StatusCode of a model code int."""
    return StatusCode.parse(f"{value:02d}")


def _codes(*values: int) -> list[tuple[StatusCode, None]]:
    return [(code_of(v), None) for v in values]


def _lifecycle(*values: int) -> Lifecycle:
    return Lifecycle.replay(_codes(*values))


def _forward() -> tuple[int, ...]:
    steps: list[int] = []
    lifecycle = Lifecycle()
    # the forward path as the lifecycle walks it: each step the smallest forward code allowed
    while True:
        forward = sorted(int(c.value) for c in lifecycle.allowed_next() if c.is_forward)
        if not forward:
            return tuple(steps)
        steps.append(forward[0])
        lifecycle.apply(code_of(forward[0]))


FORWARD: tuple[int, ...] = _forward()
"""The receiver's forward path, step by step (01, 03, 04, 05, 06)."""

if FORWARD != (ARRIVED, ACCEPTED, ASSIGNED, PROCESSING, COMPLETED):
    raise ModelError(f"spec's forward path {FORWARD!r} is not the one the model's stages emit")

REFUSAL_AFTER: int = max(
    k
    for k in range(len(FORWARD) + 1)
    if code_of(REFUSED) in _lifecycle(*FORWARD[:k]).allowed_next()
)
"""The number of forward steps after which the clerk may still refuse (02 only before 03)."""

TAKE_BACK_ALLOWED: tuple[bool, ...] = tuple(
    code_of(TAKE_BACK) in _lifecycle(*FORWARD[:k]).allowed_next() for k in range(len(FORWARD) + 1)
)
"""``TAKE_BACK_ALLOWED[k]``: may the sender send 13 after the receiver's first k forward steps."""

TAKE_BACK_AFTER_REFUSAL: bool = code_of(TAKE_BACK) in _lifecycle(ARRIVED, REFUSED).allowed_next()

AFTER_AGREED: frozenset[int] = frozenset(
    int(c.value) for c in _lifecycle(TAKE_BACK, AGREED).allowed_next()
)
"""Codes that may follow an agreed take-back (none: the document is withdrawn)."""


def plans() -> list[tuple[int, ...]]:
    """Every status sequence of one delivery the model's rules can produce, in time order.

    The receiver walks the forward path or refuses after 01, and may stop early (the run
    ends). A sender's 13 is issued only where :data:`TAKE_BACK_ALLOWED` (and, after a refusal,
    :data:`TAKE_BACK_AFTER_REFUSAL`) says so; the receiver answers 15 or 16 any time later; after
    15 only :data:`AFTER_AGREED` may follow.
    """
    paths = [FORWARD[:k] for k in range(len(FORWARD) + 1)]
    paths += [(ARRIVED, REFUSED)]
    out: set[tuple[int, ...]] = set(paths)
    for path in paths:
        for i in range(len(path) + 1):
            done = path[:i]
            if REFUSED in done:
                if not TAKE_BACK_AFTER_REFUSAL:
                    continue
            elif not TAKE_BACK_ALLOWED[len(done)]:
                continue
            rest = path[i:]
            for j in range(len(rest) + 1):
                head = (*done, TAKE_BACK, *rest[:j])
                out.add(head)
                out.add((*head, AGREED, *(c for c in rest[j:] if c in AFTER_AGREED)))
                out.add((*head, DECLINED, *rest[j:]))
    return sorted(out)


def _check_plans() -> None:
    for plan in plans():
        rejections = check_sequence(_codes(*plan))
        if rejections:
            raise ModelError(f"status plan {plan!r} is rejected by spec.lifecycle: {rejections[0]}")


_check_plans()
