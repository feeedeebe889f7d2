"""The rollout simulator: a SimPy model of the national e-document exchange network.

Agencies of four tiers write documents (:mod:`sim.workload`); each delivery goes through the
national axis (:mod:`sim.axis`), inside a province's platform or on paper, depending on who is
connected when (:mod:`sim.rollout`); receiving agencies register, assign and process it and
report back along spec's status lifecycle (:mod:`sim.agencies`, :mod:`sim.statuses`). Scenarios
are YAML files (:mod:`sim.scenario`); replications run here, on local processes or on a Dask
cluster (:mod:`sim.replications`, :mod:`sim.sweep`). ``docs/sim.md`` describes the model.
"""

from sim.errors import BackendError, ModelError, ScenarioError, SimError, TopologyError
from sim.model import Model
from sim.output import report_data, write_profile, write_run, write_sweep
from sim.replications import Replications, run_one, run_replications, run_tasks, seeds_for
from sim.results import RunResult, summarize
from sim.scenario import Scenario, load_scenario, parse_override, parse_vary, shipped_scenarios
from sim.stats import Estimate, estimate
from sim.sweep import SweepPoint, compare, sweep
from sim.topology import AgencyRecord, Topology, from_fixtures, synthetic

__all__ = [
    "AgencyRecord",
    "BackendError",
    "Estimate",
    "Model",
    "ModelError",
    "Replications",
    "RunResult",
    "Scenario",
    "ScenarioError",
    "SimError",
    "SweepPoint",
    "Topology",
    "TopologyError",
    "compare",
    "estimate",
    "from_fixtures",
    "load_scenario",
    "parse_override",
    "parse_vary",
    "report_data",
    "run_one",
    "run_replications",
    "run_tasks",
    "seeds_for",
    "shipped_scenarios",
    "summarize",
    "sweep",
    "synthetic",
    "write_profile",
    "write_run",
    "write_sweep",
]
