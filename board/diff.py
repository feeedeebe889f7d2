"""What changed between two certification runs of the same product: requirements newly failed,
fixed and waived, and every fact of the certificate that differs (build, profile, overrides,
MUST counts, waivers, validity, suite)."""

from __future__ import annotations

from dataclasses import dataclass

from board.certificates import Certificate
from board.errors import BoardError

__all__ = ["CertificateDiff", "diff_certificates"]


@dataclass(frozen=True, slots=True)
class CertificateDiff:
    """From certificate ``a`` to certificate ``b``. The requirement lists are empty and
    ``outcomes_known`` False when either came without its report."""

    a: Certificate
    b: Certificate
    outcomes_known: bool
    newly_failed: tuple[str, ...]
    fixed: tuple[str, ...]
    newly_waived: tuple[str, ...]
    still_failing: tuple[str, ...]
    other: tuple[tuple[str, str, str], ...]
    facts: tuple[tuple[str, str, str], ...]

    @property
    def unchanged(self) -> bool:
        return not (
            self.newly_failed or self.fixed or self.newly_waived or self.other or self.facts
        )


def _facts(c: Certificate) -> dict[str, str]:
    waivers = ", ".join(f"{w.requirement} until {w.expires}" for w in c.waivers) or "none"
    overrides = ", ".join(f"{k}={v}" for k, v in sorted(c.overrides.items())) or "none"
    return {
        "verdict": c.verdict.value,
        "agency": f"{c.party.organ_id} via {c.party.system_id}",
        "version": c.software.version,
        "build": c.software.build or "none",
        "profile": c.profile,
        "signed documents": "required" if c.require_signature else "not required",
        "overrides": overrides,
        "MUST passed": f"{c.must_passed}/{c.must_total} ({c.must_waived} waived)",
        "mutant": c.mutant or "none",
        "waivers": waivers,
        "suite version": c.suite_version,
        "valid": f"{c.valid_from} to {c.valid_until or '— (not certified)'}",
        "signer": c.signer[:16],
    }


def diff_certificates(a: Certificate, b: Certificate) -> CertificateDiff:
    """The changes from ``a`` to ``b``. Raises ``BoardError`` when they certify different
    products (a diff across products says nothing)."""
    if (a.software.vendor, a.software.product) != (b.software.vendor, b.software.product):
        raise BoardError(
            f"certificates {a.short} and {b.short} are for different products "
            f"({a.software.vendor} {a.software.product} vs {b.software.vendor} "
            f"{b.software.product}); diff compares two runs of the same product"
        )
    fa, fb = _facts(a), _facts(b)
    facts = tuple((k, fa[k], fb[k]) for k in fa if fa[k] != fb[k])
    if a.results is None or b.results is None:
        return CertificateDiff(a, b, False, (), (), (), (), (), facts)
    before = {r.id: r.verdict for r in a.results}
    after = {r.id: r.verdict for r in b.results}
    newly_failed, fixed, waived, still, other = [], [], [], [], []
    for req in sorted(set(before) | set(after)):
        was, now = before.get(req, "absent"), after.get(req, "absent")
        if was == now:
            if now == "failed":
                still.append(req)
            continue
        if now == "failed":
            newly_failed.append(req)
        elif now == "passed" and was in ("failed", "waived"):
            fixed.append(req)
        elif now == "waived":
            waived.append(req)
        else:
            other.append((req, was, now))
    return CertificateDiff(
        a,
        b,
        True,
        tuple(newly_failed),
        tuple(fixed),
        tuple(waived),
        tuple(still),
        tuple(other),
        facts,
    )
