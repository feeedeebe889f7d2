"""Tests of fixtures.agencies and its data: codes, counts, the generated lower tiers, topology
lookups in both forms, and the rollout phases."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections import Counter
from importlib import resources

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from fixtures.agencies import (
    ERAS,
    Agency,
    FixturesError,
    Phase,
    lookup,
    lower_tiers,
    national_agencies,
    phases,
    provinces,
    topology,
    unaccented,
)
from spec.organ_ids import Tier, organ_id_problem, parse_organ_id, recipient_problem

CONFIRMED_PROVINCES = {
    "H14": "Cao Bằng",
    "H22": "Hà Giang",
    "H36": "Lâm Đồng",
    "H41": "Nghệ An",
    "H44": "Phú Thọ",
    "H47": "Quảng Nam",
    "H53": "Tây Ninh",
    "H57": "Thừa Thiên Huế",
}
CONFIRMED_CENTRAL = {"G12": "Bộ Tài chính", "G17": "Bộ Xây dựng", "G22": "Văn phòng Chính phủ"}
# National figures of SPEC §6: (districts, communes).
NATIONAL = {"2016": (713, 11_160), "2024": (705, 10_599), "2025": (0, 3_321)}


def data(name: str) -> list[dict]:
    return yaml.safe_load((resources.files("fixtures") / "data" / name).read_text("utf-8"))


def within(actual: int, expected: int, tolerance: float = 0.03) -> bool:
    return abs(actual - expected) <= tolerance * expected


# --- codes -------------------------------------------------------------------------------------


def test_the_confirmed_province_codes_come_out_of_the_alphabetical_order() -> None:
    provs = provinces("2016")
    assert [p.code for p in provs] == [f"H{n:02d}" for n in range(1, 64)]
    assert [p.name for p in provs] == sorted((p.name for p in provs), key=unaccented)
    by_code = {p.code: p for p in provs}
    assert {code: by_code[code].name for code in CONFIRMED_PROVINCES} == CONFIRMED_PROVINCES
    assert {p.code for p in provs if not p.derived} == set(CONFIRMED_PROVINCES)


def test_the_confirmed_central_codes_come_out_of_the_group_order() -> None:
    rows = data("ministries.yaml")
    assert [r["code"] for r in rows] == [f"G{n:02d}" for n in range(1, len(rows) + 1)]
    groups = [r["group"] for r in rows]
    assert groups == sorted(groups, key=["ministry", "ministry_level", "government_agency"].index)
    for group in set(groups):
        names = [r["name"] for r in rows if r["group"] == group]
        assert names == sorted(names, key=unaccented)
    for code, name in CONFIRMED_CENTRAL.items():
        agency = lookup(f"000.00.00.{code}")
        assert agency is not None and agency.name == name and not agency.derived
    assert {r["code"] for r in rows if not r.get("derived")} == set(CONFIRMED_CENTRAL)


def test_unaccented_folds_vietnamese_letters() -> None:
    assert unaccented("Đắk Lắk") == "dak lak"
    assert unaccented("Thừa Thiên Huế") == "thua thien hue"


# --- counts ------------------------------------------------------------------------------------


@pytest.mark.parametrize("era", ERAS)
def test_counts_are_within_3_percent_of_the_national_figures(era: str) -> None:
    counts = topology(era).counts()
    districts, communes = NATIONAL[era]
    assert within(counts[Tier.DISTRICT], districts)
    assert within(counts[Tier.COMMUNE], communes)
    assert len(provinces(era)) == (34 if era == "2025" else 63)


def test_hanoi_2016() -> None:
    hanoi = next(p for p in provinces("2016") if p.code == "H24")
    assert (hanoi.name, hanoi.districts, hanoi.communes, hanoi.departments) == (
        "Hà Nội",
        30,
        584,
        68,
    )
    children = Counter(a.tier for a in topology("2016").children("000.00.00.H24"))
    assert children == {Tier.PROVINCE: 68, Tier.DISTRICT: 30}


def test_departments_per_province() -> None:
    for prov in provinces("2024"):
        if prov.code not in {"H24", "H29"}:
            assert 15 <= prov.departments <= 20, prov


@pytest.mark.parametrize("era", ERAS)
def test_generated_communes_match_the_data_per_province(era: str) -> None:
    per_province = Counter(a.province for a in lower_tiers(era) if a.tier is Tier.COMMUNE)
    assert per_province == {p.code: p.communes for p in provinces(era)}
    districts = Counter(a.province for a in lower_tiers(era) if a.tier is Tier.DISTRICT)
    assert districts == {p.code: p.districts for p in provinces(era) if p.districts}


def test_the_2025_merger_covers_every_old_province_once() -> None:
    old = {p.code for p in provinces("2016")}
    new = provinces("2025")
    merged = [code for p in new for code in p.merged_from]
    assert sorted(merged) == sorted(old)
    assert all(p.merged_from[0] == p.code for p in new)
    assert Counter(p.kind for p in new) == {"province": 28, "city": 6}
    assert all(p.districts == 0 for p in new)


@pytest.mark.parametrize("era", ERAS)
def test_provinces_sit_in_vietnam(era: str) -> None:
    for prov in provinces(era):
        assert 8.0 <= prov.lat <= 23.5 and 102.0 <= prov.lon <= 110.0, prov
        assert prov.region in {"north", "centre", "south"}


# --- every agency ------------------------------------------------------------------------------


@pytest.mark.parametrize("era", ERAS)
def test_every_agency_has_a_valid_id_in_both_forms(era: str) -> None:
    topo = topology(era)
    assert len({a.organ_id for a in topo}) == len(topo)
    for agency in topo:
        oid = parse_organ_id(agency.organ_id)
        assert recipient_problem(agency.organ_id) is None
        assert not oid.is_connection_system
        assert oid.to_qd20().text == agency.qd20_id
        assert parse_organ_id(agency.qd20_id).key == oid.key
        assert topo[agency.qd20_id] is agency
        system = parse_organ_id(agency.system_id)
        assert system.is_connection_system and system.system_owner == oid.level1
        assert agency.province == (oid.level1 if oid.level1[0] == "H" else None)


@pytest.mark.parametrize("era", ERAS)
def test_parents_exist_and_chains_end_at_level_1(era: str) -> None:
    topo = topology(era)
    for agency in topo:
        steps, current = 0, agency
        while current.parent is not None:
            current = topo[current.parent]
            steps += 1
        assert parse_organ_id(current.organ_id).level == 1
        assert steps == {Tier.COMMUNE: 1 if era == "2025" else 2, Tier.DISTRICT: 1}.get(
            agency.tier, 0 if agency.tier is Tier.CENTRAL or agency.parent is None else 1
        )


@pytest.mark.parametrize("era", ERAS)
def test_the_syntactic_tier_matches_except_for_departments(era: str) -> None:
    for agency in topology(era):
        oid = parse_organ_id(agency.organ_id)
        if agency.tier is Tier.PROVINCE and oid.level == 2:
            assert oid.tier is Tier.DISTRICT  # a department: level 2 like a district
        else:
            assert oid.tier is agency.tier


def test_spec_examples_fit_the_scheme() -> None:
    topo = topology("2024")
    assert topo["000.00.24.H44"].tier is Tier.DISTRICT
    assert topo.children("000.00.24.H44")[0].organ_id == "000.01.24.H44"
    assert topo["000.00.00.G22"].system_id == "02.22.W00"
    assert topo["000.00.00.H53"].system_id == "00.53.W00"


def test_two_tier_communes_hang_under_the_province() -> None:
    topo = topology("2025")
    hcm = topo["H29"]
    communes = [a for a in topo.children(hcm.organ_id) if a.tier is Tier.COMMUNE]
    assert len(communes) == 168
    assert {parse_organ_id(a.organ_id).levels[0] for a in communes} == {"90", "91"}
    assert topo.by_tier(Tier.DISTRICT) == ()


# --- topology lookups --------------------------------------------------------------------------


@given(st.data())
def test_both_forms_resolve_to_the_same_agency(draw: st.DataObject) -> None:
    topo = topology("2016")
    agency: Agency = draw.draw(st.sampled_from(topo.agencies))
    assert topo.get(agency.organ_id) is agency
    assert topo.get(agency.qd20_id) is agency
    assert topo.get(parse_organ_id(agency.qd20_id)) is agency
    assert agency in topo.children(agency.parent) if agency.parent else agency in topo.level1()


def test_lookup_misses_and_errors() -> None:
    topo = topology("2024")
    assert topo.get("000.00.00.H64") is None
    assert topo.get("00.44.W00") is None
    assert topo.get(None) is None  # type: ignore[arg-type]
    assert "000.00.00.H44" in topo and "nonsense" not in topo
    with pytest.raises(KeyError, match=r"'000\.00\.99\.H44' is not an agency"):
        topo["000.00.99.H44"]
    assert topo.children("nonsense") == ()
    assert lookup("H44") is not None and lookup("000.00.24.H44") is None


def test_systems_carry_their_province() -> None:
    topo = topology("2024")
    systems = topo.systems()
    assert systems["00.24.W00"] == len([a for a in topo if a.province == "H24"])
    assert systems["02.22.W00"] == 1
    assert len(systems) == 30 + 63


def test_national_agencies_are_the_level_1_organs_and_departments() -> None:
    agencies = national_agencies()
    assert Counter(a.tier for a in agencies) == {Tier.CENTRAL: 30, Tier.PROVINCE: 63 + 1111}
    assert {a.organ_id for a in agencies} <= {a.organ_id for a in topology("2024")}


# --- determinism and scale ---------------------------------------------------------------------


def digest(agencies: list[Agency]) -> str:
    return hashlib.sha256(repr(agencies).encode()).hexdigest()


def test_generation_is_deterministic_across_processes() -> None:
    code = (
        "import hashlib; from fixtures.agencies import lower_tiers; "
        "print(hashlib.sha256(repr(lower_tiers('2016', 0.5, 7)).encode()).hexdigest())"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    assert out.stdout.strip() == digest(lower_tiers("2016", 0.5, 7))


def test_the_seed_changes_the_layout_not_the_counts() -> None:
    one, other = lower_tiers("2024", seed=1), lower_tiers("2024", seed=2)
    assert one != other
    assert Counter(a.tier for a in one) == Counter(a.tier for a in other)


@pytest.mark.parametrize("era", ERAS)
def test_scale_shrinks_the_lower_tiers(era: str) -> None:
    small = topology(era, scale=0.1)
    full = topology(era)
    assert small.counts()[Tier.COMMUNE] < full.counts()[Tier.COMMUNE] / 5
    assert small.counts()[Tier.PROVINCE] == full.counts()[Tier.PROVINCE]
    for prov in provinces(era):
        assert any(
            a.tier is Tier.COMMUNE for a in lower_tiers(era, 0.01) if a.province == prov.code
        )


@pytest.mark.parametrize("era", ["2016", "2024"])
def test_scale_above_1_keeps_the_districts_and_densifies_them(era: str) -> None:
    dense = topology(era, scale=2.5)
    assert dense.counts()[Tier.DISTRICT] == topology(era).counts()[Tier.DISTRICT]
    assert within(dense.counts()[Tier.COMMUNE], 2.5 * NATIONAL[era][1])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"era": "2020"}, "era='2020' must be one of"),
        ({"scale": 0}, "scale=0 must be > 0"),
        (
            {"era": "2016", "scale": 3.0},
            r"scale=3.0 gives .* communes; its \d+ districts hold at most",
        ),
        ({"era": "2025", "scale": 7.0}, "the 2025 scheme fits at most 990"),
    ],
)
def test_impossible_requests_are_refused(kwargs: dict, message: str) -> None:
    with pytest.raises(FixturesError, match=message):
        topology(**kwargs)


# --- phases ------------------------------------------------------------------------------------


def phase(name: str) -> Phase:
    return next(p for p in phases() if p.name == name)


def test_phase_members_exist_and_carry_their_names() -> None:
    topo = topology("2016")
    for row in data("phases.yaml"):
        for member in row["members"]:
            assert topo[member["id"]].name.endswith(member["name"]), member
    for p in phases():
        assert p.start <= p.end
        assert len(set(p.members)) == len(p.members)
        assert p.derived <= set(p.members)
        assert all(organ_id_problem(m) is None for m in p.members)


def provinces_of(members: tuple[str, ...]) -> set[str]:
    return {m for m in members if parse_organ_id(m).level1[0] == "H"}


def test_2016_phases_cover_62_provinces() -> None:
    one, two, hcm = phase("phase-1-2016"), phase("phase-2-2016"), phase("hcm-2016")
    p1, p2, p3 = provinces_of(one.members), provinces_of(two.members), provinces_of(hcm.members)
    assert (len(p1), len(p2), len(p3)) == (22, 39, 1)
    assert len(p1 | p2 | p3) == 62
    assert len(one.members) - len(p1) == 8 and len(two.members) - len(p2) == 3
    assert len(provinces_of(two.named)) == 22 and len(two.derived) == 17
    assert not one.derived
    assert str(hcm.start) == "2016-04-05" and p3 == {"000.00.00.H29"}
    assert (str(one.start), str(one.end), str(two.start), str(two.end)) == (
        "2016-03-25",
        "2016-04-30",
        "2016-05-01",
        "2016-05-30",
    )


def test_the_pilot_and_the_qd676_plan() -> None:
    pilot = phase("pilot-2015")
    assert len(provinces_of(pilot.members)) == 19
    assert set(pilot.members) - provinces_of(pilot.members) == {"000.00.00.G18"}
    wave1, wave2 = phase("qd676-wave-1"), phase("qd676-wave-2")
    assert (len(wave1.members) - len(provinces_of(wave1.members))) == 10
    assert len(provinces_of(wave1.members)) == 15
    everyone = {a.organ_id for a in topology("2016").level1()} - {"000.00.00.G22"}
    assert set(wave1.members) | set(wave2.members) == everyone
    assert not set(wave1.members) & set(wave2.members)
    assert wave1.derived == set(wave1.members) and wave2.derived == set(wave2.members)
