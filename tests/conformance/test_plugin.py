"""The pytest plugin: prefixed options in their own group (never colliding with a project's own
``--profile``), the usual pytest options working, other test runs left alone, and a clear
usage error when the adapter is not named."""

from __future__ import annotations

import pytest

from conformance.certify import CHECKS

pytest_plugins = ("pytester",)


def test_the_plugin_lives_beside_a_conftest_that_defines_profile_and_seed(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeconftest(
        """
        def pytest_addoption(parser):
            parser.addoption("--profile", default="none", help="the project's own profiling")
            parser.addoption("--seed", type=int, default=0, help="the project's own seed")
            parser.addoption("--axis", default="x", help="the project's own axis")
        """
    )
    pytester.makepyfile(
        """
        def test_own_options(request):
            assert request.config.getoption("profile") == "cpu"
            assert request.config.getoption("seed") == 3
            assert request.config.getoption("lienthong_profile") is None
        """
    )
    result = pytester.runpytest_inprocess("--profile=cpu", "--seed=3", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["plugins:*lienthong-*"])  # installed, and quiet
    assert "lienthong c" not in result.stdout.str()
    help_text = pytester.runpytest_inprocess("--help", "-p", "no:cacheprovider").stdout.str()
    assert "lienthong conformance suite (certify a SUT)" in help_text
    for flag in ("--lienthong-adapter", "--lienthong-profile", "--lienthong-organ-id"):
        assert flag in help_text


@pytest.mark.slow
def test_the_plugin_runs_with_k_and_junitxml(pytester: pytest.Pytester) -> None:
    junit = pytester.path / "junit.xml"
    result = pytester.runpytest_subprocess(
        str(CHECKS),
        "--lienthong-adapter=reference",
        "--lienthong-organ-id=000.00.00.H41",
        "-k",
        "listed_within_the_poll_interval or downloaded",
        f"--junitxml={junit}",
        f"--lienthong-out={pytester.path / 'out'}",
        "-p",
        "no:cacheprovider",
    )
    result.assert_outcomes(passed=3)
    result.stdout.fnmatch_lines(
        [
            "*lienthong conformance: profile=full adapter=reference agency=000.00.00.H41*",
            "*signing key * fingerprint *",
            "*verdict: INCOMPLETE — *",
        ]
    )
    text = junit.read_text("utf-8")
    assert "test_documents_are_listed_within_the_poll_interval" in text
    assert "test_listed_documents_are_downloaded" in text


@pytest.mark.slow
def test_the_plugin_stops_at_the_first_failure_with_x(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_subprocess(
        str(CHECKS / "test_transport.py"),
        "--lienthong-adapter=reference",
        "--lienthong-mutant=never-ack",
        "-x",
        f"--lienthong-out={pytester.path / 'out'}",
        "-p",
        "no:cacheprovider",
    )
    outcomes = result.parseoutcomes()
    assert outcomes.get("failed") == 1, result.stdout.str()
    result.stdout.fnmatch_lines(["*verdict: NOT CERTIFIED*TR-ACK-DONE*"])


def test_the_plugin_needs_the_adapter_named(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_inprocess(str(CHECKS), "-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*lienthong: the adapter is required: give --adapter*"])
    assert "Traceback" not in result.stderr.str() + result.stdout.str()


def test_a_bad_option_is_one_usage_line(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_inprocess(
        str(CHECKS), "--lienthong-adapter=reference", "--lienthong-organ-id=00.44.W00"
    )
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: lienthong: organ_id='00.44.W00' names a connection*"])


def test_the_plugin_leaves_other_test_runs_alone(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.requirement("TR-ACK-DONE")
        def test_plain():
            assert True
        """
    )
    result = pytester.runpytest_inprocess("--strict-markers", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    assert "lienthong certification" not in result.stdout.str()
    assert "lienthong conformance" not in result.stdout.str()


def test_the_plugin_and_its_option_table_import_nothing_heavy() -> None:
    import subprocess
    import sys

    code = (
        "import sys, conformance.plugin, conformance.settings; "
        "print(*(m in sys.modules for m in ('spec', 'axis', 'reports', 'conformance.runtime')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False"] * 4
