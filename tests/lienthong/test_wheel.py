"""The wheel works anywhere: built from the sdist, installed into a fresh virtual environment in
a temporary folder, it validates documents, certifies the reference SUT, simulates, and runs
the conformance suite as a pytest plugin (``pytest --pyargs conformance``) from a folder that
has nothing of the checkout in it. Every data file of the packages travels with it; generated
reports never do."""

from __future__ import annotations

import json
import tarfile
import zipfile

import pytest

from tests.lienthong.installed import GENERATED, ROOT, Built, Installed, data_files
from tests.lienthong.vendor_runs import PYTEST_REQUIREMENTS, VendorRuns

pytestmark = pytest.mark.slow

VALID = ROOT / "fixtures" / "corpus" / "valid" / "edoc-new-directive.edxml"
INVALID = ROOT / "fixtures" / "corpus" / "invalid" / "att-attachment-missing.edxml"


def _ok(done: object, code: int = 0) -> str:
    returncode = done.returncode  # type: ignore[attr-defined]
    output = f"{done.stdout}\n{done.stderr}"  # type: ignore[attr-defined]
    assert returncode == code, f"exit {returncode}, expected {code}:\n{output}"
    return output


def test_the_wheel_and_the_sdist_carry_every_data_file_and_no_generated_report(
    built: Built,
) -> None:
    wanted = data_files(built.source)
    assert any(name.startswith("spec/requirements/") for name in wanted)  # the scan saw data
    in_wheel = set(zipfile.ZipFile(built.wheel).namelist())
    assert wanted - in_wheel == set()
    with tarfile.open(built.sdist) as sdist:
        top = sdist.getnames()[0].split("/")[0]
        in_sdist = {n.split("/", 1)[1] for n in sdist.getnames() if "/" in n}
    assert top.startswith("lienthong-")
    assert wanted - in_sdist == set()
    assert GENERATED.as_posix() not in in_wheel | in_sdist
    assert not [n for n in in_wheel | in_sdist if n.startswith("reports/out/")]


def test_the_installed_package_runs_from_its_own_environment(installed: Installed) -> None:
    where = _ok(
        installed.run(
            "python",
            "-c",
            "import json, axis, conformance, fixtures, lienthong, load, reports, sim, spec; "
            "print(json.dumps([m.__file__ for m in "
            "(axis, conformance, fixtures, lienthong, load, reports, sim, spec)]))",
        )
    )
    files = json.loads(where.strip().splitlines()[0])
    site = str(installed.venv)
    assert all(f.startswith(site) for f in files), files
    assert not any(f.startswith(str(ROOT) + "/") for f in files)
    assert "lienthong 0.1.0" in _ok(installed.run("lienthong", "--version"))


def test_validate_from_the_wheel(installed: Installed) -> None:
    valid = installed.home / VALID.name
    invalid = installed.home / INVALID.name
    valid.write_bytes(VALID.read_bytes())
    invalid.write_bytes(INVALID.read_bytes())
    _ok(installed.run("lienthong", "validate", valid.name))
    report = _ok(installed.run("lienthong", "validate", "--json", invalid.name), code=1)
    assert "ATT-" in report


def test_certify_the_reference_sut_from_the_wheel(vendor_runs: VendorRuns) -> None:
    run = vendor_runs.certification.result()
    said = _ok(run.certify)
    assert "CERTIFIED" in said and "NOT CERTIFIED" not in said
    (folder,) = run.out.iterdir()
    for name in ("report.html", "report.json", "junit.xml", "certificate.json"):
        assert (folder / name).is_file(), name
    _ok(run.export)
    assert run.key.is_file()
    (verified,) = run.verify
    _ok(verified)


def test_sim_run_from_the_wheel(vendor_runs: VendorRuns) -> None:
    run = vendor_runs.simulation.result()
    _ok(run.done)
    metrics = json.loads((run.out / "metrics.json").read_text("utf-8"))
    assert metrics
    assert "<img" in (run.out / "report.html").read_text("utf-8")


def test_pytest_pyargs_conformance_from_another_folder(vendor_runs: VendorRuns) -> None:
    run = vendor_runs.pytest_session.result()
    said = _ok(run.done)
    assert "fixture 'online' not found" not in said
    assert " passed" in said and " error" not in said
    (folder,) = run.out.iterdir()
    report = json.loads((folder / "report.json").read_text("utf-8"))
    verdicts = {r["id"]: r["verdict"] for r in report["requirements"]}
    assert {verdicts[i] for i in PYTEST_REQUIREMENTS} == {"passed"}
