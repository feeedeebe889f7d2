"""The fake axis as an ASGI application: where its parts are put together, and how a request
finds the part that serves it.

- VXP calls (any path outside the mounts) go to :class:`axis.vxp_endpoint.VxpEndpoint`, a plain
  ASGI callable on the hot path: the shared ``execute`` step (:mod:`axis.execute`), the group
  commit (:mod:`axis.group_commit`), the fault plan (:mod:`axis.fault_switch`) and the
  recording of every call (:mod:`axis.recording`).
- ``/_admin`` and the extensions (the dashboard under ``/ui``) go through a Starlette router;
  they see the axis only through :class:`axis.operator.Operator` (the protocols of
  :mod:`axis.ports`).
- The registry is seeded by :mod:`axis.seed`; the store is :mod:`axis.store`.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Sequence
from pathlib import Path

from starlette.routing import Mount, Router

from axis.admin import admin_app
from axis.asgi import ASGIApp, Receive, Scope, Send
from axis.bus import EventBus
from axis.config import AxisConfig, SystemSpec
from axis.events import StartEvent
from axis.execute import Executor
from axis.fault_switch import FaultSwitch
from axis.faults import load_plan
from axis.group_commit import GroupCommit
from axis.operator import Operator
from axis.peer_plan import PeerPlan, load_peer_plan
from axis.recording import Recorder
from axis.seed import default_systems, seed_registry
from axis.store import Clock, Store, open_store
from axis.vxp_endpoint import RESET_EXTENSION, InjectedReset, VxpEndpoint
from spec.clock import Clock as SpecClock
from spec.clock import PosixClock

ADMIN_PREFIX = "/_admin"

__all__ = ["RESET_EXTENSION", "AxisApp", "InjectedReset", "create_app"]


class AxisApp:
    """The fake axis. ``store`` holds everything durable; ``operator`` is what the admin API and
    the dashboard use; ``router`` serves ``/_admin`` and the extensions added with ``mount``."""

    def __init__(
        self,
        config: AxisConfig,
        store: Store,
        *,
        admin_token: str,
        calendar: SpecClock | None = None,
        defaults: Sequence[SystemSpec] = (),
    ) -> None:
        self.config = config
        self.store = store
        self.clock: Clock = store.clock
        self.bus = EventBus()
        store.transcript.add_listener(self.bus.notify)
        self.group = GroupCommit(store.db)
        self.recorder = Recorder(store)
        self.faults = FaultSwitch(store, self.clock)
        executor = Executor(store, config, calendar or PosixClock(self.clock), self.recorder)
        self.operator = Operator(
            config,
            store,
            admin_token=admin_token,
            bus=self.bus,
            faults=self.faults,
            group=self.group,
            executor=executor,
            recorder=self.recorder,
            clock=self.clock,
            defaults=defaults,
        )
        self.vxp = VxpEndpoint(config, executor, self.recorder, self.group, self.faults)
        self._admin_token = admin_token
        self.peer_plan: PeerPlan | None = None
        self._prefixes: list[str] = [ADMIN_PREFIX]
        self.router = Router(routes=[Mount(ADMIN_PREFIX, app=admin_app(self.operator))])

    def __repr__(self) -> str:
        return f"create_app({self.config!r})"

    @property
    def admin_token(self) -> str:
        return self._admin_token

    def played_systems(self) -> list[str]:
        """The default systems its simulated peers play (none without peers)."""
        plan = self.peer_plan
        if plan is None:
            return []
        return [s.system_id for s in self.operator.defaults if plan.behaviour(s.system_id)]

    def mount(self, prefix: str, app: ASGIApp) -> None:
        """Serve ``app`` under ``prefix`` (e.g. the dashboard under ``/ui``)."""
        if not prefix.startswith("/") or prefix.endswith("/"):
            raise ValueError(f"prefix={prefix!r} must start with '/' and not end with '/'")
        self.router.routes.append(Mount(prefix, app=app))
        self._prefixes.append(prefix)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "http":
            path = scope["path"]
            for prefix in self._prefixes:
                if path == prefix or path.startswith(prefix + "/"):
                    await self.router(scope, receive, send)
                    return
            await self.vxp(scope, receive, send)
        elif kind == "lifespan":
            await self._lifespan(receive, send)
        # websockets are not part of the protocol: returning closes them

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self.bus.bind()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return


def _start_event(app: AxisApp) -> StartEvent:
    config = app.config
    return StartEvent(
        strict=config.strict,
        seed=config.seed,
        tolerate_8bit_headers=config.tolerate_8bit_headers,
        max_body_bytes=config.max_body_bytes,
        max_header_bytes=config.max_header_bytes,
        peers=tuple(app.played_systems()),
        run_id=app.store.run_id,
    )


def create_app(
    config: AxisConfig,
    *,
    data_dir: Path | None = None,
    clock: Clock = time.time,
    calendar: SpecClock | None = None,
    admin_token: str | None = None,
) -> AxisApp:
    """Open the store (in ``data_dir``, else ``config.data_dir``), seed it, load the fault file,
    and return the ASGI app. The admin token is ``admin_token``, else ``config.admin_token``,
    else a new random one; the run id that salts DocIds is ``config.run_id``, else a new
    random one (both recorded in the ``start`` event). ``clock`` (POSIX seconds) times the
    transcript and the faults;
    ``calendar`` is the clock whose Vietnam date judges documents' dates (``clock`` itself by
    default; the suite gives its model clock)."""
    folder = data_dir or config.data_dir
    if folder is None:
        raise ValueError("create_app needs a data folder: config.data_dir or data_dir=")
    peer_plan = None
    if config.peers is not None:  # read first: a bad file stops the start before the store
        peer_plan = load_peer_plan(config.peers.file) if config.peers.file else PeerPlan()
    doc_seed = config.seed if config.seed is not None else secrets.randbits(63)
    run_id = config.run_id or secrets.token_hex(8)
    store = open_store(folder, seed=doc_seed, clock=clock, run_id=run_id)
    token = admin_token or config.admin_token or secrets.token_urlsafe(24)
    defaults = default_systems(config.seed) if config.seed_defaults else []
    app = AxisApp(config, store, admin_token=token, calendar=calendar, defaults=defaults)
    from axis.dashboard import dashboard_app  # imported late, as the admin app is

    app.mount("/ui", dashboard_app(app.operator))
    seed_registry(store, defaults, config.systems)
    if config.fault_file is not None:
        plan = load_plan(config.fault_file, started=clock())
        app.faults.set(plan.spec)
    app.peer_plan = peer_plan
    with store.transaction():
        store.record(_start_event(app))
    return app
