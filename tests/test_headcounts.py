"""Live headcounts (twin/headcount.py): counts per building and gate and tagged people's
positions, through the twin, a recording and a real MQTT broker; and the population an
engine run starts from (scenarios/people.py ``twin_occupants``, ``[population] from``).

Oracles: the counts and positions written into each test's recording or messages are the
expected output; the positions are building centroids converted to WGS84 and back."""

import time

import paho.mqtt.client as mqtt
import pytest
from pyproj import Transformer

import twin
from scenarios.engine import Engine
from scenarios.people import park_occupants, twin_occupants
from scenarios.scenario_file import ScenarioError
from tests.engine_cases import park, scenario
from twin.feeds.mqtt import MqttFeed, payload, topic
from twin.feeds.recorded import RecordedFeed
from twin.headcount import PeopleNow, feed_tags
from twin.readings import Reading, format_time, parse_time

T0 = parse_time("2026-01-15T01:58:00Z")


def _lonlat(building):
    c = park().buildings.geometry[building].centroid
    to_wgs = Transformer.from_crs(park().crs, "EPSG:4326", always_xy=True)
    return to_wgs.transform(c.x, c.y)


def _position(t, badge, lon, lat):
    return [
        Reading(t, f"position/{badge}/lon", lon),
        Reading(t, f"position/{badge}/lat", lat),
    ]


def test_the_twin_keeps_counts_and_positions_and_refuses_bad_ones():
    tw = twin.Twin(park())
    lon, lat = _lonlat("B-DORM-1")
    tw.run(
        [
            Reading(T0, "headcount/B-DORM-1", 400.0),
            Reading(T0, "headcount/G-W", 12.0),
            *_position(T0, "badge-7", lon, lat),
            Reading(T0 + 60, "headcount/B-DORM-1", 380.0),
            Reading(T0 + 61, "headcount/B-NOWHERE", 5.0),
            Reading(T0 + 62, "headcount/B-LAB", -1.0),
            Reading(T0 + 63, "headcount/B-LAB", 2.5),
            Reading(T0 + 64, "position/badge-8/lat", 91.0),
            Reading(T0 + 65, "position/badge-9/alt", 10.0),
            Reading(T0 + 30, "headcount/B-DORM-1", 1.0),  # older than the last: late
        ]
    )
    assert tw.unknown == 0
    assert dict(tw.people.refused) == {
        "unknown_place": 1,
        "bad_count": 2,
        "bad_position": 1,
        "bad_position_tag": 1,
        "late": 1,
    }
    early, later = tw.people.at(T0 + 10), tw.people.at(T0 + 100)
    assert early.buildings == {"B-DORM-1": (400, T0)}
    assert later.buildings == {"B-DORM-1": (380, T0 + 60)}
    assert later.gates == {"G-W": (12, T0)}
    centre = park().buildings.geometry["B-DORM-1"].centroid
    assert later.positions["badge-7"] == pytest.approx((centre.x, centre.y), abs=1e-3)
    assert tw.people.at(T0 - 1).empty


def test_a_recording_carries_headcounts_and_rejects_unknown_places(tmp_path):
    lon, lat = _lonlat("B-LAB")
    rows = [
        (T0, "headcount/B-DORM-1", 400),
        (T0, "headcount/B-GHOST", 4),
        (T0, "position/badge-1/lon", lon),
        (T0, "position/badge-1/lat", lat),
        (T0, "LT-NB101", 2.0),
    ]
    path = tmp_path / "rec.csv"
    path.write_text(
        "time,tag,value,quality\n" + "".join(f"{format_time(t)},{g},{v},good\n" for t, g, v in rows)
    )
    rejected = []
    feed = RecordedFeed(path, known_tags=feed_tags(park()), on_reject=lambda *a: rejected.append(a))
    tags = [r.tag for r in feed]
    assert "headcount/B-DORM-1" in tags and "position/badge-1/lon" in tags
    assert "headcount/B-GHOST" not in tags
    assert [r[0] for r in rejected] == ["unknown_tag"]


def test_headcounts_over_mqtt_reach_the_twin(mosquitto):
    tags = feed_tags(park())
    now = time.time() - 10
    lon, lat = _lonlat("B-CANTEEN")
    sent = [
        ("headcount/B-CANTEEN", 150.0),
        ("headcount/G-E", 7.0),
        ("position/badge-3/lon", lon),
        ("position/badge-3/lat", lat),
        ("headcount/B-GHOST", 1.0),
    ]
    with MqttFeed("127.0.0.1", mosquitto.port, park="demo", known_tags=tags) as feed:
        assert feed.wait_ready(5)
        client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"hc-{time.time_ns()}")
        client.connect("127.0.0.1", mosquitto.port)
        client.loop_start()
        infos = [client.publish(topic("demo", g), payload(now, v), qos=1) for g, v in sent]
        for info in infos:
            info.wait_for_publish(5)
        client.disconnect()
        client.loop_stop()
        received, deadline = [], time.monotonic() + 5
        while (len(received) < 4 or not feed.gate.counts) and time.monotonic() < deadline:
            received += feed.drain(0.1)
        assert dict(feed.gate.counts) == {"unknown_tag": 1}
    tw = twin.Twin(park())
    tw.run(received)
    people = tw.people.at(now + 1)
    assert people.buildings == {"B-CANTEEN": (150, pytest.approx(now, abs=1e-3))}
    assert people.gates == {"G-E": (7, pytest.approx(now, abs=1e-3))}
    assert set(people.positions) == {"badge-3"}


def test_population_falls_back_to_the_design_occupancy():
    design = park_occupants(park(), "night")
    for people in (None, PeopleNow(T0)):
        occupants, line = twin_occupants(park(), people, "night")
        assert occupants == design
        assert line.startswith("design occupancy (night)")


def test_population_from_counts_tagged_people_and_gates():
    p = park()
    centre = p.buildings.geometry["B-LAB"].centroid
    gate = p.gates.geometry["G-W"]
    near_gate = p.buildings.index[p.buildings.distance(gate).argmin()]
    outdoors = (centre.x, centre.y - 200.0)
    near_outdoors = p.buildings.index[p.buildings.distance(type(centre)(*outdoors)).argmin()]
    people = PeopleNow(
        T0,
        buildings={"B-DORM-1": (400, T0 - 30)},
        gates={"G-W": (9, T0)},
        positions={
            "a": (centre.x, centre.y),
            "b": (centre.x + 1, centre.y),
            "c": (centre.x - 1, centre.y),
            "d": outdoors,
        },
    )
    design = park_occupants(p, "night")
    occupants, line = twin_occupants(p, people, "night")
    expected = dict(design)
    expected["B-DORM-1"] = 400
    expected["B-LAB"] = max(design["B-LAB"], 3)
    expected[near_gate] += 9
    expected[near_outdoors] += 1
    assert occupants == expected
    assert "1 building(s) counted (400 people)" in line
    assert "4 tagged people located, 1 outside buildings and 9 at gates" in line
    assert "oldest count 30 s before the start" in line
    doubled, _ = twin_occupants(p, people, "night", scale=2.0)
    assert doubled == {b: round(2 * n) for b, n in expected.items()}


def _recording(tmp_path, rows):
    path = tmp_path / "people.csv"
    path.write_text(
        "time,tag,value,quality\n" + "".join(f"{format_time(t)},{g},{v},good\n" for t, g, v in rows)
    )
    return path


START = "2026-01-15T02:00:00Z"


def test_a_run_starts_from_the_twin_headcounts_and_says_so(tmp_path):
    t = parse_time(START)
    path = _recording(
        tmp_path,
        [
            (t - 120, "headcount/B-DORM-1", 40),
            (t - 60, "headcount/B-E01-WS", 3),
            (t + 30, "headcount/B-DORM-1", 900),  # after the start: not used
        ],
    )
    sc = scenario(
        population={"headcounts": None, "from": "twin", "period": "night"},
        twin={"recording": str(path), "weather": False, "state": False},
    )
    e = Engine(sc, park())
    per_building = dict(zip(e.pop.building_ids, [0] * len(e.pop.building_ids), strict=True))
    for b in e.pop.building:
        per_building[e.pop.building_ids[b]] += 1
    assert per_building["B-DORM-1"] == 40
    assert per_building["B-E01-WS"] == 3
    design = park_occupants(park(), "night")
    assert per_building["B-DORM-2"] == design["B-DORM-2"]
    said = [what for _, what in e.events if what.startswith("people start from")]
    assert said and "the twin's headcounts: 2 building(s) counted (43 people)" in said[0]


def test_a_run_without_headcounts_in_the_recording_uses_the_design_occupancy(tmp_path):
    t = parse_time(START)
    path = _recording(tmp_path, [(t - 60, "LT-NB101", 2.0), (t + 60, "LT-NB101", 2.0)])
    sc = scenario(
        population={"headcounts": None, "from": "twin", "period": "night"},
        twin={"recording": str(path), "weather": False, "state": False},
    )
    e = Engine(sc, park())
    assert len(e.pop) == sum(n for n in park_occupants(park(), "night").values() if n > 0)
    said = [what for _, what in e.events if what.startswith("people start from")]
    assert said == [
        "people start from design occupancy (night): the twin has no headcounts at the start"
    ]


def test_population_from_twin_needs_a_twin_section_and_excludes_headcounts():
    with pytest.raises(ScenarioError, match=r"population\.from: 'twin' needs a \[twin\]"):
        Engine(scenario(population={"headcounts": None, "from": "twin"}), park())
    with pytest.raises(ScenarioError, match=r"population: .*either from = 'twin' or headcounts"):
        scenario(population={"from": "twin"})
