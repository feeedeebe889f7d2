"""The network the model runs on: fixtures' agencies as arrays, and small synthetic ones."""

from __future__ import annotations

import numpy as np
import pytest

from sim.errors import TopologyError
from sim.topology import AgencyRecord, Topology, distance_km, from_fixtures, synthetic
from sim.types import Role, Tier


def test_the_2016_network_from_fixtures() -> None:
    topo = from_fixtures("2016", 1.0, 0)
    counts = topo.counts()
    assert counts["central"] == 30 and counts["province"] == 63
    assert 700 <= counts["district"] <= 720 and 11_000 <= counts["commune"] <= 11_300
    # every agency sits under its level-1 organ's connection system
    assert (topo.system == topo.system[topo.root]).all()
    assert (topo.tier[topo.role == Role.DEPARTMENT] == Tier.PROVINCE).all()
    communes = np.flatnonzero(topo.role == Role.COMMUNE)
    assert (topo.role[topo.parent[communes]] == Role.DISTRICT).all()
    index = topo.index()
    assert topo.role[index["000.00.00.G22"]] == Role.CENTRAL
    assert topo.role[index["000.00.24.H44"]] == Role.DISTRICT  # SPEC §4's district of Phú Thọ


def test_the_two_tier_network_of_2025() -> None:
    counts = from_fixtures("2025", 1.0, 0).counts()
    assert counts["province"] == 34 and counts["district"] == 0
    assert 3_300 <= counts["commune"] <= 3_340


def test_scale_shrinks_only_the_lower_tiers() -> None:
    full, small = from_fixtures("2016", 1.0, 0).counts(), from_fixtures("2016", 0.05, 0).counts()
    for role in ("central", "province", "department"):
        assert small[role] == full[role]
    assert small["commune"] < full["commune"] / 10


def test_synthetic_networks_and_bad_records() -> None:
    topo = synthetic(central=1, provinces=2, departments=1, districts=2, communes=2)
    assert topo.counts() == {
        "central": 1,
        "province": 2,
        "department": 2,
        "district": 4,
        "commune": 8,
    }
    assert len(topo.system_ids) == 3
    pcs = np.flatnonzero(topo.role == Role.PROVINCE)
    assert distance_km(topo, pcs[:1], pcs[1:])[0] > 50
    with pytest.raises(TopologyError, match="listed before"):
        Topology.from_records(
            [AgencyRecord("000.00.01.H01", Role.DEPARTMENT, "000.00.00.H01", "s")]
        )
    with pytest.raises(TopologyError, match="under a province"):
        Topology.from_records([AgencyRecord("000.00.01.H01", Role.DEPARTMENT, None, "s")])
    with pytest.raises(TopologyError, match="twice"):
        Topology.from_records([AgencyRecord("000.00.00.G01", Role.CENTRAL, None, "s")] * 2)
