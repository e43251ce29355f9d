"""parktwin qra and parktwin compare on a small park (one chlorine vessel), end to end."""

import subprocess
import sys

import geopandas as gpd
import pandas as pd
import pytest

from tests.parks import demo_layers, write_gpkg


@pytest.fixture(scope="module")
def small_parks(tmp_path_factory):
    """The demo park with only tank CL-101 (no pipelines), and the same with the two
    dormitories gone."""
    folder = tmp_path_factory.mktemp("parks")
    layers = demo_layers()
    layers["tanks"] = layers["tanks"][layers["tanks"]["id"] == "CL-101"]
    layers["pipelines"] = layers["pipelines"].iloc[0:0]
    sensors = layers["sensors"]
    layers["sensors"] = sensors[sensors["asset"].isin(["CL-101", "B-ADMIN"])]
    before = write_gpkg(layers, folder / "before.gpkg")
    b = layers["buildings"]
    layers["buildings"] = b[~b["id"].str.startswith("B-DORM")]
    after = write_gpkg(layers, folder / "after.gpkg")
    return before, after


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
    assert "max individual risk" in done.stdout and "societal risk" in done.stdout
    contours = gpd.read_file(tmp_path / "qra.gpkg", layer="risk_contours")
    assert contours.crs.to_epsg() == 4326 and contours.geometry.is_valid.all()
    report = (tmp_path / "qra_report.html").read_text(encoding="utf-8")
    for section in ("Inputs and assumptions", "Criteria checks", "Limits of the models"):
        assert f"<h2>{section}</h2>" in report
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
    assert "largest increase 0.00e+00" in done.stdout
    assert "Evacuation of everyone inside the park" in done.stdout
    assert len(pd.read_csv(tmp_path / "compliance_changed.csv")) == 0


def test_compare_reports_the_evacuation_of_both_layouts(small_parks, tmp_path):
    """Without the dormitories the park has 2,900 fewer people to evacuate at night."""
    from scenarios.evacuation import evacuation_figures
    from twin import load_park

    before, after = (evacuation_figures(load_park(p)) for p in small_parks)
    assert before["persons"] - after["persons"] == 2900
    assert after["evacuation time [s]"] < before["evacuation time [s]"]
    assert before["arrived within the hour"] == before["persons"]


def test_bad_cell_size_is_one_line(small_parks):
    before, _ = small_parks
    done = cli("qra", str(before), "--cell", "-5 m")
    assert done.returncode == 2 and "Traceback" not in done.stderr


def test_unknown_probit_source_is_one_line(small_parks):
    before, _ = small_parks
    done = cli("qra", str(before), "--probit-source", "tno")
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2 and len(lines) == 1 and "Traceback" not in done.stderr
    assert "--probit-source: unknown probit source 'tno'; valid: purple-book, lees" in lines[0]
