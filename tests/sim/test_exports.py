"""The simulator's public surface is the curated list in ``sim.__all__``."""

from __future__ import annotations

import sim


def test_exported_members() -> None:
    exported = set(sim.__all__)
    assert exported == {
        "METRICS", "AgencyRecord", "BackendError", "Comparison", "Estimate", "Metric",
        "MetricDifference", "Model", "ModelError", "PhaseEffect", "PhaseRollout",
        "Replications", "RunResult", "Scenario", "ScenarioConfig", "ScenarioError", "SimError",
        "SweepPoint", "Topology", "TopologyError", "compare", "estimate", "from_fixtures",
        "load_scenario", "metric", "paired", "parse_config", "parse_override", "parse_vary",
        "report_data", "run_one", "run_replications", "run_tasks", "seeds_for",
        "shipped_scenarios", "simulate_phase", "summarize", "sweep", "synthetic",
        "write_comparison", "write_profile", "write_run", "write_sweep",
    }  # fmt: skip
    for name in exported:
        assert getattr(sim, name) is not None, name
    for error in (sim.ScenarioError, sim.TopologyError, sim.ModelError, sim.BackendError):
        assert issubclass(error, sim.SimError)
