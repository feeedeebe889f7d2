"""``lienthong axis``: help texts, argument errors, the start announcement, the demo, and the
package's public surface."""

from __future__ import annotations

import inspect

import pytest

import axis
from axis import AxisConfig, running_axis
from axis.announce import announce
from axis.demo import run_demo
from axis.seed import default_systems
from lienthong.cli import main as cli


def test_help_texts_name_every_action_and_flag(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        cli(["axis", "--help"])
    assert done.value.code == 0
    text = capsys.readouterr().out
    assert all(word in text for word in ("serve", "verify-transcript", "demo"))
    with pytest.raises(SystemExit):
        cli(["axis", "serve", "--help"])
    text = capsys.readouterr().out
    for flag in ("--host", "--port", "--data", "--strict", "--faults", "--system", "--seed"):
        assert flag in text


def test_a_malformed_system_flag_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(["axis", "serve", "--port", "0", "--system", "no-secret"]) == 2
    assert "ID:SECRET" in capsys.readouterr().err


def test_the_announcement_gives_endpoint_token_and_every_credential() -> None:
    config = AxisConfig(seed=3, systems=(axis.SystemSpec("vxp.test.01", "s3cr3t-Key"),))
    with running_axis(config) as running:
        lines: list[str] = []
        announce(running.app, running.url, lines.append)
    text = "\n".join(lines)
    assert running.url in text and running.admin_token in text
    for system in [*default_systems(3), *config.systems]:
        assert f"{system.system_id}  {system.secret}" in text


def test_the_demo_exchanges_documents_and_prints_their_timelines(
    capsys: pytest.CaptureFixture[str],
) -> None:
    lines: list[str] = []
    assert run_demo(lines.append) == 0
    text = "\n".join(lines)
    assert text.count("timeline of DocId") == 2
    assert "sent statuses 01 → 03 → 04 → 05 → 06" in text
    assert "received 10 status message(s)" in text
    assert "delivery -> done" in text and "getEdoc" in text


def test_the_public_surface_is_what_all_lists() -> None:
    public = {
        name
        for name in dir(axis)
        if not name.startswith("_") and not inspect.ismodule(getattr(axis, name))
    }
    assert public == set(axis.__all__)
    assert sorted(axis.__all__) == axis.__all__
