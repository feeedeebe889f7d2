"""The CI recipes of docs/ci/ work as written: their shell steps run in their order and under
their conditions (not on the CI services) with the wheel installed in a fresh environment, the
reference SUT standing in for the vendor's test build. A green GitHub Actions job certifies
and leaves the JUnit file, the report folder and the certificate where its artefact steps look
for them; a GitLab CI job whose test build is defective fails on the verdict's exit code and
still keeps its artefacts."""

from __future__ import annotations

import pytest

from tests.lienthong.recipes import junit_counts, the_build_stopped
from tests.lienthong.vendor_runs import GITLAB_DEFECT, VendorRuns

pytestmark = pytest.mark.slow


def test_the_github_actions_recipe_certifies_and_keeps_its_artefacts(
    vendor_runs: VendorRuns,
) -> None:
    job = vendor_runs.github.result()
    log = "\n".join(job.output)
    assert job.succeeded, log
    assert [c for _, c in job.steps if c is None] == [], log
    assert "CERTIFIED on the receiver profile" in log
    assert "OK: 9 endpoint(s) right" in log  # the contract check ran first
    (junit,) = job.matches(job.junit[0])
    tests, broken = junit_counts(junit)
    assert tests > 0 and broken == 0
    kept = {p.resolve() for pattern in job.artefacts for p in job.matches(pattern)}
    folder = junit.parent
    assert folder.parent.resolve() in kept and (job.workdir / "sut.log").resolve() in kept
    for name in ("report.html", "certificate.json", "junit.xml", "transcript.jsonl"):
        assert (folder / name).is_file(), name
    summary = (job.workdir / "summary.md").read_text("utf-8")
    assert "receiver profile: CERTIFIED" in summary
    assert the_build_stopped(job.workdir)


def test_the_gitlab_recipe_fails_on_a_defective_build_and_keeps_its_artefacts(
    vendor_runs: VendorRuns,
) -> None:
    job = vendor_runs.gitlab.result()
    log = "\n".join(job.output)
    assert job.code("script") == 1, log  # the verdict's exit code: NOT CERTIFIED
    assert not job.succeeded
    (rule,) = GITLAB_DEFECT.fails
    assert "NOT CERTIFIED" in log and rule in log
    assert job.code("after_script") == 0 and the_build_stopped(job.workdir)
    (junit,) = job.matches(job.junit[0])
    tests, broken = junit_counts(junit)
    assert tests > 0 and broken > 0
    kept = {p.resolve() for pattern in job.artefacts for p in job.matches(pattern)}
    assert junit.parent.parent.resolve() in kept and (job.workdir / "sut.log").resolve() in kept
    assert (junit.parent / "certificate.json").is_file()
    assert (junit.parent / "report.html").is_file()
