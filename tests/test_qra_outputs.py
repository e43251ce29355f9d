"""QRA outputs: GB/T 37243 methods and distances per unit, files and figures."""

import numpy as np
import pandas as pd
import pytest

import twin
from scenarios.qra import catalogue as cat
from scenarios.qra import risk
from scenarios.qra.run import run_qra, write_outputs
from scenarios.qra.safety_distance import METHOD_CODES, METHOD_QRA, safety_distances
from tests.report_text import assert_reads_well
from viz import risk_figures
from viz.report import qra_report, qra_summary_lines


@pytest.fixture(scope="module")
def run():
    park = twin.load_park("demo")
    events = [e for e in cat.catalogue(park) if e.asset in ("NB-101", "ME-101")]
    climate = pd.DataFrame(
        {
            "period": ["day", "night"],
            "weather": ["D5", "F1.5"],
            "wind_from_deg": [45.0, 200.0],
            "probability": [0.5, 0.5],
        }
    )
    grid = risk.Grid.for_park(park, margin_m=300.0, cell_m=20.0)
    return park, run_qra(park, events=events, climate=climate, grid=grid, workers=0, progress=False)


def test_safety_distance_methods(run):
    """GB/T 37243-2019 as quoted second-hand: toxic/flammable gas units with
    S >= 1 by QRA; the rest by the design codes. Ammonia (E02, pressurised) is a QRA unit;
    methanol (E04, atmospheric liquid) is not. The distance to E02's own contour grows as
    the criterion falls."""
    park, result = run
    table = safety_distances(park, result).set_index("enterprise")
    assert table.loc["E02", "method"] == METHOD_QRA
    assert table.loc["E04", "method"] == METHOD_CODES
    assert np.isnan(table.loc["E04", "distance_m_at_3e-07"])
    d = table.loc["E02", ["distance_m_at_3e-05", "distance_m_at_3e-06", "distance_m_at_3e-07"]]
    assert d.iloc[0] <= d.iloc[1] <= d.iloc[2]
    assert d.iloc[2] > 0


def test_contours_nest_and_outputs_are_written(run, tmp_path):
    park, result = run
    areas = result.contours.set_index("level").area_m2
    assert np.all(np.diff(areas.loc[list(risk.CONTOUR_LEVELS)].to_numpy()) >= 0)
    paths = write_outputs(result, park, tmp_path)
    assert all(p.exists() for p in paths)
    written = pd.read_csv(tmp_path / "fn_contributors.csv")
    assert written.event.tolist() == result.fn_contributors.event.tolist()
    np.testing.assert_allclose(written.share_of_F.sum(), 1.0)
    assert any("not confirmed" in line for line in qra_summary_lines(result))


def test_figures_are_pngs(run, tmp_path):
    park, result = run
    for path in (
        risk_figures.risk_contour_figure(result, park, tmp_path / "contours.png"),
        risk_figures.fn_figure({"demo": result.fn}, tmp_path / "fn.png"),
        risk_figures.risk_grid_figure(result, park, tmp_path / "grid.png"),
    ):
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_qra_report_reads_well_and_says_when_the_grid_cuts_a_contour(run, tmp_path, monkeypatch):
    """A risk grid held to its first size (a cell budget below it) cannot grow: the
    contours reaching its edge are marked, and the report says so in its first section
    and in the contour table; without the budget the grid grows and every contour closes."""
    park, result = run
    assert not result.contours["clipped"].any()
    page = qra_report(result, park, [], tmp_path / "qra.html").read_text("utf-8")
    assert_reads_well(page, first="What was found")
    assert "reach the edge of the risk grid" not in page

    events = result.events
    small = risk.Grid.for_park(park, margin_m=0.0, cell_m=20.0)
    climate = pd.DataFrame(
        {"period": ["night"], "weather": ["F1.5"], "wind_from_deg": [45.0], "probability": [1.0]}
    )
    monkeypatch.setattr(risk, "MAX_GRID_CELLS", small.nx * small.ny)
    cut = run_qra(park, events=events, climate=climate, grid=small, workers=0, progress=False)
    clipped = cut.contours[cut.contours["clipped"]]
    assert len(clipped) and (clipped["clipped_edges"] != "").all()
    page = qra_report(cut, park, [], tmp_path / "cut.html").read_text("utf-8")
    assert_reads_well(page, first="What was found")
    assert "reach the edge of the risk grid" in page and "at least" in page
    assert "cut by the grid" in " ".join(qra_summary_lines(cut))
