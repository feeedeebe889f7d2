"""The rollout simulator: a SimPy model of the national e-document exchange network.

Agencies of four tiers write documents (:mod:`sim.workload`); each delivery goes through the
national axis (:mod:`sim.axis`), inside a province's platform or on paper, depending on who is
connected when (:mod:`sim.rollout`); receiving agencies register, assign and process it and
report back along spec's status lifecycle (:mod:`sim.agencies`, :mod:`sim.statuses`). Scenarios
are YAML files (:mod:`sim.scenario`) parsed into typed configuration (:mod:`sim.config`);
replications run here, on local processes or on a Dask cluster, and scenarios are compared
pair by pair with common random numbers (:mod:`sim.replications`, :mod:`sim.sweep`). Every
metric is registered once in :mod:`sim.catalogue`; an onboarding board asks what a phase of
late agencies costs with :func:`simulate_phase`. ``docs/sim.md`` describes the model.
"""

from sim.catalogue import METRICS, Metric, metric
from sim.config import ScenarioConfig, parse_config
from sim.errors import BackendError, ModelError, ScenarioError, SimError, TopologyError
from sim.model import Model
from sim.output import report_data, write_comparison, write_profile, write_run, write_sweep
from sim.phase import MetricDifference, PhaseEffect, PhaseRollout, simulate_phase
from sim.replications import Replications, run_one, run_replications, run_tasks, seeds_for
from sim.results import RunResult, summarize
from sim.scenario import Scenario, load_scenario, parse_override, parse_vary, shipped_scenarios
from sim.stats import Estimate, estimate, paired
from sim.sweep import Comparison, SweepPoint, compare, sweep
from sim.topology import AgencyRecord, Topology, from_fixtures, synthetic

__all__ = [
    "METRICS",
    "AgencyRecord",
    "BackendError",
    "Comparison",
    "Estimate",
    "Metric",
    "MetricDifference",
    "Model",
    "ModelError",
    "PhaseEffect",
    "PhaseRollout",
    "Replications",
    "RunResult",
    "Scenario",
    "ScenarioConfig",
    "ScenarioError",
    "SimError",
    "SweepPoint",
    "Topology",
    "TopologyError",
    "compare",
    "estimate",
    "from_fixtures",
    "load_scenario",
    "metric",
    "paired",
    "parse_config",
    "parse_override",
    "parse_vary",
    "report_data",
    "run_one",
    "run_replications",
    "run_tasks",
    "seeds_for",
    "shipped_scenarios",
    "simulate_phase",
    "summarize",
    "sweep",
    "synthetic",
    "write_comparison",
    "write_profile",
    "write_run",
    "write_sweep",
]
