"""Lifecycle sensitivity: the clerk asks, on purpose, for every action the lifecycle's state
table forbids (derived from the table by conformance.probes, not listed by hand), on documents
the SUT received and on documents it sent; the SUT must refuse each with illegal-transition
and put nothing on the wire (family LC)."""

from __future__ import annotations

import pytest

from conformance.judge import Judge
from conformance.probe_runs import play_receiver_walk, play_sender_walk
from conformance.probes import RECEIVER, SENDER, covered_rules, walks
from conformance.world import World

requirement = pytest.mark.requirement

TAKE_BACK = "take-back"
RECEIVER_RULES = tuple(sorted(covered_rules(RECEIVER)))
SENDER_RULES = tuple(sorted(covered_rules(SENDER)))


@requirement(*RECEIVER_RULES)
def test_the_clerk_cannot_break_the_lifecycle_of_a_received_document(
    online: World, judge: Judge
) -> None:
    if "receiver" not in online.profile.roles:
        pytest.skip("the profile does not certify receiving")
    partners = online.cast.partners
    for index, walk in enumerate(walks(RECEIVER)):
        needs_take_back = any(
            m.code.sent_by == "sender" or (m.action and m.action.agree is not None)
            for m in walk.path
        ) or any(p.action.agree is not None for p in walk.probes)
        if needs_take_back and TAKE_BACK not in online.capabilities:
            continue  # its rules stay unjudged here: not tested, never passed
        play_receiver_walk(online, judge, walk, partners[index % len(partners)])


@requirement(*SENDER_RULES)
def test_the_clerk_cannot_break_the_lifecycle_of_a_sent_document(
    online: World, judge: Judge
) -> None:
    if "sender" not in online.profile.roles:
        pytest.skip("the profile does not certify sending")
    if TAKE_BACK not in online.capabilities:
        pytest.skip("the SUT does not ask for documents back (capability 'take-back')")
    partner = online.cast.partners[0]
    for index, walk in enumerate(walks(SENDER)):
        play_sender_walk(online, judge, walk, partner, f"vong-doi-{index + 1}")
