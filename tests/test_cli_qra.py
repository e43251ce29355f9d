"""parktwin qra and parktwin compare on a small park (one chlorine vessel), end to end."""

import re
import subprocess
import sys

import geopandas as gpd
import pandas as pd
import pytest

from tests.parks import demo_layers, write_gpkg
from tests.report_text import assert_reads_well, headings
from viz.report import QRA_SECTIONS


def _small_layers():
    layers = demo_layers()
    layers["tanks"] = layers["tanks"][layers["tanks"]["id"] == "CL-101"]
    layers["pipelines"] = layers["pipelines"].iloc[0:0]
    sensors = layers["sensors"]
    layers["sensors"] = sensors[sensors["asset"].isin(["CL-101", "B-ADMIN"])]
    return layers


@pytest.fixture(scope="module")
def small_parks(tmp_path_factory):
    """The demo park with only tank CL-101 (no pipelines), and the same with the two
    dormitories gone."""
    folder = tmp_path_factory.mktemp("parks")
    layers = _small_layers()
    before = write_gpkg(layers, folder / "before.gpkg")
    b = layers["buildings"]
    layers["buildings"] = b[~b["id"].str.startswith("B-DORM")]
    after = write_gpkg(layers, folder / "after.gpkg")
    return before, after


@pytest.fixture(scope="module")
def moved_park(tmp_path_factory):
    """The small park with dormitory B-DORM-1 moved 0.004 deg (about 400 m) east."""
    layers = _small_layers()
    b = layers["buildings"]
    dorm = b["id"] == "B-DORM-1"
    b.loc[dorm, "geometry"] = b.loc[dorm, "geometry"].translate(xoff=0.004)
    return write_gpkg(layers, tmp_path_factory.mktemp("moved") / "moved.gpkg")


def cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "cli", *args], capture_output=True, text=True, timeout=300
    )


def test_qra_writes_contours_report_and_map(small_parks, tmp_path):
    before, _ = small_parks
    done = cli(
        "qra",
        str(before),
        "--cell",
        "50 m",
        "--margin",
        "1 km",
        "--workers",
        "1",
        "--out",
        str(tmp_path),
    )
    assert done.returncode == 0, done.stderr
    assert "highest individual risk" in done.stdout and "societal risk" in done.stdout
    # piped: a line per stage from the first, then the loss events as they are done
    lines = done.stdout.splitlines()
    assert lines[0].startswith("loading park")
    stages = [k for k, line in enumerate(lines) if line.startswith("qra: ")]
    assert stages[0] == 1 and "qra: loss events 3/3 (100 %)" in done.stdout
    assert max(stages) < next(k for k, line in enumerate(lines) if "highest individual" in line)
    contours = gpd.read_file(tmp_path / "qra.gpkg", layer="risk_contours")
    assert contours.crs.to_epsg() == 4326 and contours.geometry.is_valid.all()
    report = (tmp_path / "qra_report.html").read_text(encoding="utf-8")
    assert headings(report) == list(QRA_SECTIONS)
    assert_reads_well(report, first="What was found")
    assert "Limits of the models" in report
    assert (tmp_path / "fn_curve.png").stat().st_size > 10_000
    assert (tmp_path / "risk_map.html").exists()


def test_compare_a_park_with_itself_changes_nothing(small_parks, tmp_path):
    before, _ = small_parks
    done = cli(
        "compare",
        str(before),
        str(before),
        "--cell",
        "50 m",
        "--margin",
        "1 km",
        "--workers",
        "1",
        "--out",
        str(tmp_path),
    )
    assert done.returncode == 0, done.stderr
    out = " ".join(done.stdout.split())
    assert "largest increase 0 per year" in out
    assert "Individual risk is a property of the place" in out
    assert "All 3 loss events are the same in both layouts" in out
    assert "Evacuation of everyone inside the park" in out
    assert "Buildings and targets whose risk, status or place changed" not in out
    assert len(pd.read_csv(tmp_path / "compliance_changed.csv")) == 0
    assert len(pd.read_csv(tmp_path / "receptors_before_after.csv")) == 0


def test_compare_lists_what_changed_names_the_moved_building_and_judges_it_as_new(
    small_parks, moved_park, tmp_path
):
    """Moving a dormitory: the only row is that dormitory, judged against the GB 36894
    criterion for new buildings (3e-7 /yr for class-1 general, as quoted); the risk map
    does not change; the evacuation time carries its unit; the report reads well."""
    before, _ = small_parks
    done = cli(
        "compare", str(before), str(moved_park), "--cell", "50 m", "--margin", "1 km",
        "--workers", "0", "--out", str(tmp_path),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    out = " ".join(done.stdout.split())
    assert "Changed between the layouts: buildings moved: 1." in out
    assert "B-DORM-1, moved" in out and "judged against the stricter criterion" in out
    rows = pd.read_csv(tmp_path / "receptors_before_after.csv")
    assert rows["id"].tolist() == ["B-DORM-1"]
    assert rows.loc[0, "judged_as_after"] == "new" and rows.loc[0, "change"] == "moved"
    expected = (
        "above the criterion for new buildings"
        if rows.loc[0, "individual_risk_after"] > 3e-7
        else "meets criteria"
    )
    assert rows.loc[0, "status_after"] == expected
    assert "largest increase 0 per year" in out
    evac = [line for line in done.stdout.splitlines() if "evacuation time" in line]
    assert evac and all(re.search(r"\d+ (min|s|h)\b", line) for line in evac), evac
    assert_reads_well((tmp_path / "compare.html").read_text("utf-8"), first="What changed")


def test_compare_evaluates_unchanged_events_once_and_matches_two_separate_runs(small_parks):
    """The same tank in both layouts: every event is planned once for both layouts, and
    the shared run gives the after layout exactly what its own QRA gives."""
    from numpy.testing import assert_allclose

    from scenarios.qra import catalogue as cat
    from scenarios.qra import compare, run_qra
    from scenarios.qra.compare import common_grid
    from scenarios.qra.run import plan
    from twin import load_park

    a, b = (load_park(p) for p in small_parks)
    tasks = plan([a, b], [cat.catalogue(a), cat.catalogue(b)])
    assert tasks and all(layouts == (0, 1) for _, _, layouts in tasks)
    grid = common_grid(a, b, cell_m=100.0, margin_m=500.0)
    kw = dict(grid=grid, workers=0, progress=False)
    both = compare(a, b, **kw)
    alone = run_qra(b, **kw)
    assert both.events_shared == both.events_total == len(alone.events)
    assert_allclose(both.after.individual_risk, alone.individual_risk)
    pd.testing.assert_frame_equal(both.after.fn, alone.fn)
    assert_allclose(both.difference, 0.0)


def test_a_changed_tank_is_evaluated_for_each_layout(tmp_path):
    """A tank filled differently is not the same source: its events are planned once per
    layout, never shared."""
    from scenarios.qra import catalogue as cat
    from scenarios.qra.run import plan
    from twin import load_park

    layers = _small_layers()
    a = load_park(write_gpkg(layers, tmp_path / "a.gpkg"))
    layers["tanks"]["fill_pct"] = layers["tanks"]["fill_pct"] * 0.5
    b = load_park(write_gpkg(layers, tmp_path / "b.gpkg"))
    tasks = plan([a, b], [cat.catalogue(a), cat.catalogue(b)])
    assert sorted(layouts for _, _, layouts in tasks) == [(0,), (1,)]


def test_compare_reports_the_evacuation_of_both_layouts(small_parks, tmp_path):
    """Without the dormitories the park has 2,900 fewer people to evacuate at night."""
    from scenarios.evacuation import evacuation_figures
    from twin import load_park

    before, after = (evacuation_figures(load_park(p)) for p in small_parks)
    assert before["persons"] - after["persons"] == 2900
    assert after["evacuation time [s]"] < before["evacuation time [s]"]
    assert before["arrived within the hour"] == before["persons"]


def test_bad_cell_size_is_one_line(parktwin, small_parks):
    before, _ = small_parks
    done = parktwin("qra", str(before), "--cell", "-5 m")
    assert done.returncode == 2 and "Traceback" not in done.stderr


def test_unknown_probit_source_is_one_line(parktwin, small_parks):
    before, _ = small_parks
    done = parktwin("qra", str(before), "--probit-source", "tno")
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2 and len(lines) == 1 and "Traceback" not in done.stderr
    assert "--probit-source: unknown probit source 'tno'; valid: purple-book, lees" in lines[0]
