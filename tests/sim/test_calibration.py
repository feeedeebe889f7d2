"""The baseline reproduces the national axis figures of July 2022 (SPEC §6) within 10 %.

One simulated July 2022 (21 working days, everyone connected, adoption complete) under
baseline-2016's workload; the lower tiers are scaled down, which leaves the ministry- and
province-level traffic over the axis unchanged.
"""

from __future__ import annotations

import pytest

from sim.replications import run_one
from sim.scenario import load_scenario


@pytest.mark.slow
def test_baseline_reproduces_july_2022_within_ten_percent() -> None:
    scenario = load_scenario(
        "baseline-2016",
        [
            ("start", "2022-07-01"),
            ("days", 31),
            ("warmup_days", 7),
            ("topology.scale", 0.02),
            ("engine.tick_seconds", 300),
        ],
    )
    targets = scenario.data["workload"]["calibration"]["targets"]
    scalars = run_one(scenario.data, 2022).scalars
    assert scalars["electronic_share_central"] == 1.0
    checks = {
        "documents_sent": scalars["axis_documents_sent"],
        "deliveries_received": scalars["axis_deliveries_received"],
        "deliveries_total": scalars["axis_deliveries_total"],
        "recipients_per_document": scalars["axis_recipients_per_document"],
    }
    for name, simulated in checks.items():
        assert simulated == pytest.approx(targets[name], rel=0.10), (name, simulated, targets[name])
