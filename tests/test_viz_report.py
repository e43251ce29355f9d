"""The zones report: one self-contained HTML file with every section."""

import re

from scenarios.release import source_term
from scenarios.zones import Weather, threat_zones
from twin import load_park
from viz.figures import park_figure
from viz.report import SECTIONS, zones_report


def test_zones_report_has_every_section_and_no_external_files(tmp_path):
    park = load_park("demo")
    result = threat_zones(
        park, source_term(park, "CL-101", hole_diameter_m=0.025), Weather(3.0, 45.0, "D")
    )
    png = park_figure(park, tmp_path / "zones.png", zones=result.zones)
    page = zones_report(result, park, [png], tmp_path / "report.html").read_text(encoding="utf-8")
    for section in SECTIONS:
        assert f"<h2>{section}</h2>" in page
    assert "AEGL-3" in page and "Britter" in page and "chlorine" in page
    assert "data:image/png;base64," in page
    assert not re.search(r"""(src|href)=["']https?://""", page)
