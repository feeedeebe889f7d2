"""The load users for locust's own command line, e.g. its distributed mode across machines
(docs/load.md): ``LIENTHONG_LOAD_PLAN=plan.json locust -f load/locustfile.py --master …`` on
one machine and ``… --worker --master-host=…`` on the others, all with the same plan file.

Every slot of the plan becomes a user class run exactly once; the master announces the end of
the sending window, after which the users drain; each process writes its journal into the
plan's ``journal_dir``.
"""

import os

from locust import events

from load.plan import LoadPlan
from load.users import install_hooks, user_classes

PLAN_VARIABLE = "LIENTHONG_LOAD_PLAN"

_path = os.environ.get(PLAN_VARIABLE)
if not _path:
    raise SystemExit(f"set {PLAN_VARIABLE} to the plan file (lienthong load --write-plan FILE)")
_plan = LoadPlan.read(_path)
install_hooks(events, _plan)
globals().update({cls.__name__: cls for cls in user_classes(_plan)})
