"""The large demo park's generator (geodata/demo/build_large.py): the counts the issue "A park
at real scale" asks for, a valid park, the same park from the same seed, the cache.

The tests build a small park (a dozen enterprises) with the generator's rules; the full
size is checked on the generated rows only (no GeoPackage, no load)."""

from pathlib import Path

import pandas as pd
import pytest

from cli import main
from geodata.demo import build_large
from geodata.load import resolve_source
from scenarios.release import source_term
from scenarios.zones import PLAN_KINDS, Weather, threat_zones
from twin import load_park

SMALL = 12
DEMO = Path(__file__).parent.parent / "scenarios" / "demo"


@pytest.fixture(scope="module")
def small_path(tmp_path_factory):
    return build_large.build(tmp_path_factory.mktemp("large") / "small.gpkg", SMALL)


@pytest.fixture(scope="module")
def small_park(small_path):
    return load_park(small_path)


def test_small_park_loads_and_every_building_reaches_a_gate(small_park):
    park = small_park
    assert len(park.enterprises) == SMALL
    assert park.network.unreachable(list(park.buildings.index), list(park.gates.index)) == []
    assert park.network.unattached == []
    # every chemical resolved by the property library (load_park would have raised)
    assert park.tanks["cas"].notna().all()


def test_small_park_has_every_kind_of_feature(small_park):
    park = small_park
    tanks_per_enterprise = park.tanks.groupby("enterprise").size()
    assert tanks_per_enterprise.index.size == SMALL
    assert tanks_per_enterprise.between(1, 18).all()
    assert len(park.pipelines) >= 1
    assert set(park.pipelines["to_asset"]) <= set(
        park.buildings.index[park.buildings["use"] == "workshop"]
    )
    kinds = park.sensors["kind"].value_counts()
    assert kinds["level"] == len(park.tanks)
    assert kinds["flow"] == len(park.pipelines)
    assert kinds["gas_toxic"] + kinds["gas_combustible"] > 0
    dorms = park.buildings[park.buildings["use"] == "dormitory"]
    # the published 2,900 dormitory residents for 187 enterprises, scaled to the park's size
    assert dorms["occupants_night"].sum() == round(2900 * SMALL / 187)
    assert len(park.gates) >= 4 and len(park.assembly_points) >= 1
    assert len(park.targets) >= 4
    boundary = park.boundary.union_all()
    assert not park.targets.intersects(boundary).any()


def test_full_size_matches_the_issue_targets():
    rows = build_large.layers()
    assert len(rows["enterprises"]) == 190
    assert 900 <= len(rows["tanks"]) <= 1100
    assert sum(p["geometry"].length for p in rows["pipelines"]) >= 60e3
    assert 18_000 <= sum(b["occupants_day"] for b in rows["buildings"]) <= 22_000
    dorms = [b for b in rows["buildings"] if b["use"] == "dormitory"]
    assert sum(b["occupants_night"] for b in dorms) == round(2900 * 190 / 187)
    assert 2_500 <= len(rows["sensors"]) <= 3_500
    assert len(rows["gates"]) >= 4 and len(rows["targets"]) >= 4


def _signature(rows):
    return {
        name: [{k: (v.wkt if k == "geometry" else v) for k, v in row.items()} for row in features]
        for name, features in rows.items()
    }


def test_same_seed_same_park_other_seed_other_park():
    first = _signature(build_large.layers(SMALL, seed=7))
    assert first == _signature(build_large.layers(SMALL, seed=7))
    assert first["tanks"] != _signature(build_large.layers(SMALL, seed=8))["tanks"]


def test_cached_park_is_built_once(tmp_path):
    path = build_large.cached_park(SMALL, seed=3, folder=tmp_path)
    stamp = path.stat().st_mtime_ns
    assert build_large.cached_park(SMALL, seed=3, folder=tmp_path) == path
    assert path.stat().st_mtime_ns == stamp
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


def test_large_resolves_to_the_cache_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("PARKTWIN_CACHE", str(tmp_path))
    built = []
    monkeypatch.setattr(
        build_large, "build", lambda out, enterprises, seed: built.append(out) or out.touch()
    )
    path = resolve_source("large")
    assert path.parent == tmp_path and path.exists()
    assert f"_{build_large.ENTERPRISES}_{build_large.SEED}_" in path.name
    assert len(built) == 1


def test_zones_count_through_the_spatial_index_as_one_test_per_row(small_park):
    """People, buildings, targets and plan features inside the zones of a release on the
    small generated park: the spatial-index counts equal a plain intersects test per row."""
    park = small_park
    asset = park.tanks.index[park.tanks["cas"] == "7664-41-7"][0]  # ammonia
    term = source_term(park, asset, rupture=True)
    result = threat_zones(park, term, Weather(3.0, 45.0, "D"))
    assert len(result.zones) and result.zones["buildings"].sum() > 0
    b, t = park.buildings, park.targets
    for _, z in result.zones.iterrows():
        inside_b = b.index[b.intersects(z.geometry)]
        inside_t = t.index[t.intersects(z.geometry)]
        assert z.buildings == len(inside_b)
        pop = result.population
        people = (
            b.loc[inside_b, f"occupants_{pop}"].sum() + t.loc[inside_t, f"population_{pop}"].sum()
        )
        assert z.people == people
        in_plan = result.plan[(result.plan.hazard == z.hazard) & (result.plan.level == z.level)]
        for layer, kind in PLAN_KINDS.items():
            frame = park.layers[layer]
            expected = list(frame.index[frame.intersects(z.geometry)])
            assert list(in_plan.loc[in_plan.kind == kind, "id"]) == expected


def test_cli_hazards_runs_on_a_generated_park(small_path, tmp_path):
    """``parktwin hazards`` end to end on a generated park: every enterprise graded. (The
    zones on such a park are tested above; the engine on the large park runs in
    bench/scale.py.)"""
    assert main(["hazards", str(small_path), "--out", str(tmp_path)]) == 0
    hazards = pd.read_csv(tmp_path / "major_hazards.csv")
    assert len(hazards) and hazards["enterprise"].nunique() > 1


def test_cli_run_on_a_generated_park(small_path, small_park, tmp_path):
    """``parktwin run`` end to end on a generated park: the demo's ammonia night scenario
    moved to the generated park's first ammonia tank and fire station, five minutes: every
    night occupant of its buildings is in the run, and the release is under way."""
    park = small_park
    tank = park.tanks.index[park.tanks["cas"] == "7664-41-7"][0]  # ammonia
    station = park.buildings.index[park.buildings["use"] == "fire_station"][0]
    text = (DEMO / "ammonia_night.toml").read_text()
    for old, new in (
        ('park = "demo"', f"park = '{small_path.as_posix()}'"),
        ('asset = "NH-101"', f'asset = "{tank}"'),
        ('station = "B-FIRE"', f'station = "{station}"'),
        ('duration = "60 min"', 'duration = "5 min"'),
    ):
        assert old in text
        text = text.replace(old, new)
    scenario = tmp_path / "on_generated.toml"
    scenario.write_text(text)
    assert main(["run", str(scenario), "--out", str(tmp_path / "out")]) == 0
    figures = pd.read_csv(tmp_path / "out" / "key_figures.csv").iloc[0]
    assert figures["persons"] == park.buildings["occupants_night"].sum()
    timeline = pd.read_csv(tmp_path / "out" / "timeline.csv")
    assert timeline["released_kg"].iloc[-1] > 0
