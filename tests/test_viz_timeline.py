"""The timeline PNG of an engine run and the series it draws.

The oracle is the result itself (an internal consistency check, no published example
applies): the plotted series must be the result's timeline, its per-step building
concentrations must peak at the buildings' recorded outdoor peaks, a point on a cloud
frame's grid node must read that node's value (bilinear interpolation is exact at nodes),
and the markers must be the first alarm and the decision of the events.
"""

import matplotlib.image as mpimg
import numpy as np
import pytest
from numpy.testing import assert_allclose

import twin
from scenarios import engine, scenario_file
from viz.timeline import MOST_EXPOSED, markers, timeline_figure, timeline_series

FLAGSHIP = "scenarios/demo/drill_nb101.toml"


@pytest.fixture(scope="module")
def result():
    return engine.run(scenario_file.load(FLAGSHIP), twin.load_park("demo"))


def test_release_and_people_are_the_timeline(result):
    s = timeline_series(result)
    tl = result.timeline
    assert_allclose(s["release"].index, tl["time_s"])
    assert_allclose(s["release"]["released_kg"], tl["released_kg"])
    assert_allclose(s["release"]["outflow_kg_s"], tl["outflow_kg_s"])
    assert_allclose(s["people"]["evacuated"], tl["arrived"])
    assert_allclose(s["people"]["on_the_move"], tl["walking"] + tl["queued"])
    for level in result.levels:
        assert_allclose(s["people"][f"above_{level}"], tl[f"people_above_{level}"])
    # everyone evacuates in the flagship drill: the curve ends at the head count
    assert s["people"]["evacuated"].iloc[-1] == len(result.persons)


def test_most_exposed_buildings_and_their_peaks(result):
    s = timeline_series(result)
    shown = [c for c in s["concentration"].columns if c.startswith("building ")]
    assert 0 < len(shown) <= MOST_EXPOSED
    peaks = result.buildings["outdoor_peak_kg_m3"]
    assert [c.removeprefix("building ") for c in shown] == list(
        peaks.sort_values(ascending=False, kind="stable").index[: len(shown)]
    )
    for col in shown:
        assert_allclose(s["concentration"][col].max(), peaks[col.removeprefix("building ")])


def test_point_concentration_from_the_cloud_frames(result):
    k = int(np.argmax([f[3].max() for f in result.cloud]))
    t, x, y, c = result.cloud[k]
    row, col = np.unravel_index(np.argmax(c), c.shape)
    far = (x[0] - 50_000.0, y[0])
    s = timeline_series(result, {"node": (x[col], y[row]), "far": far})
    conc = s["concentration"]
    assert_allclose(conc.loc[t, "point node"], c[row, col], rtol=1e-6)
    assert conc["point far"].dropna().eq(0.0).all()
    assert_allclose(conc["point node"].dropna().index, [f[0] for f in result.cloud])


def test_markers_are_the_alarms_and_the_decision(result):
    marks = dict(timeline_series(result)["markers"])
    assert marks["first alarm"] == result.alarms["time_s"].min()
    assert marks["decision"] == result.key_figures()["decision_s"]
    assert marks["first warning"] == result.buildings["warned_s"].min()
    assert list(marks.values()) == sorted(marks.values())


def test_png_written_sized_and_not_blank(result, tmp_path):
    tank = twin.load_park("demo").tanks.geometry["NB-101"]
    png = timeline_figure(
        result,
        tmp_path / "timeline.png",
        {"50 m south": (tank.x, tank.y - 50.0)},
        size_px=(1200, 1000),
        dpi=100,
    )
    img = mpimg.imread(png)
    assert img.shape[:2] == (1000, 1200)
    assert distinct_colours(img) > 20  # lines in many colours, not a flat background
    assert distinct_colours(np.ones_like(img)) == 1  # the check fails on a blank page


def distinct_colours(img) -> int:
    """Colours (16 levels a channel) among every 13th pixel."""
    return len({tuple(p) for p in (img[..., :3] * 15).round().astype(int).reshape(-1, 3)[::13]})


def test_marker_names_do_not_overlap(result):
    """The flagship's first alarm and first AL2 alarm fall in the same step: their names
    stand in one legend below the panels, each with its time, and no two texts of the
    legend overlap, nor the panels."""
    from viz.timeline import draw_timeline

    fig = draw_timeline(result, size_px=(800, 750), dpi=80)
    (legend,) = fig.legends
    names = [t.get_text() for t in legend.get_texts()]
    assert [n.split(" at ")[0] for n in names] == [label for label, _ in markers(result)]
    assert all(" at " in n and n.rsplit(" ", 1)[-1] in ("s", "min") for n in names), names
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in legend.get_texts()]
    lowest = min(ax.get_tightbbox(renderer).y0 for ax in fig.axes)
    assert all(box.y1 <= lowest for box in boxes)  # below the panels
    for k, a in enumerate(boxes):
        for b in boxes[k + 1 :]:
            assert not a.overlaps(b)
