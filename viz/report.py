"""Self-contained HTML reports: everything in one file (figures inlined as PNG data), so it
can be mailed, archived or opened offline.

A report has these sections, in order: inputs and assumptions, models and their
references, results (a distance table per level of concern), people and targets
affected, figures, criteria checks where the run has any, and the limits of the models.
"""

import base64
import html
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

SECTIONS = (
    "Inputs and assumptions",
    "Models and references",
    "Threat zones",
    "People and targets affected",
    "Figures",
    "Criteria checks",
    "Limits of the models",
)

ZONES_LIMITS = (
    "Zones are for flat, open (or uniformly urban) ground and a steady wind: buildings, "
    "terrain and obstacles that channel or trap a cloud are not modelled.",
    "Concentrations near the source (within about 100 m) and beyond 10 km are least "
    "reliable; zones are not drawn beyond 10 km.",
    "Low wind speeds and very stable air (class F) allow concentrations to vary much more "
    "than a Gaussian or box model predicts; wind shifts and meander are shown only by the "
    "wind-direction envelope.",
    "The dense-gas model (Britter & McQuaid 1988 workbook) is a correlation of field and "
    "wind-tunnel trials; against the Burro and Coyote LNG trials it over-predicted arc "
    "maxima (see bench/VALIDATION.md).",
    "Chemical reactions in the cloud (ammonia with moisture, hydrogen fluoride "
    "oligomerisation), deposition and fire-induced plume rise are not modelled.",
    "Fires are circular (wind tilt of the flame is not drawn); the vapour cloud explosion "
    "is centred half way to the LFL distance with a user-set blast strength.",
    "People are counted as whole buildings that a zone touches; being inside reduces the "
    "dose, which these steady zones do not account for.",
)


def _table(frame: pd.DataFrame) -> str:
    return frame.to_html(index=False, border=0, classes="t", na_rep="", escape=True)


def _png(path: Path) -> str:
    data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
    return f'<img alt="{html.escape(Path(path).name)}" src="data:image/png;base64,{data}">'


def _page(title: str, sections: dict[str, str]) -> str:
    style = (
        "body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}"
        "table.t{border-collapse:collapse;font-size:90%}"
        "table.t td,table.t th{border-bottom:1px solid #ccc;padding:3px 8px;text-align:left}"
        "img{max-width:100%}h2{border-bottom:2px solid #444;padding-bottom:2px}"
    )
    body = "".join(
        f'<section id="s{k}"><h2>{html.escape(name)}</h2>{content}</section>'
        for k, (name, content) in enumerate(sections.items())
    )
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        f"<style>{style}</style></head><body><h1>{html.escape(title)}</h1>"
        f"<p>parktwin report, {stamp}</p>{body}</body></html>"
    )


def zones_report(result, park, figures: list[Path], out_html: Path) -> Path:
    """Write the report of a zones run (``scenarios.zones.ZonesResult``) to ``out_html``."""
    t, w = result.term, result.weather
    inputs = pd.DataFrame(
        [
            ("park", Path(park.source).name),
            ("asset", f"{t.asset} ({t.substance.name}, CAS {t.substance.cas})"),
            ("release", t.model),
            ("inventory", f"{t.inventory_kg / 1000:,.1f} t"),
            (
                "airborne",
                f"{t.airborne_total_kg / 1000:,.2f} t; "
                f"peak 1-min rate {t.max_average_rate():.2f} kg/s",
            ),
            ("wind", f"{w.wind_speed_m_s:g} m/s from {w.wind_from_deg:g} deg"),
            ("stability", w.stability),
            ("air temperature", f"{w.air_temperature_K - 273.15:.1f} degC"),
            ("ground", w.terrain),
            ("population", result.population),
        ],
        columns=["input", "value"],
    )
    assumptions = "".join(f"<li>{html.escape(a)}</li>" for a in result.assumptions)
    models = "".join(f"<li>{html.escape(m)}</li>" for m in result.models)
    table = result.distance_table().copy()
    table["distance_m"] = [
        ">= 10 km" if b else f"{d:,.0f}"
        for d, b in zip(table.distance_m, table.beyond_10km, strict=True)
    ]
    table = table.drop(columns="beyond_10km")
    affected = (
        result.affected if len(result.affected) else pd.DataFrame({"": ["nobody inside any zone"]})
    )
    limits = "".join(f"<li>{html.escape(line)}</li>" for line in ZONES_LIMITS)
    sections = {
        SECTIONS[0]: _table(inputs) + f"<ul>{assumptions}</ul>",
        SECTIONS[1]: f"<ul>{models}</ul>",
        SECTIONS[2]: _table(table),
        SECTIONS[3]: _table(affected),
        SECTIONS[4]: "".join(_png(p) for p in figures),
        SECTIONS[5]: "<p>No criteria apply to a single consequence run; see the QRA report "
        "for GB 36894-2018 individual and societal risk.</p>",
        SECTIONS[6]: f"<ul>{limits}</ul>",
    }
    out_html = Path(out_html)
    out_html.write_text(
        _page(f"Threat zones: {t.asset} ({t.substance.name})", sections), encoding="utf-8"
    )
    return out_html
