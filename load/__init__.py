"""Load tests of the axis: locust users that behave like connection systems, driven from a
traffic profile, with correctness checks after every run (nothing lost, nothing doubled, every
status arrives, every lifecycle legal, the transcript's chain intact).

Run one with ``lienthong load`` or :func:`run_load`. Locust itself runs in child processes
(``load.locust_process``; ``load/locustfile.py`` for locust's own command line): importing this
package never imports locust or gevent.
"""

from load.checks import CheckResult, Evidence, collect, run_checks
from load.errors import LoadError, PlanError, ProfileError, RunFailed
from load.faults import seeded_faults
from load.options import LoadOptions
from load.plan import Behaviour, LoadPlan, SlotPlan, make_plan
from load.profile import (
    NATIONAL_2022_DELIVERIES_PER_S,
    SystemTraffic,
    TrafficProfile,
    load_profile,
    national_2022,
)
from load.runner import LoadResult, run_load

__all__ = [
    "NATIONAL_2022_DELIVERIES_PER_S",
    "Behaviour",
    "CheckResult",
    "Evidence",
    "LoadError",
    "LoadOptions",
    "LoadPlan",
    "LoadResult",
    "PlanError",
    "ProfileError",
    "RunFailed",
    "SlotPlan",
    "SystemTraffic",
    "TrafficProfile",
    "collect",
    "load_profile",
    "make_plan",
    "national_2022",
    "run_checks",
    "run_load",
    "seeded_faults",
]
