"""The zones report: one self-contained HTML file with every section, results first, the
release conditions at the head, rounded numbers with units, caveats grouped last."""

import re

import pytest

from scenarios.release import source_term
from scenarios.zones import Weather, threat_zones
from tests.report_text import assert_reads_well, headings, visible_text
from twin import load_park
from viz.figures import park_figure
from viz.report import SECTIONS, zones_report


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("zones_report")
    park = load_park("demo")
    result = threat_zones(
        park, source_term(park, "CL-101", hole_diameter_m=0.025), Weather(3.0, 45.0, "D")
    )
    png = park_figure(park, tmp / "zones.png", zones=result.zones, envelope=result.envelope)
    release = dict(
        hole_m=0.025, rupture=False, hole_height_m=0.5, duration_s=1800.0, time=1764554400.0
    )
    return zones_report(result, park, [png], tmp / "report.html", release).read_text("utf-8")


def test_zones_report_has_every_section_and_no_external_files(page):
    assert headings(page) == list(SECTIONS)
    assert "AEGL-3" in page and "chlorine" in page
    # the model it used, and its limits, named; not the screening workbook it no longer uses
    assert "integral plume" in page and "bench/VALIDATION.md" in page
    assert "Britter" not in page
    assert "data:image/png;base64," in page
    assert not re.search(r"""(src|href)=["']https?://""", page)


def test_zones_report_opens_with_results_and_the_release_conditions(page):
    assert_reads_well(page, first="What happened")
    assert headings(page)[1] == "Release conditions"
    text = visible_text(page)
    for shown in (
        "25 mm equivalent diameter",  # hole
        "0.5 m above the bottom",  # height
        "30 min",  # duration
        "2025-12-01 02:00 UTC",  # time
        "3 m/s from NE (45 deg)",  # weather
        "Pasquill class D",
    ):
        assert shown in text, shown
    assert "wind-direction envelope" in text
    caveats = page[page.index("Assumptions and caveats") :]
    assert headings(caveats, 3)[:1] == ["Inputs"] and "Limits of the models" in caveats
    # the caveats come after every result: the first limit is not before the zones table
    assert page.index("flat, open") > page.index("farthest distance")


def test_a_zones_report_without_the_release_says_what_it_was_not_given(tmp_path):
    park = load_park("demo")
    result = threat_zones(
        park, source_term(park, "CL-101", hole_diameter_m=0.025), Weather(3.0, 45.0, "D")
    )
    page = zones_report(result, park, [], tmp_path / "r.html").read_text("utf-8")
    assert "not computed (not given to the report)" in visible_text(page)
    assert_reads_well(page, first="What happened")
