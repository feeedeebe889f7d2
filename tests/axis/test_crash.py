"""kill -9 of the axis process during concurrent sends: after a restart on the same data
folder, every send that was answered OK is stored and listed to its recipients, nothing reached
a system that was not addressed, and the transcript chain still verifies."""

from __future__ import annotations

import hashlib
import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from axis import AxisAdmin, AxisClient, AxisError
from axis.seed import derive_secret
from axis.testing import Documents
from axis.transcript import verify_lines

SEED = 4
TOKEN = "crash-test-token"
ROOT = Path(__file__).resolve().parents[2]
# sender system, its agency, recipient agencies
ROUTES = [
    ("02.22.W00", "000.00.00.G22", ["000.00.00.H41"]),
    ("02.22.W00", "000.00.00.G22", ["000.00.00.H41", "000.00.00.H14"]),
    ("00.41.W00", "000.00.00.H41", ["000.00.00.G22"]),
    ("00.14.W00", "000.00.00.H14", ["000.00.00.G17"]),
]
SYSTEM_OF = {
    "000.00.00.G22": "02.22.W00",
    "000.00.00.H41": "00.41.W00",
    "000.00.00.H14": "00.14.W00",
    "000.00.00.G17": "02.17.W00",
}
THREADS = 8
PER_THREAD = 25


@dataclass
class Server:
    process: subprocess.Popen[str]
    url: str
    output: list[str] = field(default_factory=list)


@contextmanager
def serve(data: Path) -> Iterator[Server]:
    command = [
        sys.executable,
        "-m",
        "lienthong",
        "axis",
        "serve",
        "--data",
        str(data),
        "--port",
        "0",
        "--seed",
        str(SEED),
        "--admin-token",
        TOKEN,
        "--no-peers",  # the test reads the inboxes itself
    ]
    process = subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    output: list[str] = []
    try:
        assert process.stdout is not None
        for line in process.stdout:  # the announcement ends with the systems
            output.append(line)
            if "02.17.W00" in line:
                break
        match = re.search(r"listening on (http://\S+)", "".join(output))
        assert match, "".join(output)
        yield Server(process, match.group(1), output)
    finally:
        if process.poll() is None:
            process.terminate()
        process.wait(30)
        if process.stdout is not None:
            process.stdout.close()


@dataclass
class Attempt:
    sender: str
    recipients: list[str]
    data: bytes
    doc_id: str | None = None


class Progress:
    """How many sends were answered OK, for the main thread to wait on."""

    def __init__(self) -> None:
        self.answered = 0
        self.condition = threading.Condition()

    def add(self) -> None:
        with self.condition:
            self.answered += 1
            self.condition.notify_all()

    def wait_for(self, count: int) -> bool:
        with self.condition:
            return self.condition.wait_for(lambda: self.answered >= count, timeout=60)


def _sender(url: str, attempts: list[Attempt], stop: threading.Event, progress: Progress) -> None:
    clients: dict[str, AxisClient] = {}
    try:
        for attempt in attempts:
            if stop.is_set():
                return
            client = clients.get(attempt.sender)
            if client is None:
                secret = derive_secret(SEED, attempt.sender)
                client = clients[attempt.sender] = AxisClient(
                    url, attempt.sender, secret, timeout=10
                )
            try:
                attempt.doc_id = client.send_edoc(attempt.data)
            except (httpx.TransportError, AxisError):
                return  # the server is gone
            progress.add()
    finally:
        for client in clients.values():
            client.close()


def _attempts() -> list[list[Attempt]]:
    docs = Documents(seed=SEED)
    out = []
    for thread in range(THREADS):
        mine = []
        for n in range(PER_THREAD):
            system, agency, recipients = ROUTES[(thread + n) % len(ROUTES)]
            mine.append(Attempt(system, recipients, docs.edoc(agency, recipients, attachments=1)))
        out.append(mine)
    return out


@pytest.mark.slow
def test_kill_minus_nine_during_sends_loses_nothing_that_was_answered(tmp_path: Path) -> None:
    data = tmp_path / "axis-data"
    plan = _attempts()
    stop = threading.Event()
    progress = Progress()
    with serve(data) as server:
        threads = [
            threading.Thread(target=_sender, args=(server.url, mine, stop, progress))
            for mine in plan
        ]
        for thread in threads:
            thread.start()
        # kill once a third of the sends were answered, while the others are in flight
        assert progress.wait_for(THREADS * PER_THREAD // 3), "no progress"
        os.kill(server.process.pid, signal.SIGKILL)
        server.process.wait(30)
        stop.set()
        for thread in threads:
            thread.join(60)
    attempts = [a for mine in plan for a in mine]
    answered = [a for a in attempts if a.doc_id is not None]
    assert len(answered) >= THREADS * PER_THREAD // 3
    assert len(answered) < len(attempts), "the kill came after every send: nothing was in flight"

    with serve(data) as server, AxisAdmin(server.url, TOKEN) as admin:
        messages = {m["doc_id"]: m for m in admin.messages(limit=1000)}
        # every answered send is stored, with its bytes, once
        by_hash = {hashlib.sha256(a.data).hexdigest(): a for a in attempts}
        for attempt in answered:
            assert attempt.doc_id in messages, attempt.doc_id
        for message in messages.values():
            attempt = by_hash[message["sha256"]]  # nothing stored that nobody sent
            addressed = {SYSTEM_OF[code] for code in attempt.recipients}
            delivered = {d["system_id"] for d in message["deliveries"]}
            assert delivered == addressed, message["doc_id"]
        # and listed to its recipients, whose bytes are the sent bytes
        for system_id in set(SYSTEM_OF.values()):
            with AxisClient(server.url, system_id, derive_secret(SEED, system_id)) as client:
                listed = {i["docId"] for i in client.get_received_list("edoc")}
                expected = {
                    a.doc_id for a in answered if system_id in {SYSTEM_OF[c] for c in a.recipients}
                }
                assert expected <= listed
                assert listed <= {
                    d
                    for d, m in messages.items()
                    if system_id in {x["system_id"] for x in m["deliveries"]}
                }
                for attempt in answered:
                    if attempt.doc_id in listed:
                        assert client.get_edoc(attempt.doc_id) == attempt.data
        verification = verify_lines(admin.transcript().splitlines())
        assert verification.ok, str(verification)
        assert "listening on" in "".join(server.output)
