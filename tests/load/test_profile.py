"""Traffic profiles: the national 2022 default adds up to the published July 2022 volume, the
simulator's CSV export becomes documents and polls per system and hour, and bad files are
refused with the reason."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from load.errors import ProfileError
from load.profile import (
    DEFAULT_STATUSES_PER_DELIVERY,
    JULY_2022_DELIVERIES,
    JULY_2022_DOCUMENTS,
    NATIONAL_2022_DELIVERIES_PER_S,
    NATIONAL_2022_RECIPIENTS_MEAN,
    SystemTraffic,
    TrafficProfile,
    from_sim_csv,
    load_profile,
    national_2022,
)

SIM_CSV = """system,owner,hour,sends_per_hour,sends_peak,downloads_per_hour,downloads_peak,polls_per_hour
00.44.W00,000.00.00.H44,8,{a8},10,5.0,9,12.0
00.44.W00,000.00.00.H44,9,{a9},30,7.0,9,12.0
02.22.W00,000.00.00.G22,8,{b8},4,1.0,2,6.0
02.22.W00,000.00.00.G22,9,0.0,0,0.0,0,6.0
"""


def test_national_2022_carries_july_2022_over_its_working_hours() -> None:
    profile = national_2022()
    assert len(profile.systems) == 93  # 30 central bodies and 63 provinces
    per_working_hour = profile.documents_in(0)
    assert per_working_hour * 21 * 7.5 == pytest.approx(JULY_2022_DOCUMENTS)
    assert pytest.approx(3.593, abs=1e-3) == NATIONAL_2022_RECIPIENTS_MEAN
    deliveries_per_s = per_working_hour * NATIONAL_2022_RECIPIENTS_MEAN / 3600
    assert deliveries_per_s == pytest.approx(NATIONAL_2022_DELIVERIES_PER_S)
    assert pytest.approx(0.857, abs=1e-3) == JULY_2022_DELIVERIES / (21 * 7.5 * 3600)
    assert {s.polls for s in profile.systems} == {(12.0,)}


def test_a_sim_export_becomes_documents_per_system_and_hour(tmp_path: Path) -> None:
    per_document = 1 + 2.0 * 4.0
    path = tmp_path / "traffic_profile.csv"
    path.write_text(SIM_CSV.format(a8=per_document * 3, a9=per_document * 10, b8=per_document))
    profile = load_profile(path)
    assert profile.name == "traffic_profile"
    assert profile.hour_labels == ("08:00", "09:00")
    # the loader's defaults: the national recipients mean and the users' lifecycle
    default_share = 1 + NATIONAL_2022_RECIPIENTS_MEAN * DEFAULT_STATUSES_PER_DELIVERY
    assert profile.documents_in(1) == pytest.approx(per_document * 10 / default_share)
    explicit = from_sim_csv(
        path.read_text(), name="x", recipients_mean=2.0, statuses_per_delivery=4.0
    )
    by_id = {s.system_id: s for s in explicit.systems}
    assert by_id["00.44.W00"].documents == pytest.approx((3.0, 10.0))
    assert by_id["02.22.W00"].documents == pytest.approx((1.0, 0.0))
    assert by_id["02.22.W00"].polls == (6.0, 6.0)
    assert explicit.peak_hour() == 1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("system,hour\n00.44.W00,8\n", "needs the columns"),
        (SIM_CSV.format(a8="lots", a9=1, b8=1), "line 2"),
        (SIM_CSV.format(a8=-1, a9=1, b8=1), "must be a finite number >= 0"),
        (SIM_CSV.replace(",8,", ",24,", 1).format(a8=1, a9=1, b8=1), "must be in 0..23"),
    ],
)
def test_a_bad_sim_export_is_refused_with_the_reason(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "p.csv"
    path.write_text(text)
    with pytest.raises(ProfileError, match=message):
        load_profile(path)


def test_the_json_form_round_trips_and_bad_json_is_refused(tmp_path: Path) -> None:
    profile = TrafficProfile(
        "two",
        "hand-written",
        (SystemTraffic("00.44.W00", (1.0, 5.0), (12.0, 12.0)),),
        recipients_mean=2.5,
    )
    path = tmp_path / "p.json"
    path.write_text(json.dumps(profile.to_json()))
    assert load_profile(path) == profile
    path.write_text(json.dumps({**profile.to_json(), "version": 9}))
    with pytest.raises(ProfileError, match="version=9"):
        load_profile(path)
    path.write_text("{")
    with pytest.raises(ProfileError, match="not JSON"):
        load_profile(path)
    with pytest.raises(ProfileError, match="cannot be read"):
        load_profile(tmp_path / "missing.json")


def test_a_profile_refuses_what_makes_no_sense() -> None:
    with pytest.raises(ProfileError, match="same number of hours"):
        TrafficProfile(
            "x",
            "",
            (
                SystemTraffic("a", (1.0,), (1.0,)),
                SystemTraffic("b", (1.0, 2.0), (1.0, 1.0)),
            ),
            recipients_mean=2,
        )
    with pytest.raises(ProfileError, match="more than once"):
        TrafficProfile(
            "x",
            "",
            (SystemTraffic("a", (1.0,), (1.0,)), SystemTraffic("a", (1.0,), (1.0,))),
            recipients_mean=2,
        )
    with pytest.raises(ProfileError, match="recipients_mean"):
        TrafficProfile("x", "", (SystemTraffic("a", (1.0,), (1.0,)),), recipients_mean=0.5)
    with pytest.raises(ProfileError, match="hour=3"):
        national_2022().documents_in(3)
