"""Locust users that behave like connection systems, one user per system of the plan.

Each user is a :class:`locust.contrib.fasthttp.FastHttpUser` running an :class:`~load.agent.Agent`
over locust's client, so every request is timed and counted by locust under its operation's
name, and judged as the SDK judges it (the JSON envelope, not the HTTP status). Every slot of
the plan becomes its own user class with ``fixed_count = 1``: locust then runs each system
exactly once, however many worker processes share the users.

Importing this module imports locust, which monkey-patches the process for gevent: only the
locust processes import it (``load.locust_process``, ``load/locustfile.py``), never the harness
that runs the axis.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import gevent
import gevent.event
from locust import FastHttpUser, constant, task
from locust.env import Environment
from locust.event import Events
from locust.runners import WorkerRunner

from load.agent import Agent, Reply, Wire, read_reply
from load.journal import Journal
from load.plan import LoadPlan, SlotPlan

WINDOW_MESSAGE = "lienthong_window"

__all__ = ["ConnectionSystem", "ProcessState", "install_hooks", "locust_wire", "user_classes"]


@dataclass(slots=True)
class ProcessState:
    """What the users of one locust process share: the journal and the end of the sending
    window (epoch seconds; None until the master has announced it)."""

    journal: Journal
    send_until: float | None = None
    announced: gevent.event.Event = field(default_factory=gevent.event.Event)

    def announce(self, send_until: float) -> None:
        self.send_until = send_until
        self.announced.set()


def _state(environment: Environment) -> ProcessState:
    state = getattr(environment, "lienthong", None)
    if not isinstance(state, ProcessState):
        raise RuntimeError("install_hooks(environment.events, plan) was not called")
    return state


def install_hooks(events: Events, plan: LoadPlan) -> None:
    """Wire the run's plumbing into locust's events: on ``init`` open the process's journal
    and listen for the window announcement; on ``test_start`` the master (or the only
    process) announces the window; on ``quitting`` the journal is written out."""

    def on_init(environment: Environment, **_: Any) -> None:
        environment.lienthong = ProcessState(Journal(Path(plan.journal_dir)))  # type: ignore[attr-defined]

        def on_window(environment: Environment, msg: Any, **__: Any) -> None:
            _state(environment).announce(float(msg.data))

        if environment.runner is not None:
            environment.runner.register_message(WINDOW_MESSAGE, on_window)

    def on_test_start(environment: Environment, **_: Any) -> None:
        runner = environment.runner
        if runner is not None and not isinstance(runner, WorkerRunner):
            until = time.time() + plan.send_seconds
            _state(environment).announce(until)
            runner.send_message(WINDOW_MESSAGE, until)

    def on_quitting(environment: Environment, **_: Any) -> None:
        state = getattr(environment, "lienthong", None)
        if isinstance(state, ProcessState):
            state.journal.close()

    events.init.add_listener(on_init)
    events.test_start.add_listener(on_test_start)
    events.quitting.add_listener(on_quitting)


def locust_wire(user: FastHttpUser) -> Wire:
    """A wire over the user's FastHttpSession: each call is one locust request named after
    its operation, a failure when the SDK would see one."""
    client = user.client

    def call(op: str, method: str, headers: list[tuple[str, str]], body: bytes) -> Reply:
        with client.request(
            method,
            "/" + op,
            name=op,
            # locust documents String/bytes for data; its annotation leaves bytes out
            data=body or None,  # type: ignore[arg-type]
            headers=dict(headers),
            catch_response=True,
        ) as response:
            status = int(response.status_code or 0)
            error = "" if status else repr(getattr(response, "error", None))
            reply = read_reply(op, status, response.content or b"", error)
            if reply.ok:
                response.success()
            else:
                response.failure(reply.problem[:200])
        return reply

    return call


class ConnectionSystem(FastHttpUser):
    """A connection system of the plan (subclassed once per slot by :func:`user_classes`)."""

    abstract = True
    wait_time = constant(0)
    slot: SlotPlan
    plan: LoadPlan

    def on_start(self) -> None:
        state = _state(self.environment)
        self.agent = Agent(
            self.slot,
            self.plan,
            locust_wire(self),
            state.journal,
            send_until=lambda: state.send_until,
            sleep=gevent.sleep,
        )

    @task
    def work(self) -> None:
        gevent.sleep(self.agent.step())

    def on_stop(self) -> None:
        self.agent.close()
        _state(self.environment).journal.flush()


def user_classes(plan: LoadPlan) -> list[type[ConnectionSystem]]:
    """One user class per slot, named ``System000``…, each run exactly once."""
    return [
        type(
            f"System{slot.index:03d}",
            (ConnectionSystem,),
            {
                "slot": slot,
                "plan": plan,
                "host": plan.axis_url,
                "fixed_count": 1,
                "__module__": __name__,
                "__doc__": f"Connection system {slot.system_id} ({', '.join(slot.agencies)}).",
            },
        )
        for slot in plan.slots
    ]
