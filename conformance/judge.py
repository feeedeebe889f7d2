"""The verdicts one conformance test gives, requirement by requirement.

A test verifies one or more requirements (its ``@pytest.mark.requirement(...)`` ids). It
records each judgement with :meth:`Judge.check`, naming the requirement the judgement is
about and the evidence it rests on, and goes on judging: one run of a scenario can prove
several requirements right and others wrong. At the end of the test the judge raises
:class:`RequirementsFailed` if any judgement failed, so pytest reports the test as failed and
the plugin knows exactly which requirements failed and why.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from reports.model import Evidence
from spec.catalogue import requirement

__all__ = ["Judge", "Judgement", "RequirementsFailed"]


@dataclass(frozen=True, slots=True)
class Judgement:
    """One verdict on one requirement: ``passed``, the sentence that says why, and the
    evidence (transcript excerpts, findings, notes)."""

    req_id: str
    passed: bool
    message: str
    evidence: tuple[Evidence, ...] = ()


class RequirementsFailed(AssertionError):
    """Raised at the end of a test whose judge recorded failures; ``judgements`` are the
    failed ones."""

    def __init__(self, judgements: list[Judgement]) -> None:
        self.judgements = judgements
        lines = [f"{j.req_id}: {j.message}" for j in judgements]
        super().__init__("requirement(s) not met:\n  " + "\n  ".join(lines))


@dataclass
class Judge:
    """The judgements of one test. ``declared`` are the ids of its requirement marker."""

    declared: tuple[str, ...] = ()
    judgements: list[Judgement] = field(default_factory=list)

    def check(
        self,
        req_id: str,
        ok: bool,
        message: str,
        evidence: Iterable[Evidence] = (),
    ) -> bool:
        """Record that ``req_id`` is met (``ok``) or not, with ``message`` saying what was
        seen; returns ``ok`` so a test can stop judging what depends on it."""
        requirement(req_id)  # an unknown id is a bug in the suite, not in the SUT
        self.judgements.append(Judgement(req_id, bool(ok), message, tuple(evidence)))
        return bool(ok)

    def fail(self, req_id: str, message: str, evidence: Iterable[Evidence] = ()) -> None:
        self.check(req_id, False, message, evidence)

    def passed(self, req_id: str, message: str, evidence: Iterable[Evidence] = ()) -> None:
        self.check(req_id, True, message, evidence)

    @property
    def failures(self) -> list[Judgement]:
        return [j for j in self.judgements if not j.passed]

    def failed(self, req_id: str) -> bool:
        return any(j.req_id == req_id and not j.passed for j in self.judgements)

    def conclude(self) -> None:
        """Raise :class:`RequirementsFailed` when any judgement failed."""
        if self.failures:
            raise RequirementsFailed(self.failures)
