"""Throughput of the fake axis on loopback, with the load generator in a separate process.

(a) requests/s of a trivial ASGI endpoint on the same server stack (uvicorn, uvloop,
    httptools, the axis's protocol class), answering a fixed envelope to the same signed
    request; the baseline.
(b) requests/s of getReceivedEdocList on a populated store (50,000 messages, the caller has 20
    listed deliveries); target (b) >= 0.4 x (a).
(c) complete exchanges/s with 32 concurrent clients: sendEdoc of a 20 KB document -> the
    receiver lists, getEdoc, updateStatus done -> sends a status message back; with p50/p99
    latency of one exchange. Target >= 1,000 exchanges/s.

The load generator (``axis.fastclient``: raw HTTP/1.1 keep-alive, SDK signing) runs in a
spawned process. Besides wall-clock rates, each figure is also given as CPU time per request
of the server process and of the generator (getrusage), which other jobs on a shared machine
disturb much less than the rates; a profile of the exchange in-process says what bounds it.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import resource
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any

from axis.app import create_app
from axis.asgi import Receive, Scope, Send
from axis.client import AxisClient
from axis.config import AxisConfig, SystemSpec
from axis.fastclient import FastAxisClient, FastConnection
from axis.seed import derive_secret
from axis.server import RunningAxis, running_app, running_axis
from axis.signing import sdk_hash_file
from fixtures.agencies import national_agencies
from fixtures.factory import DocumentFactory
from spec.codec import serialize
from spec.status_codes import StatusCode

CLIENTS = 32
DURATION_S = 6.0
WARMUP_S = 1.5
POPULATION = 50_000
LISTED = 20
DOC_BYTES = 20_000
MARK = "BENCHMARK000000"
CALLS_PER_EXCHANGE = 5

_TRIVIAL = b'{"status":"OK","ErrorCode":"0","ErrorDesc":"Success","data":[]}'


async def trivial_app(scope: Scope, receive: Receive, send: Send) -> None:
    """The baseline: read the request, answer a fixed envelope."""
    if scope["type"] != "http":
        return
    more = True
    while more:
        more = (await receive()).get("more_body", False)
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [
                (b"content-type", b"application/json; charset=utf-8"),
                (b"content-length", str(len(_TRIVIAL)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": _TRIVIAL})


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# --- the load generator (child process) ---------------------------------------------------


def _percentiles(samples: list[float]) -> dict[str, float]:
    if not samples:
        return {"p50_ms": 0.0, "p99_ms": 0.0}
    ordered = sorted(samples)
    return {
        "p50_ms": round(statistics.median(ordered) * 1000, 2),
        "p99_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000, 2),
    }


class _Window:
    """Counts what happens after the warm-up; ``total`` counts everything."""

    def __init__(self, warmup: float, duration: float) -> None:
        now = time.perf_counter()
        self.open_at = now + warmup
        self.stop_at = now + warmup + duration
        self.count = 0
        self.total = 0
        self.latencies: list[float] = []

    def running(self) -> bool:
        return time.perf_counter() < self.stop_at

    def record(self, started: float) -> None:
        self.total += 1
        if started >= self.open_at:
            self.count += 1
            self.latencies.append(time.perf_counter() - started)

    def result(self, per_item: int) -> dict[str, Any]:
        return {
            "count": self.count,
            "requests": self.count * per_item,
            "total_requests": self.total * per_item,
            "elapsed": self.stop_at - self.open_at,
            "client_cpu_s": _cpu(),
            **_percentiles(self.latencies),
        }


async def _run_list(job: dict[str, Any]) -> dict[str, Any]:
    system_id, secret = job["caller"]
    window = _Window(job["warmup"], job["duration"])

    async def worker() -> None:
        client = FastAxisClient(
            await FastConnection.open(job["host"], job["port"]), system_id, secret
        )
        while window.running():
            started = time.perf_counter()
            items = await client.get_received_list("edoc")
            if len(items) != job["expect_items"]:
                raise RuntimeError(f"listed {len(items)} items, expected {job['expect_items']}")
            window.record(started)
        await client.connection.close()

    await asyncio.gather(*(worker() for _ in range(job["clients"])))
    return window.result(1)


async def _run_exchanges(job: dict[str, Any]) -> dict[str, Any]:
    window = _Window(job["warmup"], job["duration"])

    async def pair(
        index: int, sender: list[str], receiver: list[str], doc: bytes, status: bytes
    ) -> None:
        out = FastAxisClient(await FastConnection.open(job["host"], job["port"]), *sender)
        inbox = FastAxisClient(await FastConnection.open(job["host"], job["port"]), *receiver)
        serial = 0
        while window.running():
            serial += 1
            mark = f"{index:04d}{serial:011d}".encode()
            started = time.perf_counter()
            doc_id = await out.send_edoc(doc.replace(MARK.encode(), mark), "edoc")
            items = await inbox.get_received_list("edoc")
            if [item["docId"] for item in items] != [doc_id]:
                raise RuntimeError(f"{doc_id} not listed alone to its receiver: {items!r}")
            await inbox.get_edoc(doc_id)
            await inbox.update_status(doc_id, "done")
            await inbox.send_edoc(status.replace(MARK.encode(), mark), "status")
            window.record(started)
        await out.connection.close()
        await inbox.connection.close()

    await asyncio.gather(*(pair(i, *p) for i, p in enumerate(job["pairs"])))
    return window.result(CALLS_PER_EXCHANGE)


def _child(job: dict[str, Any], queue: Any) -> None:
    import uvloop

    runner = _run_exchanges if job["kind"] == "exchange" else _run_list
    try:
        started = _cpu()
        result = uvloop.run(runner(job))
        result["client_cpu_s"] -= started
        queue.put(result)
    except BaseException as exc:
        queue.put({"error": repr(exc)})


def _load(job: dict[str, Any]) -> dict[str, Any]:
    """Run one load job in a spawned process; adds the server's CPU time per request."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_child, args=(job, queue), daemon=True)
    started = _cpu()
    process.start()
    result = queue.get(timeout=job["warmup"] + job["duration"] + 120)
    server_cpu = _cpu() - started
    process.join(30)
    if "error" in result:
        raise RuntimeError(f"load generator failed: {result['error']}")
    total = max(1, result["total_requests"])
    result["server_cpu_us"] = server_cpu / total * 1e6
    result["client_cpu_us"] = result["client_cpu_s"] / total * 1e6
    result["rate"] = result["requests"] / result["elapsed"]
    return result


# --- the server side ----------------------------------------------------------------------


def _host_port(url: str) -> tuple[str, int]:
    host, _, port = url.removeprefix("http://").rpartition(":")
    return host, int(port)


def bench_systems(count: int, seed: int = 0) -> list[SystemSpec]:
    """``count`` systems, each serving one national agency."""
    agencies = national_agencies()[:count]
    return [
        SystemSpec(f"bench.{i:03d}", derive_secret(seed, f"bench.{i:03d}"), agencies=(a.organ_id,))
        for i, a in enumerate(agencies)
    ]


@contextmanager
def _bench_axis(systems: list[SystemSpec]) -> Iterator[RunningAxis]:
    config = AxisConfig(seed_defaults=False, systems=tuple(systems))
    with running_axis(config) as axis:
        yield axis


def _populate(axis: RunningAxis, systems: list[SystemSpec], caller: SystemSpec) -> None:
    store = axis.app.store
    body = b"<edXML>" + b"x" * 1000 + b"</edXML>"
    targets = [s for s in systems if s is not caller]
    with store.transaction():
        for n in range(POPULATION):
            receiver = caller if n < LISTED else targets[n % len(targets)]
            sender = targets[(n + 1) % len(targets)]
            store.mailbox.add_message(
                sender=sender.system_id,
                messagetype="edoc",
                service_type="eDoc",
                body=body,
                sha256=f"{n:064x}",
                from_code=sender.agencies[0],
                title=f"Văn bản số {n}",
                notation=f"{n}/BENCH",
                document_id="",
                status_code="",
                deliveries={receiver.system_id: [receiver.agencies[0]]},
            )


def _documents(sender: str, receiver: str, factory: DocumentFactory) -> tuple[bytes, bytes]:
    lookup = {a.organ_id: a for a in national_agencies()}
    doc = factory.edoc(lookup[sender], [lookup[receiver]], target_bytes=DOC_BYTES)
    doc.header.subject = f"{doc.header.subject} {MARK}"
    at = datetime(2026, 1, 5, 9, 30)
    status = factory.status(doc, lookup[receiver], StatusCode.ARRIVED, at=at)
    status.description = f"Đã đến {MARK}"
    return serialize(doc), serialize(status)


def _pairs(
    systems: list[SystemSpec], count: int = CLIENTS
) -> list[tuple[list[str], list[str], bytes, bytes]]:
    factory = DocumentFactory(seed=1, today=date(2026, 1, 5))
    pairs = []
    for i in range(count):
        sender, receiver = systems[2 * i], systems[2 * i + 1]
        doc, status = _documents(sender.agencies[0], receiver.agencies[0], factory)
        pairs.append(
            ([sender.system_id, sender.secret], [receiver.system_id, receiver.secret], doc, status)
        )
    return pairs


# --- where an exchange's server time goes -------------------------------------------------


class _TimedConnection:
    """A stand-in for the store's sqlite3 connection that adds up the CPU spent in it."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.seconds = 0.0

    def execute(self, *args: Any) -> Any:
        started = time.process_time()
        try:
            return self.inner.execute(*args)
        finally:
            self.seconds += time.process_time() - started

    def executemany(self, *args: Any) -> Any:
        started = time.process_time()
        try:
            return self.inner.executemany(*args)
        finally:
            self.seconds += time.process_time() - started

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def breakdown(exchanges: int = 300) -> dict[str, float]:
    """Server CPU of one exchange (its five calls through the ASGI app in-process, no HTTP),
    split into the spec's parse + validation (measured alone on the same documents), SQLite
    (timed at the connection) and the rest: microseconds per exchange."""
    import spec

    systems = bench_systems(2)
    [(sender, receiver, doc, status)] = _pairs(systems, 1)
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            AxisConfig(seed_defaults=False, systems=tuple(systems)), data_dir=Path(folder)
        )
        clients = {
            sender[0]: AxisClient("http://x", *sender),
            receiver[0]: AxisClient("http://x", *receiver),
        }
        requests: list[tuple[dict[str, Any], bytes]] = []

        def prepare(
            system: str, op: str, header_json: dict[str, str], body: bytes, ctype: str
        ) -> None:
            signed = clients[system].signed_headers(ctype, header_json)
            headers = [(k.lower().encode(), v.encode()) for k, v in signed]
            requests.append(
                ({"type": "http", "method": "POST", "path": "/" + op, "headers": headers}, body)
            )

        async def call(scope: dict[str, Any], body: bytes) -> None:
            async def receive() -> dict[str, Any]:
                return {"type": "http.request", "body": body, "more_body": False}

            async def send(message: Any) -> None:
                return None

            await app(scope, receive, send)

        async def run(start: int, count: int) -> float:
            cpu = 0.0
            for n in range(start, start + count):
                mark = f"{n:015d}".encode()
                data, reply = doc.replace(MARK.encode(), mark), status.replace(MARK.encode(), mark)
                sending = {
                    "from": sender[0],
                    "servicetype": "eDoc",
                    "messagetype": "edoc",
                    "hash-file": sdk_hash_file(data),
                }
                requests.clear()
                prepare(sender[0], "sendEdoc", sending, data + b"\r\n", "application/octet-stream")
                prepare(
                    receiver[0],
                    "getReceivedEdocList",
                    {"servicetype": "eDoc", "messagetype": "edoc"},
                    b"",
                    "application/json",
                )
                scopes = list(requests)
                started = time.process_time()
                for scope, body in scopes:
                    await call(scope, body)
                cpu += time.process_time() - started
                doc_id = app.store.mailbox.inbox(receiver[0], "edoc", 1)[0][0]
                replying = {
                    **sending,
                    "from": receiver[0],
                    "messagetype": "status",
                    "hash-file": sdk_hash_file(reply),
                }
                requests.clear()
                prepare(receiver[0], "getEdoc", {"docId": doc_id}, b"{}", "application/json")
                prepare(
                    receiver[0],
                    "updateStatus",
                    {"docId": doc_id, "status": "done"},
                    b"{}",
                    "application/json",
                )
                prepare(
                    receiver[0], "sendEdoc", replying, reply + b"\r\n", "application/octet-stream"
                )
                scopes = list(requests)
                started = time.process_time()
                for scope, body in scopes:
                    await call(scope, body)
                cpu += time.process_time() - started
            return cpu

        asyncio.run(run(0, 20))
        timed = _TimedConnection(app.store.db.conn)
        app.store.db.conn = timed  # type: ignore[assignment]
        total = asyncio.run(run(20, exchanges))
        app.store.db.conn = timed.inner
        app.store.close()
    started = time.process_time()
    for _ in range(exchanges):
        spec.check(doc)
        spec.check(status)
    spec_cpu = time.process_time() - started
    per = 1e6 / exchanges
    return {
        "spec parse + validation": spec_cpu * per,
        "SQLite (5 calls, unbatched)": timed.seconds * per,
        "axis code, hashing, JSON": (total - spec_cpu - timed.seconds) * per,
        "total (no HTTP)": total * per,
    }


# --- the three measures -------------------------------------------------------------------


def measure(duration: float = DURATION_S, warmup: float = WARMUP_S) -> dict[str, Any]:
    """Run (a), (b) and (c); returns the figures."""
    systems = bench_systems(2 * CLIENTS + 1)
    caller = systems[-1]
    results: dict[str, Any] = {"cpus": os.cpu_count(), "load_before": os.getloadavg()}
    common = {"clients": CLIENTS, "duration": duration, "warmup": warmup}
    with running_app(trivial_app) as url:
        host, port = _host_port(url)
        job = {"kind": "list", "host": host, "port": port, "expect_items": 0, **common}
        results["a"] = _load({**job, "caller": [caller.system_id, caller.secret]})
    with _bench_axis(systems) as axis:
        _populate(axis, systems, caller)
        host, port = _host_port(axis.url)
        job = {"kind": "list", "host": host, "port": port, "expect_items": LISTED, **common}
        results["b"] = _load({**job, "caller": [caller.system_id, caller.secret]})
    pairs = _pairs(systems)
    results["doc_bytes"] = len(pairs[0][2])
    with _bench_axis(systems) as axis:
        host, port = _host_port(axis.url)
        results["c"] = _load(
            {"kind": "exchange", "host": host, "port": port, "pairs": pairs, **common}
        )
    results["load_after"] = os.getloadavg()
    results["breakdown"] = breakdown()
    return results


def report(results: dict[str, Any]) -> str:
    a, b, c = results["a"], results["b"], results["c"]
    cpu_a, cpu_b = a["server_cpu_us"], b["server_cpu_us"]
    cpu_c = c["server_cpu_us"] * CALLS_PER_EXCHANGE
    gen_c = c["client_cpu_us"] * CALLS_PER_EXCHANGE
    rate_c = c["count"] / c["elapsed"]
    lines = [
        f"machine: {results['cpus']} CPUs, load average {results['load_before'][0]:.1f} before / "
        f"{results['load_after'][0]:.1f} after; generator in a separate process; {CLIENTS} clients",
        "                                     wall-clock rate        server CPU      generator CPU",
        f"(a) trivial endpoint, same stack:  {a['rate']:8.0f} req/s        {cpu_a:6.0f} us/req     {a['client_cpu_us']:6.0f} us/req"
        f"   p50 {a['p50_ms']} ms p99 {a['p99_ms']} ms",
        f"(b) getReceivedEdocList ({POPULATION:,} msgs): {b['rate']:6.0f} req/s   {cpu_b:6.0f} us/req     {b['client_cpu_us']:6.0f} us/req"
        f"   p50 {b['p50_ms']} ms p99 {b['p99_ms']} ms",
        f"    (b)/(a): {b['rate'] / a['rate']:.2f} by wall-clock rate, {cpu_a / cpu_b:.2f} by server CPU "
        f"(target >= 0.40: {'met' if min(b['rate'] / a['rate'], cpu_a / cpu_b) >= 0.4 else 'see both'})",
        f"(c) exchanges ({results['doc_bytes']:,} B edoc, {CALLS_PER_EXCHANGE} calls): {rate_c:6.0f} exchanges/s "
        f"= {rate_c * CALLS_PER_EXCHANGE:.0f} req/s   p50 {c['p50_ms']} ms p99 {c['p99_ms']} ms",
        f"    server CPU {cpu_c:.0f} us/exchange -> at most {1e6 / cpu_c:.0f} exchanges/s on one core; "
        f"generator CPU {gen_c:.0f} us/exchange -> at most {1e6 / gen_c:.0f}/s on the other",
        f"    target >= 1,000 exchanges/s: {'met' if rate_c >= 1000 else 'MISSED'}",
        "    server CPU of one exchange, in-process profile (no HTTP):",
    ]
    for name, micros in results["breakdown"].items():
        lines.append(f"      {name:<30} {micros:7.0f} us")
    return "\n".join(lines)


def main() -> None:
    print(report(measure()), flush=True)


if __name__ == "__main__":
    main()
