"""The Java example controller (examples/java-controller/) is a working SUT: it compiles with the
JDK alone (no third-party jar), its own checks hold (the JSON reader and writer, the VXP
signature's worked example, the lifecycle, safe XML reading), what it writes passes lienthong's
validator, the contract check finds every endpoint right, and the receiver profile certifies it.
"""

from __future__ import annotations

import contextlib
import queue
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import pytest

from conformance.contract_check import check_contract, render_lines
from spec import check
from tests.side_by_side import lienthong, side_by_side

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "java-controller"
SOURCES = sorted((EXAMPLE / "src").rglob("*.java"))
JDK_PACKAGES = ("java.", "javax.", "com.sun.net.httpserver.", "org.w3c.dom.", "org.xml.sax.")
START_TIMEOUT = 60.0
BUILD = "git-0000000 (lienthong test build)"


def _javac() -> Path:
    found = shutil.which("javac")
    if found is None:
        pytest.skip("no javac on PATH: `make jdk` installs Debian's JDK")
    return Path(found).resolve()


@pytest.fixture
def javac() -> Path:
    return _javac()


@pytest.fixture(scope="module")
def classes(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _compile(_javac(), tmp_path_factory.mktemp("java") / "classes")


def _compile(javac: Path, out: Path) -> Path:
    done = subprocess.run(
        [str(javac), "--release", "17", "-Xlint:all", "-Werror", "-d", str(out)]
        + [str(s) for s in SOURCES],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return out


def _java() -> str:
    return str(_javac().parent / "java")


def _first_line(stream: IO[str], lines: queue.Queue[str]) -> None:
    lines.put(stream.readline())
    for _ in iter(stream.readline, ""):  # keep reading so the child never blocks on a full pipe
        pass


@pytest.fixture(scope="module")
def controller(classes: Path) -> Iterator[str]:
    with _running(classes) as url:
        yield url


@contextlib.contextmanager
def _running(classes: Path) -> Iterator[str]:
    """The controller started from ``classes``, and its URL once it listens."""
    process = subprocess.Popen(
        [_java(), "-cp", str(classes), "lienthong.example.Main", "--port", "0", "--build", BUILD],
        stdout=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )
    lines: queue.Queue[str] = queue.Queue()
    reader = threading.Thread(target=_first_line, args=(process.stdout, lines), daemon=True)
    reader.start()
    try:
        first = lines.get(timeout=START_TIMEOUT)
        match = re.fullmatch(r"controller listening on (http://\S+)\s*", first)
        assert match, f"the controller did not start: {first!r} (exit {process.poll()})"
        yield match[1]
    finally:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(20)
        reader.join(20)
        if process.stdout is not None:
            process.stdout.close()


def test_the_example_uses_the_jdk_only() -> None:
    assert SOURCES
    imports = {
        m[1]
        for source in SOURCES
        for m in re.finditer(r"^import (?:static )?([\w.]+);", source.read_text("utf-8"), re.M)
    }
    foreign = sorted(i for i in imports if not i.startswith((*JDK_PACKAGES, "lienthong.example.")))
    assert foreign == []
    assert not list(EXAMPLE.rglob("*.jar"))


@pytest.mark.slow
def test_its_own_checks_hold_and_what_it_writes_is_valid_edxml(
    classes: Path, tmp_path: Path
) -> None:
    samples = tmp_path / "samples"
    done = subprocess.run(
        [_java(), "-cp", str(classes), "lienthong.example.SelfTest", "--samples", str(samples)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"self-test: \d+ checks held, 0 did not", done.stdout)
    for name, kind in (("status.edxml", "Status"), ("document.edxml", "Edoc")):
        parsed = check((samples / name).read_bytes())
        assert type(parsed.message).__name__ == kind
        problems = [f for f in parsed.findings if f.severity.value in ("error", "warning")]
        assert problems == [], f"{name}: {problems}"


@pytest.mark.slow
def test_the_contract_check_finds_every_endpoint_right(controller: str) -> None:
    report = check_contract(controller)
    lines = "\n".join(render_lines(report))
    assert report.exit_code == 0, lines
    assert {c.verdict for c in report.checks} == {"ok"}, lines
    assert report.identity is not None and report.identity["build"] == BUILD  # contract 1.1


def _certify_the_controller(home: Path) -> tuple[int, str, Path]:
    """Compile the controller, start it, and certify it on the receiver profile."""
    javac = shutil.which("javac")
    assert javac is not None, "no javac on PATH: `make jdk` installs Debian's JDK"
    with _running(_compile(Path(javac).resolve(), home / "classes")) as url:
        code, said = lienthong(
            "certify", "--adapter", url, "--organ-id", "000.00.00.H41",
            "--profile", "receiver", "--out", str(home / "certify"),
        )  # fmt: skip
    return code, said, home / "certify"


@pytest.mark.slow
@side_by_side(_certify_the_controller)
def test_the_receiver_profile_certifies_it(javac: Path, ran: list[tuple[int, str, Path]]) -> None:
    ((code, said, out),) = ran
    assert code == 0, said
    assert "CERTIFIED: all" in said and "Example QLVB (Java)" in said
    (folder,) = out.iterdir()
    certificate = (folder / "certificate.json").read_text("utf-8")
    assert "Example QLVB (Java)" in certificate
