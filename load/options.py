"""The settings of one load run, checked when they are made: where the axis is, which traffic
profile is played and how, how long the run lasts, where its folder goes."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from load.errors import PlanError
from load.plan import Behaviour, LoadPlan, make_plan
from load.profile import TrafficProfile, national_2022

LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})

__all__ = ["LOOPBACK", "LoadOptions"]


@dataclass(frozen=True, slots=True)
class LoadOptions:
    """Settings of one run. ``axis_url=None`` starts an axis in this process; otherwise the
    URL of a running fake axis on 127.0.0.1 with its ``admin_token``. ``run_time_s`` is the
    sending window; the drain after it lasts until the axis has been quiet for ``quiet_s`` (at
    most ``drain_timeout_s``). A system polls at least every ``max_poll_interval_s``.
    ``processes`` > 1 runs a locust master and that many workers.
    ``faults`` is a fault plan switched on for the run (``load.faults.seeded_faults``)."""

    axis_url: str | None = None
    admin_token: str | None = field(default=None, repr=False)
    profile: TrafficProfile = field(default_factory=national_2022)
    users: int = 32
    spawn_rate: float = 32.0
    run_time_s: float = 60.0
    scale: float = 10.0
    hour: int | None = None
    seed: int = 0
    processes: int = 1
    faults: dict[str, Any] | None = None
    behaviour: Behaviour | None = None
    max_poll_interval_s: float = 2.0
    drain_timeout_s: float = 60.0
    quiet_s: float = 2.0
    out_dir: Path = Path("reports/out")
    run_dir: Path | None = None

    def __post_init__(self) -> None:
        if self.run_time_s <= 0 or self.run_time_s > 24 * 3600:
            raise PlanError(f"run_time_s={self.run_time_s!r} must be in (0, 86400]")
        if self.spawn_rate <= 0:
            raise PlanError(f"spawn_rate={self.spawn_rate!r} must be > 0")
        if self.users < 2:
            raise PlanError(
                f"users={self.users!r} must be at least 2: documents go to other systems"
            )
        if not 1 <= self.processes <= 64:
            raise PlanError(f"processes={self.processes!r} must be in 1..64")
        if self.drain_timeout_s <= self.quiet_s or self.quiet_s <= 0:
            raise PlanError(
                f"drain_timeout_s={self.drain_timeout_s!r} must exceed quiet_s={self.quiet_s!r} > 0"
            )
        if self.axis_url is not None:
            host = urlsplit(self.axis_url).hostname
            if host not in LOOPBACK:
                raise PlanError(
                    f"axis_url={self.axis_url!r}: load runs go to 127.0.0.1 only; for a real "
                    "test environment use locust's distributed mode (docs/load.md)"
                )
            if not self.admin_token:
                raise PlanError("admin_token is required with axis_url (printed by the axis)")

    def plan(self, axis_url: str, run_id: str, journal_dir: Path) -> LoadPlan:
        """The run's plan against the axis at ``axis_url``: the profile's busiest systems with
        their documents and statuses, the users journaling into ``journal_dir``."""
        return make_plan(
            self.profile,
            users=self.users,
            scale=self.scale,
            seed=self.seed,
            axis_url=axis_url,
            run_id=run_id,
            send_seconds=self.run_time_s,
            journal_dir=journal_dir,
            hour=self.hour,
            max_poll_interval_s=self.max_poll_interval_s,
            behaviour=self.behaviour,
        )
