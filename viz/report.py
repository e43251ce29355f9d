"""Self-contained HTML reports: everything in one file (figures inlined as PNG data), so it
can be mailed, archived or opened offline.

A report has these sections, in order: inputs and assumptions, models and their
references, results (a distance table per level of concern), people and targets
affected, figures, criteria checks where the run has any, and the limits of the models.
``zones_report`` writes one for a zones run (``SECTIONS``), ``scenario_report`` for an engine
run (``SCENARIO_SECTIONS``: the same, with the run's key figures added).
"""

import base64
import html
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
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


SCENARIO_SECTIONS = (
    "Inputs and assumptions",
    "Models and references",
    "Key figures",
    "Threat zones",
    "People and targets affected",
    "Figures",
    "Criteria checks",
    "Limits of the models",
)

SCENARIO_MODELS = (
    "Release: discharge through the hole following the tank's head and inventory (liquid, "
    "gas, two-phase flashing), CCPS Guidelines for Consequence Analysis of Chemical Releases "
    "(1999) ch. 2; TNO Yellow Book CPR 14E ch. 2.",
    "Dispersion: a Gaussian puff per step moved with the wind of the moment, Briggs (1973) "
    "sigmas over the path travelled, CCPS (1999) ch. 2.3; dense near field from the "
    "Britter & McQuaid (1988) HSE workbook where the Britter-McQuaid criterion calls the "
    "cloud dense.",
    "Detection: each sensor reads the field at its place through a first-order response "
    "(time constant T90 / ln 10) and raises the twin's graded alarms.",
    "Indoor air: dCi/dt = lambda (Co - Ci); lambda from each building's leakage through the "
    "LBL infiltration model with the wind and indoor-outdoor temperature difference of the "
    "moment (Sherman & Grimsrud 1980; ASHRAE Handbook of Fundamentals 2001 ch. 26), leakage "
    "by building use from EN 15242:2007 Annex B, unless the building gives its air changes.",
    "People outside the park: each target sampled at a few points carrying equal shares of "
    "its day or night population, indoors (outdoors for a given share until warned), "
    "sheltering once warned; the same indoor air model, dose and probits.",
    "Evacuation: pre-movement delay (lognormal), walking on the road graph with link "
    "capacities and queues, SFPE Handbook hydraulic model; IMO MSC.1/Circ.1533 flows.",
    "Levels of concern: the chemical's three tiers (AEGL 60-minute values of the US EPA AEGL "
    "program preferred, then ERPG or PAC, in ALOHA's order), compared with each person's peak "
    "concentration as ALOHA compares its threat zones.",
    "Harm: toxic probit Pr = a + b ln(C^n t) (CCPS / Purple Book CPR 18E forms, where the "
    "chemical has one); thermal dose probit of Eisenberg (1975), Pr = -38.48 + 2.56 ln(t q^4/3).",
)

SCENARIO_LIMITS = (
    "All puffs take the sigmas of the stability of the moment over the path they travelled; "
    "buildings, terrain and obstacles that channel or trap a cloud are not modelled.",
    "The dense near field is the workbook plume of the leak's largest one-minute rate, "
    "scaled linearly to the current rate; an instantaneous release is one Gaussian puff from "
    "a point (no dense near field).",
    "Puffs are one step's wind run apart: receptors very close to a source see the train's "
    "lumps where no dense near field covers them.",
    "Once a release burns it no longer feeds the cloud; chemical reactions in the cloud and "
    "deposition are not modelled.",
    "Levels of concern are compared with peak concentrations, not with the dose over their "
    "own duration; the probits are the only dose-based outcome.",
    "People move on a network (links with capacities and queues), not as individuals in "
    "space; the map's cloud is sampled once a minute on a grid over the part of the cloud "
    "above the lowest level.",
    "One run is one weather and one set of delays; use an ensemble for their spread.",
)

BUILDINGS_SHOWN = 10
SCENARIO_ASSUMPTIONS = (
    "Times are seconds from the scenario start; concentrations are outdoor at ground level "
    "unless marked indoor.",
    "A person is above a level if their peak concentration (indoors: the building's air) "
    "reached it at any step.",
    "Warnings reach each building after the decision and that building's own delay.",
)


def _fatalities(p_death: pd.Series):
    """Expected fatalities of a group, or "not computed" if anyone's probability is not."""
    total = p_death.sum(skipna=False)
    return "not computed" if np.isnan(total) else float(total)


def scenario_report(result, park, figures: list[Path], out_html: Path, scenario=None) -> Path:
    """Write the report of an engine run (``scenarios.results.ScenarioResult``).

    ``figures`` are PNGs inlined in order (e.g. the timeline and a map); ``scenario``
    (``scenarios.scenario_file.Scenario``, optional) adds the scenario file's inputs.
    Sections: ``SCENARIO_SECTIONS``.
    """
    kf = result.shown_figures()
    names = sorted(result.levels, key=result.levels.get)
    upper = names[-2:]  # the two highest tiers (AEGL-2 and AEGL-3)
    inputs = _scenario_inputs(result, park, scenario)
    key = pd.DataFrame(
        [(k, f"{v:,.4g}" if isinstance(v, float) else str(v)) for k, v in kf.items()],
        columns=["figure", "value"],
    )
    zones = result.zones.reset_index().assign(
        threshold_mg_m3=lambda z: [f"{v * 1e6:.3g}" for v in z["threshold_kg_m3"]]
    )[
        [
            "level",
            "threshold_mg_m3",
            "buildings",
            "persons",
            "time_to_clear_s",
            "expected_fatalities",
        ]
    ]
    buildings = (
        result.buildings.sort_values("outdoor_peak_kg_m3", ascending=False, kind="stable")
        .head(BUILDINGS_SHOWN)
        .reset_index()
    )
    for col in ("outdoor_peak_kg_m3", "indoor_peak_kg_m3"):
        buildings[col.replace("kg_m3", "mg_m3")] = [f"{v * 1e6:.3g}" for v in buildings.pop(col)]
    buildings = buildings.round({"expected_fatalities": 3, "warned_s": 0, "last_exit_s": 0})
    for frame in (zones, buildings):
        frame["expected_fatalities"] = frame["expected_fatalities"].astype(object)
        frame.loc[frame["expected_fatalities"].isna(), "expected_fatalities"] = "not computed"
    p = result.persons
    above = pd.DataFrame(
        [
            {
                "level": name,
                "threshold mg/m3": f"{result.levels[name] * 1e6:.3g}",
                "persons above": int(p[f"above_{name}"].sum()),
                "expected fatalities among them": _fatalities(p.loc[p[f"above_{name}"], "p_death"]),
            }
            for name in names
        ]
    )
    safe = p["status"].isin(["arrived", "sheltered"])
    checks = pd.DataFrame(
        [
            {
                "criterion": f"nobody above {name}",
                "found": f"{int(p[f'above_{name}'].sum())} persons",
                "met": "yes" if not p[f"above_{name}"].any() else "NO",
            }
            for name in reversed(upper)
        ]
        + [
            {
                "criterion": "everyone reached safety (arrived at a destination or sheltered) "
                "by the end of the run",
                "found": ", ".join(f"{n} {s}" for s, n in p["status"].value_counts().items()),
                "met": "yes" if safe.all() else "NO",
            },
        ]
    )
    sections = {
        SCENARIO_SECTIONS[0]: _table(inputs)
        + "<ul>"
        + "".join(f"<li>{html.escape(a)}</li>" for a in SCENARIO_ASSUMPTIONS)
        + "</ul>",
        SCENARIO_SECTIONS[1]: "<ul>"
        + "".join(f"<li>{html.escape(m)}</li>" for m in SCENARIO_MODELS)
        + "</ul>",
        SCENARIO_SECTIONS[2]: _table(key),
        SCENARIO_SECTIONS[3]: "<p>Per level of concern: the buildings whose outdoor peak "
        "reached it, the persons in them, the time to clear them and the expected "
        "fatalities among them.</p>" + _table(zones),
        SCENARIO_SECTIONS[4]: _table(above)
        + f"<p>Buildings by outdoor peak (top {BUILDINGS_SHOWN}):</p>"
        + _table(buildings)
        + _outside_and_plan(result),
        SCENARIO_SECTIONS[5]: "".join(_png(f) for f in figures) or "<p>No figures.</p>",
        SCENARIO_SECTIONS[6]: _table(checks)
        + "<p>Drill objectives, not legal criteria: GB 36894-2018 individual and societal "
        "risk apply to the QRA, not to a single run.</p>",
        SCENARIO_SECTIONS[7]: "<ul>"
        + "".join(f"<li>{html.escape(line)}</li>" for line in SCENARIO_LIMITS)
        + "</ul>",
    }
    out_html = Path(out_html)
    out_html.write_text(_page(f"Scenario: {result.name}", sections), encoding="utf-8")
    return out_html


def _scenario_inputs(result, park, scenario) -> pd.DataFrame:
    tl = result.timeline
    release = result.events["what"].iloc[0] if len(result.events) else ""
    rows = [
        ("scenario", result.name),
        ("park", Path(park.source).name if getattr(park, "source", None) else ""),
        ("chemical (CAS)", result.chemical),
        ("release", release),
        ("protective action", result.action),
        ("seed", str(result.seed)),
        ("persons", f"{len(result.persons):,}"),
        (
            "levels of concern",
            ", ".join(f"{k} {v * 1e6:.3g} mg/m3" for k, v in result.levels.items()),
        ),
    ]
    if len(tl):
        rows += [
            ("duration", f"{tl['time_s'].iloc[-1] / 60:.0f} min"),
            (
                "wind (start; end)",
                "; ".join(
                    f"{v:.1f} m/s from {d:.0f} deg"
                    for v, d in zip(
                        tl["wind_speed_m_s"].iloc[[0, -1]],
                        tl["wind_from_deg"].iloc[[0, -1]],
                        strict=True,
                    )
                ),
            ),
        ]
    if scenario is not None:
        r, d, resp, pop = scenario.run, scenario.detection, scenario.response, scenario.population
        rows += [
            ("start", r.start.isoformat()),
            ("step", f"{r.step_s:g} s"),
            ("stability", scenario.weather.stability + " (where no recording)"),
            (
                "detection",
                f"sensors {d.sensors if isinstance(d.sensors, str) else ', '.join(d.sensors)}; "
                f"trigger {d.trigger}; response time {d.response_time_s:g} s",
            ),
            (
                "response",
                f"decision after {resp.decision_delay_s:g} s; warning after "
                f"{resp.warning_delay_s:g} s, spread over {resp.warning_spread_s:g} s; "
                f"roads closed at {resp.block_level}",
            ),
            (
                "fire brigade",
                "none"
                if resp.brigade is None
                else f"from {resp.brigade.station}: "
                + (", ".join(resp.brigade.actions) or "no action"),
            ),
            (
                "population",
                f"{pop.period}, scale {pop.scale:g}; pre-movement median "
                f"{pop.premovement_median_s:g} s (sigma {pop.premovement_sigma:g})",
            ),
        ]
    return pd.DataFrame(rows, columns=["input", "value"])


QRA_LIMITS = (
    "Generic failure frequencies (Purple Book / AQ/T 3046 as quoted second-hand, marked "
    "unconfirmed in the run's notes) stand for the park's equipment; site data would differ.",
    "The weather is a climatology of stability and wind-speed classes and a wind rose; the "
    "demo climatology is a uniform placeholder, not measured.",
    "Toxic lethality uses a probit only where two public transcriptions of it agree (the "
    "bundled probit table); the toxic risk of other chemicals is not computed and the notes "
    "say which and why.",
    "A cloud not ignited at once takes the worst of its toxic, flash-fire and explosion "
    "lethality at each place (no sourced delayed-ignition probability): an upper bound.",
    "Every resident of an outside target is taken as outdoors for societal risk (no sourced "
    "indoor share): an upper bound.",
    "Consequence models carry the limits stated in the zones report (flat open ground, steady "
    "weather per class, zones stopping at 10 km).",
)


def qra_report(
    result, park, figures: list[Path], out_html: Path, safety: pd.DataFrame | None = None
) -> Path:
    """Write the report of a QRA (``scenarios.qra.RiskResult``) to ``out_html``: inputs,
    models, the risk contours and F-N region, the buildings and targets with their
    individual risk and GB 36894-2018 status, figures, criteria checks and limits."""
    inputs = pd.DataFrame(
        [
            ("park", Path(park.source).name),
            ("loss events", f"{len(result.events)}"),
            ("cases", f"{result.cases:,} (release positions x weather classes x wind sectors)"),
            ("risk grid", f"{result.grid.nx} x {result.grid.ny} cells of {result.grid.cell:g} m"),
            ("run time", f"{result.seconds:.1f} s"),
        ],
        columns=["input", "value"],
    )
    notes = "".join(f"<li>{html.escape(n)}</li>" for n in result.notes)
    contours = result.contours.drop(columns="geometry").copy()
    contours["level"] = [f"{v:.0e} /yr" for v in contours["level"]]
    receptors = result.receptors.sort_values("individual_risk", ascending=False).copy()
    receptors["individual_risk"] = [f"{v:.2e}" for v in receptors["individual_risk"]]
    above = result.receptors[result.receptors["status"] != "meets criteria"]
    checks = (
        "<p>Societal risk (F-N curve against the GB 36894-2018 lines): "
        f"<b>{html.escape(result.region)}</b>.</p>"
        f"<p>{len(above)} of {len(result.receptors)} buildings and targets are above a criterion"
        " of their protection class:</p>"
        + (
            _table(above[["id", "name", "protection_class", "individual_risk", "status"]])
            if len(above)
            else ""
        )
    )
    top = result.fn_contributors.head(10) if len(result.fn_contributors) else pd.DataFrame()
    sections = {
        SECTIONS[0]: _table(inputs) + f"<ul>{notes}</ul>",
        SECTIONS[1]: "<ul><li>Loss-of-containment catalogue and event trees (Purple Book CPR 18E, "
        "AQ/T 3046), source terms and consequences as in the zones report, probits (Eisenberg "
        "thermal and overpressure; Withers & Lees chlorine), individual risk summed over events, "
        "weather classes and wind sectors; societal risk F-N after GB 36894-2018.</li></ul>",
        "Risk contours and F-N": _table(contours)
        + "<h3>Main contributors to the F-N curve</h3>"
        + (_table(top) if len(top) else "<p>none</p>"),
        SECTIONS[3]: _table(receptors),
        SECTIONS[4]: "".join(_png(p) for p in figures),
        SECTIONS[5]: checks
        + (
            ("<h3>External safety distances (GB/T 37243-2019)</h3>" + _table(safety))
            if safety is not None
            else ""
        ),
        SECTIONS[6]: "<ul>"
        + "".join(f"<li>{html.escape(line)}</li>" for line in QRA_LIMITS)
        + "</ul>",
    }
    out_html = Path(out_html)
    out_html.write_text(
        _page(f"Quantitative risk assessment: {Path(park.source).name}", sections), encoding="utf-8"
    )
    return out_html


def _outside_and_plan(result) -> str:
    """The people outside the park, counted apart, and the assembly points and gates the
    engine closed because they lay in a hazard zone."""
    out = ""
    off = result.offsite
    if len(off):
        table = off.reset_index()
        for col in ("outdoor_peak_kg_m3", "indoor_peak_kg_m3"):
            table[col.replace("kg_m3", "mg_m3")] = [f"{v * 1e6:.3g}" for v in table.pop(col)]
        table = table.round({"expected_fatalities": 3, "warned_s": 0, "air_changes_per_h": 3})
        out += (
            f"<p>People outside the park ({int(off['persons'].sum()):,} in "
            f"{len(off)} targets), counted apart from the park's own people:</p>" + _table(table)
        )
    if len(result.plan):
        out += (
            "<p>Assembly points and gates closed because they lay in a hazard zone "
            "(nobody sent there; people there or on their way went elsewhere):</p>"
            + _table(result.plan.round({"time_s": 0}))
        )
    return out
