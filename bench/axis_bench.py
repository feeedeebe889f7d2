"""Throughput of the fake axis on loopback, with the load generator in a separate process.

(a) requests/s of a trivial ASGI endpoint on the same server stack (uvicorn, uvloop,
    httptools, the axis's protocol class), answering a fixed envelope to the same signed
    request; the baseline.
(b) requests/s of getReceivedEdocList on a populated store (50,000 messages, the caller has 20
    listed deliveries); target (b) >= 0.4 x (a).
(c) complete exchanges/s with 32 concurrent clients: sendEdoc of a 20 KB document -> the
    receiver lists, getEdoc, updateStatus done -> sends a status message back; with p50/p99
    latency of one exchange. Target >= 1,000 exchanges/s.

The load generator (``axis.fastclient``, raw HTTP/1.1 keep-alive, SDK signing) runs in a spawned
process so the server and the generator each have a core of their own.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

from axis.app import Receive, Scope, Send
from axis.config import AxisConfig, SystemSpec
from axis.fastclient import FastAxisClient, FastConnection
from axis.seed import derive_secret
from axis.server import RunningAxis, running_app, running_axis
from fixtures.agencies import national_agencies
from fixtures.factory import DocumentFactory
from spec.codec import serialize

CLIENTS = 32
DURATION_S = 6.0
WARMUP_S = 1.5
POPULATION = 50_000
LISTED = 20
DOC_BYTES = 20_000
MARK = "BENCHMARK000000"

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


# --- the load generator (child process) ---------------------------------------------------


def _percentiles(samples: list[float]) -> dict[str, float]:
    if not samples:
        return {"p50_ms": 0.0, "p99_ms": 0.0}
    ordered = sorted(samples)
    return {
        "p50_ms": round(statistics.median(ordered) * 1000, 2),
        "p99_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000, 2),
    }


async def _run_list(job: dict[str, Any]) -> dict[str, Any]:
    host, port = job["host"], job["port"]
    system_id, secret = job["caller"]
    clients = [
        FastAxisClient(await FastConnection.open(host, port), system_id, secret)
        for _ in range(job["clients"])
    ]
    counting = False
    count = 0
    latencies: list[float] = []
    stop = time.perf_counter() + job["warmup"] + job["duration"]

    async def worker(client: FastAxisClient) -> None:
        nonlocal count
        while time.perf_counter() < stop:
            started = time.perf_counter()
            items = await client.get_received_list("edoc")
            if len(items) != job["expect_items"]:
                raise RuntimeError(f"listed {len(items)} items, expected {job['expect_items']}")
            if counting:
                count += 1
                latencies.append(time.perf_counter() - started)

    tasks = [asyncio.create_task(worker(c)) for c in clients]
    await asyncio.sleep(job["warmup"])
    counting = True
    begun = time.perf_counter()
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - begun
    for client in clients:
        await client.connection.close()
    return {"requests": count, "elapsed": elapsed, **_percentiles(latencies)}


async def _run_exchanges(job: dict[str, Any]) -> dict[str, Any]:
    host, port = job["host"], job["port"]
    counting = False
    exchanges = 0
    latencies: list[float] = []
    stop = time.perf_counter() + job["warmup"] + job["duration"]

    async def pair(index: int, sender: list[str], receiver: list[str], doc: bytes, status: bytes) -> None:
        nonlocal exchanges
        out = FastAxisClient(await FastConnection.open(host, port), sender[0], sender[1])
        inbox = FastAxisClient(await FastConnection.open(host, port), receiver[0], receiver[1])
        serial = 0
        while time.perf_counter() < stop:
            serial += 1
            mark = f"{index:04d}{serial:011d}".encode()
            started = time.perf_counter()
            doc_id = await out.send_edoc(doc.replace(MARK.encode(), mark), "edoc")
            items = await inbox.get_received_list("edoc")
            if not any(item["docId"] == doc_id for item in items):
                raise RuntimeError(f"{doc_id} not listed to its receiver")
            for item in items:
                await inbox.get_edoc(item["docId"])
                await inbox.update_status(item["docId"], "done")
            await inbox.send_edoc(status.replace(MARK.encode(), mark), "status")
            if counting:
                exchanges += 1
                latencies.append(time.perf_counter() - started)
        await out.connection.close()
        await inbox.connection.close()

    tasks = [
        asyncio.create_task(pair(i, *p)) for i, p in enumerate(job["pairs"])
    ]
    await asyncio.sleep(job["warmup"])
    counting = True
    begun = time.perf_counter()
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - begun
    return {"exchanges": exchanges, "requests": exchanges * 5, "elapsed": elapsed, **_percentiles(latencies)}


def _child(job: dict[str, Any], queue: Any) -> None:
    import uvloop

    runner = _run_exchanges if job["kind"] == "exchange" else _run_list
    try:
        queue.put(uvloop.run(runner(job)))
    except BaseException as exc:
        queue.put({"error": repr(exc)})


def _load(job: dict[str, Any]) -> dict[str, Any]:
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_child, args=(job, queue), daemon=True)
    process.start()
    result = queue.get(timeout=job["warmup"] + job["duration"] + 120)
    process.join(30)
    if "error" in result:
        raise RuntimeError(f"load generator failed: {result['error']}")
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
            store.add_message(
                sender=targets[(n + 1) % len(targets)].system_id,
                messagetype="edoc",
                service_type="eDoc",
                body=body,
                sha256=f"{n:064x}",
                from_code=targets[(n + 1) % len(targets)].agencies[0],
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
    status = factory.status(doc, lookup[receiver], "01", at=datetime(2026, 1, 5, 9, 30))
    status.description = f"Đã đến {MARK}"
    return serialize(doc), serialize(status)


def measure(duration: float = DURATION_S, warmup: float = WARMUP_S) -> dict[str, Any]:
    """Run (a), (b) and (c); returns the figures."""
    systems = bench_systems(2 * CLIENTS + 1)
    caller = systems[-1]
    results: dict[str, Any] = {"cpus": os.cpu_count()}
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
    factory = DocumentFactory(seed=1, today=date(2026, 1, 5))
    pairs = []
    for i in range(CLIENTS):
        sender, receiver = systems[2 * i], systems[2 * i + 1]
        doc, status = _documents(sender.agencies[0], receiver.agencies[0], factory)
        pairs.append(
            ([sender.system_id, sender.secret], [receiver.system_id, receiver.secret], doc, status)
        )
    results["doc_bytes"] = len(pairs[0][2])
    with _bench_axis(systems) as axis:
        host, port = _host_port(axis.url)
        results["c"] = _load({"kind": "exchange", "host": host, "port": port, "pairs": pairs, **common})
    return results


def report(results: dict[str, Any]) -> str:
    a, b, c = results["a"], results["b"], results["c"]
    rate_a = a["requests"] / a["elapsed"]
    rate_b = b["requests"] / b["elapsed"]
    rate_c = c["exchanges"] / c["elapsed"]
    lines = [
        f"machine: {results['cpus']} CPUs; load generator in a separate process; {CLIENTS} clients",
        f"(a) trivial endpoint, same stack:   {rate_a:9.0f} req/s   p50 {a['p50_ms']} ms  p99 {a['p99_ms']} ms",
        f"(b) getReceivedEdocList, {POPULATION:,} msgs: {rate_b:9.0f} req/s   p50 {b['p50_ms']} ms  p99 {b['p99_ms']} ms",
        f"    ratio (b)/(a) = {rate_b / rate_a:.2f}   (target >= 0.40: {'met' if rate_b >= 0.4 * rate_a else 'MISSED'})",
        f"(c) exchanges ({results['doc_bytes']:,} B edoc, 5 calls): {rate_c:7.0f} exchanges/s "
        f"= {rate_c * 5:.0f} req/s   p50 {c['p50_ms']} ms  p99 {c['p99_ms']} ms",
        f"    ratio (c) req/s / (a) = {rate_c * 5 / rate_a:.2f}   (target >= 1,000 exchanges/s: "
        f"{'met' if rate_c >= 1000 else 'MISSED'})",
    ]
    return "\n".join(lines)


def main() -> None:
    print(report(measure()), flush=True)


if __name__ == "__main__":
    main()
