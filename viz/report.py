"""Self-contained HTML reports: everything in one file (figures inlined as PNG data), so it
can be mailed, archived or opened offline.

Every report opens with what happened and its key figures; the conditions of the release
(asset, hole, height, duration, time, weather) follow for zones and engine runs; then the
result tables, figures and criteria checks; assumptions and caveats come last, grouped
(inputs, assumptions, values not confirmed, models, limits). Labels are words with units,
numbers are rounded by ``viz.fmt``, and a value that was not computed says so and why.

``zones_report`` (``SECTIONS``), ``scenario_report`` (``SCENARIO_SECTIONS``),
``qra_report`` (``QRA_SECTIONS``) and ``compare_report`` (``COMPARE_SECTIONS``) write them;
``scenario_key_figures``, ``release_rows`` and ``group_notes`` are shared with the terminal.
"""

import base64
import html
import math
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from scenarios.qra.risk import NOT_MET
from viz import fmt

SECTIONS = (
    "What happened",
    "Release conditions",
    "Threat zones",
    "People and targets affected",
    "Figures",
    "Criteria checks",
    "Assumptions and caveats",
)

ZONES_LIMITS = (
    "Zones are for flat, open (or uniformly urban) ground and a steady wind: buildings, "
    "terrain and obstacles that channel or trap a cloud are not modelled.",
    "Concentrations near the source (within about 100 m) and beyond 10 km are least "
    "reliable; zones are not drawn beyond 10 km.",
    "Low wind speeds and very stable air (class F) allow concentrations to vary much more "
    "than a Gaussian or box model predicts; wind shifts and meander are shown only by the "
    "wind-direction envelope (dashed on the map and the figure).",
    "The dispersion model (physics.integral_plume, one integral model from the source to "
    "the passive far field) strays from measured arc maxima and from the SLAB and DEGADIS "
    "peer models by a factor that depends on the release and the weather: bench/VALIDATION.md "
    "gives its figures on the Prairie Grass, Burro, Coyote and Maplin Sands trials.",
    "Chemical reactions in the cloud (ammonia with moisture, hydrogen fluoride "
    "oligomerisation), deposition and fire-induced plume rise are not modelled.",
    "Fires are circular (wind tilt of the flame is not drawn); the vapour cloud explosion "
    "is centred half way to the LFL distance with a user-set blast strength.",
    "People are counted as whole buildings that a zone touches; being inside reduces the "
    "dose, which these steady zones do not account for.",
)


def _esc(text) -> str:
    return html.escape(str(text))


def _table(frame: pd.DataFrame) -> str:
    """An HTML table of text cells (format numbers before: ``viz.fmt``)."""
    return frame.to_html(index=False, border=0, classes="t", na_rep="", escape=True)


def _rows(rows) -> str:
    """A two-column table of (label, value) pairs."""
    return _table(pd.DataFrame(rows, columns=["", "value"]))


def _list(lines) -> str:
    return "<ul>" + "".join(f"<li>{_esc(fmt.words(line))}</li>" for line in lines) + "</ul>"


def _png(path: Path) -> str:
    data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
    return f'<img alt="{_esc(Path(path).name)}" src="data:image/png;base64,{data}">'


def _caveats(groups: dict[str, list[str]]) -> str:
    """Assumptions and caveats, one heading per non-empty group."""
    return "".join(
        f"<h3>{_esc(name)}</h3>" + _list(lines) for name, lines in groups.items() if lines
    )


def _page(title: str, sections: dict[str, str]) -> str:
    style = (
        "body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}"
        "table.t{border-collapse:collapse;font-size:90%}"
        "table.t td,table.t th{border-bottom:1px solid #ccc;padding:3px 8px;text-align:left}"
        "img{max-width:100%}h2{border-bottom:2px solid #444;padding-bottom:2px}"
        "p.lead{font-size:110%}.warn{color:#a00}"
    )
    body = "".join(
        f'<section id="s{k}"><h2>{_esc(name)}</h2>{content}</section>'
        for k, (name, content) in enumerate(sections.items())
    )
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{_esc(title)}</title>"
        f"<style>{style}</style></head><body><h1>{_esc(title)}</h1>"
        f"<p>parktwin report, {stamp}</p>{body}</body></html>"
    )


def _write(out_html, title: str, sections: dict[str, str]) -> Path:
    out_html = Path(out_html)
    out_html.write_text(_page(title, sections), encoding="utf-8")
    return out_html


def _time(epoch_s) -> str:
    if epoch_s is None:
        return fmt.not_computed("no time given")
    return datetime.fromtimestamp(float(epoch_s), UTC).strftime("%Y-%m-%d %H:%M UTC")


def _hole(hole_m, rupture: bool) -> str:
    if rupture or hole_m is None:
        return "catastrophic rupture (full bore)"
    return f"{fmt.number(hole_m * 1000)} mm equivalent diameter"


def release_rows(result, release: dict | None = None) -> list[tuple[str, str]]:
    """The release conditions of a zones run as (label, text) rows: asset, hole, height,
    duration, time, weather. ``release`` holds what the result does not: ``hole_m``,
    ``rupture``, ``hole_height_m``, ``duration_s`` and ``time`` (epoch seconds, UTC)."""
    t, w = result.term, result.weather
    release = release or {}
    given = "not computed (not given to the report)"
    height = release.get("hole_height_m")
    duration = release.get("duration_s")
    return [
        (
            "asset",
            f"{t.asset}: {t.substance.name} (CAS {t.substance.cas}), "
            f"{fmt.mass(t.inventory_kg)} held",
        ),
        (
            "hole",
            _hole(release.get("hole_m"), release.get("rupture", False)) if release else given,
        ),
        (
            "hole height",
            f"{fmt.distance(height)} above the bottom" if height is not None else given,
        ),
        ("release and exposure duration", fmt.duration(duration) if duration else given),
        ("time", _time(release.get("time")) if release else given),
        ("wind at 10 m", fmt.wind(w.wind_speed_m_s, w.wind_from_deg)),
        ("stability", f"Pasquill class {w.stability}"),
        ("air temperature", f"{w.air_temperature_K - 273.15:.0f} degC"),
        ("ground", w.terrain),
        ("people counted", f"{result.population} occupants"),
    ]


def _zones_table(zones: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "hazard": zones["hazard"],
            "level": zones["level"],
            "threshold": zones["threshold"],
            "farthest distance": [
                "beyond 10 km (zones stop there)"
                if b
                else (fmt.distance(d) if d else "not reached")
                for d, b in zip(zones["distance_m"], zones["beyond_10km"], strict=True)
            ],
            "area": [fmt.area(a) if a else "none" for a in zones["area_m2"]],
            "buildings": zones["buildings"].astype(int).map("{:,}".format),
            "people": zones["people"].astype(int).map("{:,}".format),
            "outside targets": [t or "none" for t in zones["targets"]],
        }
    )


def _zones_story(result) -> str:
    t, z = result.term, result.zones
    parts = [
        f"{_esc(t.asset)} ({_esc(t.substance.name)}) put {fmt.mass(t.airborne_total_kg)} into "
        f"the air ({_esc(t.model)}; largest one-minute rate {fmt.rate(t.max_average_rate())})."
    ]
    reached = z[z["distance_m"] > 0]
    for hazard, rows in reached.groupby("hazard", sort=False):
        far = rows.loc[rows["area_m2"].idxmax()]
        near = rows.loc[rows["area_m2"].idxmin()]
        reach = "beyond 10 km" if far.beyond_10km else fmt.distance(far.distance_m)
        level = _esc(far.level)
        if str(far.threshold) != str(far.level):
            level += f" ({_esc(far.threshold)})"
        text = f"{_esc(hazard)}: {level} reaches {reach}"
        if len(rows) > 1:
            text += f", {_esc(near.level)} to {fmt.distance(near.distance_m)}"
        parts.append(text + ".")
    if not len(reached):
        parts.append("No level of concern is reached.")
    people = _zone_people(result)
    where = [f"{people['buildings']} buildings"] if people["buildings"] else []
    where += [f"{people['targets']} outside targets"] if people["targets"] else []
    parts.append(
        f"{people['people']:,} people in {' and '.join(where)} are inside at least one zone."
        if where
        else "Nobody is inside any zone."
    )
    return '<p class="lead">' + " ".join(parts) + "</p>"


def _zone_people(result) -> dict:
    a = result.affected
    if not len(a):
        return {"people": 0, "buildings": 0, "targets": 0}
    first = a.drop_duplicates(["kind", "id"])
    return {
        "people": int(first["people"].sum()),
        "buildings": int((first["kind"] == "building").sum()),
        "targets": int((first["kind"] == "target").sum()),
    }


def _zones_key_figures(result) -> list[tuple[str, str]]:
    t, z = result.term, result.zones
    rows = [
        ("released into the air", fmt.mass(t.airborne_total_kg)),
        ("largest one-minute rate", fmt.rate(t.max_average_rate())),
    ]
    for hazard, group in z.groupby("hazard", sort=False):
        far = group.loc[group["area_m2"].idxmax()]
        rows.append(
            (
                f"{hazard}: farthest level ({far.level})",
                "beyond 10 km"
                if far.beyond_10km
                else (fmt.distance(far.distance_m) if far.distance_m else "not reached"),
            )
        )
    people = _zone_people(result)
    rows.append(("people inside a zone", f"{people['people']:,}"))
    if len(result.envelope):
        rows.append(
            (
                "wind-direction envelope",
                f"+- {fmt.number(result.envelope['sweep_deg'].iloc[0])} deg around the mean "
                "wind (dashed on the map and figure)",
            )
        )
    return rows


def _affected_table(affected: pd.DataFrame) -> pd.DataFrame:
    if not len(affected):
        return pd.DataFrame({"": ["nobody inside any zone"]})
    return pd.DataFrame(
        {
            "hazard": affected["hazard"],
            "level": affected["level"],
            "building or target": affected["kind"],
            "id": affected["id"],
            "name": affected["name"],
            "use": affected["use"].astype(str).str.replace("_", " "),
            "people": affected["people"].astype(int).map("{:,}".format),
        }
    )


def zones_report(result, park, figures: list[Path], out_html: Path, release=None) -> Path:
    """Write the report of a zones run (``scenarios.zones.ZonesResult``) to ``out_html``.

    ``release`` (dict, optional): the conditions the result does not hold (``hole_m``,
    ``rupture``, ``hole_height_m``, ``duration_s``, ``time`` in epoch seconds); without it
    the report says they were not given. Sections: ``SECTIONS``.
    """
    t = result.term
    inputs = [("park", Path(park.source).name), ("release model", t.model)]
    sections = {
        SECTIONS[0]: _zones_story(result) + _rows(_zones_key_figures(result)),
        SECTIONS[1]: _rows(release_rows(result, release)),
        SECTIONS[2]: _table(_zones_table(result.zones)),
        SECTIONS[3]: _table(_affected_table(result.affected)) + _plan_in_zones(result.plan),
        SECTIONS[4]: "".join(_png(p) for p in figures) or "<p>No figures.</p>",
        SECTIONS[5]: "<p>No criteria apply to a single consequence run; see the QRA report "
        "for GB 36894-2018 individual and societal risk.</p>",
        SECTIONS[6]: _caveats(
            {
                "Inputs": [f"{k}: {v}" for k, v in inputs],
                "Assumptions made in this run": list(result.assumptions),
                "Models and references": list(result.models),
                "Limits of the models": list(ZONES_LIMITS),
            }
        ),
    }
    return _write(out_html, f"Threat zones: {t.asset} ({t.substance.name})", sections)


SCENARIO_SECTIONS = (
    "What happened",
    "Release conditions",
    "Threat zones",
    "People and targets affected",
    "Figures",
    "Criteria checks",
    "Assumptions and caveats",
)

SCENARIO_MODELS = (
    "Release: discharge through the hole following the tank's head and inventory (liquid, "
    "gas, two-phase flashing), CCPS Guidelines for Consequence Analysis of Chemical Releases "
    "(1999) ch. 2; TNO Yellow Book CPR 14E ch. 2.",
    "Dispersion: the integral plume from the source out (physics.integral_plume: a slumping "
    "dense cloud with Richardson-damped entrainment after SLAB and DEGADIS, becoming a "
    "Gaussian plume with Briggs (1973) sigma_y), carried by puffs moved with the wind of the "
    "moment: a continuous release's puff per step stands for the segment of the model's "
    "steady plume its step fills (physics.plume_puffs); a rupture's puff is the model's "
    "short release of its mass, M / T lasting T, with the finite-duration window of "
    "Palazzi et al. (1982) and DEGADIS 2.1's sigma_x (physics.puff_passage), and the pool it "
    "rains out a train of its own.",
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
    "After a change of the weather every puff takes the new weather's plume at the distance "
    "it has travelled; buildings, terrain and obstacles that channel or trap a cloud are not "
    "modelled.",
    "A continuous release's puffs carry the integral model's steady plume of the leak's "
    "largest one-minute rate in the weather of the moment (its wind speed rounded by at most "
    "1 %, the air temperature to 0.5 degC), scaled linearly to the current rate; a "
    "rupture's puff is one square cloud slumping along the wind and across it (van Ulden's "
    "box model for a square, not a disc) with the cross-section of its middle all along it.",
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
    "Times are from the scenario start; concentrations are outdoor at ground level "
    "unless marked indoor.",
    "A person is above a level if their peak concentration (indoors: the building's air) "
    "reached it at any step.",
    "Warnings reach each building after the decision and that building's own delay.",
)


def _deaths(result, value, key: str = "expected_fatalities") -> str:
    """Expected fatalities, or "not computed" and why (a chemical without a usable toxic
    probit whose cloud reached its most severe level); a figure resting on a caveat (the
    same chemical, its cloud below that level: toxic deaths taken as nil) carries it."""
    why = getattr(result, "not_computed", {}).get(key, "no value")
    if not math.isfinite(value):
        return fmt.not_computed(why)
    caveat = getattr(result, "caveats", {}).get(key)
    return f"{fmt.number(value, 2)} ({caveat})" if caveat else fmt.number(value, 2)


def scenario_key_figures(result) -> list[tuple[str, str]]:
    """The run's headline figures as (label, text) rows: words, units, rounded; a figure
    the run did not reach says "not computed" and why."""
    kf = result.key_figures()
    names = sorted(result.levels, key=result.levels.get)
    rows = [
        ("persons in the park", fmt.count(kf["persons"])),
        ("released", fmt.mass(kf["released_kg"])),
        ("first alarm", fmt.duration(kf["first_alarm_s"], "no sensor alarmed")),
        ("decision", fmt.duration(kf["decision_s"], "no decision was taken in the run")),
        ("arrived at a destination", fmt.count(kf["arrived"])),
        ("sheltered", fmt.count(kf["sheltered"])),
        ("last arrival", fmt.duration(kf["last_arrival_s"], "nobody arrived")),
        (
            "longest queue",
            f"{kf['longest_queue']:,} persons at {kf['longest_queue_at']}, "
            f"{fmt.duration(kf['longest_queue_s'])} after the start"
            if kf["longest_queue"]
            else "no queue",
        ),
        ("expected fatalities", _deaths(result, kf["expected_fatalities"])),
        ("highest concentration at a person", fmt.concentration(kf["peak_kg_m3"])),
    ]
    rows += [(f"persons above {n}", fmt.count(kf[f"above_{n}"])) for n in names]
    for n in names:
        z = result.zones.loc[n]
        why = (
            "no building reached this level"
            if not z["buildings"]
            else "people were still inside or on the move at the end of the run"
        )
        rows.append((f"time to clear the {n} buildings", fmt.duration(kf[f"clear_{n}_s"], why)))
    closed = fmt.count(kf["destinations_closed"])
    rows.append(("assembly points and gates closed (in a hazard zone)", closed))
    roads = fmt.count(kf["roads_closed"])
    rows.append(("roads closed (crossing the cloud, or into a fire's range)", roads))
    if "offsite_persons" in kf:
        rows.append(("persons outside the park (sheltering)", fmt.count(kf["offsite_persons"])))
        rows += [
            (f"persons outside the park above {n}", fmt.count(kf[f"offsite_above_{n}"]))
            for n in names
        ]
        rows.append(
            (
                "expected fatalities outside the park",
                _deaths(result, kf["offsite_expected_fatalities"], "offsite_expected_fatalities"),
            )
        )
    return rows


def _scenario_story(result) -> str:
    kf = result.key_figures()
    what = result.events["what"]
    releases = what[what.str.startswith("release")]
    release = releases.iloc[0] if len(releases) else "a release"
    names = sorted(result.levels, key=result.levels.get)
    parts = [f"{_esc(result.name)}: {_esc(release)}."]
    if math.isfinite(kf["first_alarm_s"]):
        parts.append(f"The first alarm came {fmt.duration(kf['first_alarm_s'])} after the start")
        parts[-1] += (
            f", the decision ({_esc(result.action)}) at {fmt.duration(kf['decision_s'])}."
            if math.isfinite(kf["decision_s"])
            else "; no decision was taken."
        )
    else:
        parts.append("No sensor alarmed.")
    parts.append(
        f"Of {kf['persons']:,} persons, {kf['arrived']:,} reached a destination and "
        f"{kf['sheltered']:,} sheltered; "
        + ", ".join(f"{kf[f'above_{n}']:,} were above {_esc(n)}" for n in reversed(names))
        + f"; expected fatalities {_esc(_deaths(result, kf['expected_fatalities']))}."
    )
    if "offsite_persons" in kf:
        top = names[-1] if names else None
        deaths = _deaths(result, kf["offsite_expected_fatalities"], "offsite_expected_fatalities")
        parts.append(
            f"Outside the park, {kf['offsite_persons']:,} persons in {len(result.offsite)} "
            "targets sheltered once warned"
            + (f"; {kf[f'offsite_above_{top}']:,} were above {_esc(top)}" if top else "")
            + f"; expected fatalities {_esc(deaths)}."
        )
    points, roads = kf["destinations_closed"], kf["roads_closed"]
    if points:
        parts.append(
            f"{points} assembly points or gates were closed because they lay in a hazard zone."
        )
    if roads:
        parts.append(
            f"{roads} roads were closed because they crossed the cloud or led into a fire's range."
        )
    return '<p class="lead">' + " ".join(parts) + "</p>"


def _scenario_release(result, scenario) -> list[tuple[str, str]]:
    tl = result.timeline
    rows = [("chemical (CAS)", result.chemical)]
    if scenario is not None:
        for k, r in enumerate(scenario.releases, start=1):
            tag = f" {k}" if len(scenario.releases) > 1 else ""
            hole = (
                "catastrophic rupture"
                if r.rupture
                else (
                    f"{fmt.number(r.hole_m[0] * 1000)} mm"
                    if r.hole_m[0] == r.hole_m[1]
                    else f"{fmt.number(r.hole_m[0] * 1000)} to {fmt.number(r.hole_m[1] * 1000)} mm"
                )
            )
            rows += [
                (f"asset{tag}", r.asset),
                (f"hole{tag}", hole),
                (f"hole height{tag}", f"{fmt.distance(r.height_m)} above the bottom"),
                (f"release starts{tag}", f"{fmt.duration(r.start_s)} after the start"),
                (f"fire{tag}", r.fire),
            ]
        rows.append(("start time", scenario.run.start.strftime("%Y-%m-%d %H:%M %Z").strip()))
    else:
        what = result.events["what"]
        rows += [("release", w) for w in what[what.str.startswith("release")]]
    if len(tl):
        rows.append(("run duration", fmt.duration(float(tl["time_s"].iloc[-1]))))
        first, last = (tl.iloc[i] for i in (0, -1))
        rows.append(("wind at the start", fmt.wind(first.wind_speed_m_s, first.wind_from_deg)))
        rows.append(("wind at the end", fmt.wind(last.wind_speed_m_s, last.wind_from_deg)))
    if scenario is not None:
        rows.append(("stability", f"Pasquill class {scenario.weather.stability} (no recording)"))
    rows.append(("protective action", result.action))
    return rows


def _scenario_inputs(result, park, scenario) -> list[str]:
    rows = [
        f"park: {Path(park.source).name if getattr(park, 'source', None) else 'not given'}",
        f"seed: {result.seed}",
        "levels of concern: "
        + ", ".join(f"{k} {fmt.concentration(v)}" for k, v in result.levels.items()),
    ]
    if scenario is not None:
        d, resp, pop = scenario.detection, scenario.response, scenario.population
        sensors = d.sensors if isinstance(d.sensors, str) else ", ".join(d.sensors)
        rows += [
            f"time step: {fmt.duration(scenario.run.step_s)}",
            f"detection: sensors {sensors}; trigger {d.trigger}; response time "
            f"{fmt.duration(d.response_time_s)}",
            f"response: decision after {fmt.duration(resp.decision_delay_s)}; warning after "
            f"{fmt.duration(resp.warning_delay_s)}, spread over "
            f"{fmt.duration(resp.warning_spread_s)}; roads closed at {resp.block_level}",
            "fire brigade: "
            + (
                "none"
                if resp.brigade is None
                else f"from {resp.brigade.station}: "
                + (", ".join(resp.brigade.actions).replace("_", " ") or "no action")
            ),
            f"population: {pop.period}, scale {fmt.number(pop.scale)}; pre-movement median "
            f"{fmt.duration(pop.premovement_median_s)} (lognormal sigma "
            f"{fmt.number(pop.premovement_sigma)})",
        ]
    return rows


def scenario_report(result, park, figures: list[Path], out_html: Path, scenario=None) -> Path:
    """Write the report of an engine run (``scenarios.results.ScenarioResult``).

    ``figures`` are PNGs inlined in order (e.g. the timeline and a map); ``scenario``
    (``scenarios.scenario_file.Scenario``, optional) adds the release and the inputs of the
    scenario file. Sections: ``SCENARIO_SECTIONS``.
    """
    names = sorted(result.levels, key=result.levels.get)
    upper = names[-2:]  # the two highest tiers (AEGL-2 and AEGL-3)
    z = result.zones
    zones = pd.DataFrame(
        {
            "level": z.index,
            "threshold": [fmt.concentration(v) for v in z["threshold_kg_m3"]],
            "buildings reached (outdoors)": z["buildings"].map("{:,}".format),
            "persons in them": z["persons"].map("{:,}".format),
            "time to clear them": [
                fmt.duration(
                    v,
                    "no building reached this level"
                    if not b
                    else "people still inside or on the move at the end",
                )
                for v, b in zip(z["time_to_clear_s"], z["buildings"], strict=True)
            ],
            "expected fatalities": [_deaths(result, v) for v in z["expected_fatalities"]],
        }
    )
    b = (
        result.buildings.sort_values("outdoor_peak_kg_m3", ascending=False, kind="stable")
        .head(BUILDINGS_SHOWN)
        .reset_index()
    )
    buildings = pd.DataFrame(
        {
            "building": b["building"],
            "persons": b["persons"].map("{:,}".format),
            "outdoor peak": [fmt.concentration(v) for v in b["outdoor_peak_kg_m3"]],
            "indoor peak": [fmt.concentration(v) for v in b["indoor_peak_kg_m3"]],
            "expected fatalities": [_deaths(result, v) for v in b["expected_fatalities"]],
            "warned at": [fmt.duration(v, "not warned") for v in b["warned_s"]],
            "last out at": [fmt.duration(v, "nobody left") for v in b["last_exit_s"]],
        }
    )
    p = result.persons
    above = pd.DataFrame(
        [
            {
                "level": name,
                "threshold": fmt.concentration(result.levels[name]),
                "persons above": f"{int(p[f'above_{name}'].sum()):,}",
                "expected fatalities among them": _deaths(
                    result, float(p.loc[p[f"above_{name}"], "p_death"].sum(skipna=False))
                ),
            }
            for name in names
        ]
    )
    safe = p["status"].isin(["arrived", "sheltered"])
    checks = pd.DataFrame(
        [
            {
                "criterion": f"nobody above {name}",
                "found": f"{int(p[f'above_{name}'].sum()):,} persons",
                "met": "yes" if not p[f"above_{name}"].any() else "NO",
            }
            for name in reversed(upper)
        ]
        + [
            {
                "criterion": "everyone reached safety (arrived at a destination or sheltered) "
                "by the end of the run",
                "found": ", ".join(
                    f"{n:,} {s.replace('_', ' ')}" for s, n in p["status"].value_counts().items()
                ),
                "met": "yes" if safe.all() else "NO",
            },
        ]
    )
    sections = {
        SCENARIO_SECTIONS[0]: _scenario_story(result) + _rows(scenario_key_figures(result)),
        SCENARIO_SECTIONS[1]: _rows(_scenario_release(result, scenario)),
        SCENARIO_SECTIONS[2]: "<p>Per level of concern: the buildings whose outdoor peak "
        "reached it, the persons in them, the time to clear them and the expected "
        "fatalities among them.</p>" + _table(zones),
        SCENARIO_SECTIONS[3]: _table(above)
        + f"<p>Buildings by outdoor peak (top {BUILDINGS_SHOWN}):</p>"
        + _table(buildings)
        + _outside_and_plan(result),
        SCENARIO_SECTIONS[4]: "".join(_png(f) for f in figures) or "<p>No figures.</p>",
        SCENARIO_SECTIONS[5]: _table(checks)
        + "<p>Drill objectives, not legal criteria: GB 36894-2018 individual and societal "
        "risk apply to the QRA, not to a single run.</p>",
        SCENARIO_SECTIONS[6]: _caveats(
            {
                "Inputs": _scenario_inputs(result, park, scenario),
                "Assumptions": list(SCENARIO_ASSUMPTIONS),
                "Models and references": list(SCENARIO_MODELS),
                "Limits of the models": list(SCENARIO_LIMITS),
            }
        ),
    }
    return _write(out_html, f"Scenario: {result.name}", sections)


QRA_SECTIONS = (
    "What was found",
    "Individual risk contours",
    "Societal risk",
    "Buildings and targets",
    "Figures",
    "Criteria checks",
    "Assumptions and caveats",
)

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

NOTE_GROUPS = (
    ("Not computed", ("not computed", "only its fire")),
    ("Values not confirmed at their primary source", ("not confirmed", "verify", "quoted")),
    ("Assumptions", ()),
)


def group_notes(notes) -> dict[str, list[str]]:
    """A run's notes by kind: what was not computed, values not confirmed at their source,
    and the rest (assumptions); each note in the first group whose words it contains."""
    groups: dict[str, list[str]] = {name: [] for name, _ in NOTE_GROUPS}
    for note in notes:
        low = note.lower()
        name = next(n for n, words in NOTE_GROUPS if not words or any(w in low for w in words))
        groups[name].append(note)
    return groups


def contour_rows(result) -> pd.DataFrame:
    """The risk contours for people: level, area, and whether the grid closes them."""
    c = result.contours
    return pd.DataFrame(
        {
            "individual risk at least": [fmt.risk(v) for v in c["level"]],
            "area": [
                (f"at least {fmt.area(a)}" if clipped else fmt.area(a)) if a else "none"
                for a, clipped in zip(c["area_m2"], c["clipped"], strict=True)
            ],
            "closed on the grid": [
                f"NO: cut by the grid's {s} edge(s)" if clipped else "yes"
                for clipped, s in zip(c["clipped"], c["clipped_edges"], strict=True)
            ],
        }
    )


def _criterion(v, status) -> str:
    if isinstance(v, float) and math.isfinite(v):
        return fmt.risk(v)
    return "not applicable (" + ("inside an enterprise" if status == "on site" else status) + ")"


def receptor_rows(receptors: pd.DataFrame) -> pd.DataFrame:
    r = receptors.sort_values("individual_risk", ascending=False)
    return pd.DataFrame(
        {
            "id": r["id"],
            "name": r["name"],
            "kind": r["kind"],
            "use": r["use"].astype(str).str.replace("_", " "),
            "individual risk": [fmt.risk(v) for v in r["individual_risk"]],
            "protection class": [fmt.words(c) if c else "none" for c in r["protection_class"]],
            "criterion, new": [
                _criterion(v, s) for v, s in zip(r["criterion_new"], r["status"], strict=True)
            ],
            "criterion, in service": [
                _criterion(v, s)
                for v, s in zip(r["criterion_in_service"], r["status"], strict=True)
            ],
            "status": r["status"],
        }
    )


def _qra_story(result) -> str:
    ir = result.individual_risk
    above = result.receptors[result.receptors["status"].isin(NOT_MET)]
    parts = [
        f"The highest individual risk on the grid is {fmt.risk(float(ir.max()))}.",
        f"Societal risk against the GB 36894-2018 lines: <b>{_esc(result.region)}</b>.",
        f"{len(above)} of {len(result.receptors)} buildings and outside targets are above a "
        "criterion of their protection class"
        + (
            ": "
            + ", ".join(
                f"{_esc(n)} ({fmt.risk(v)})"
                for n, v in zip(above["name"], above["individual_risk"], strict=True)
            )
            if len(above)
            else ""
        )
        + ".",
    ]
    clipped = result.contours[result.contours["clipped"]]
    if len(clipped):
        parts.append(
            '<span class="warn">The '
            + ", ".join(fmt.risk(v) for v in clipped["level"])
            + " contour(s) reach the edge of the risk grid: their areas are lower bounds "
            "(give a larger --margin).</span>"
        )
    return '<p class="lead">' + " ".join(parts) + "</p>"


def _qra_key_figures(result) -> list[tuple[str, str]]:
    c = result.contours.set_index("level")
    rows = [
        ("highest individual risk", fmt.risk(float(result.individual_risk.max()))),
        ("societal risk region (GB 36894-2018)", result.region),
    ]
    for level in c.index:
        a, clipped = c.loc[level, "area_m2"], c.loc[level, "clipped"]
        text = (
            (f"at least {fmt.area(a)} (cut by the grid)" if clipped else fmt.area(a))
            if a
            else "none"
        )
        rows.append((f"area at or above {fmt.risk(level)}", text))
    fn = result.fn
    rows.append(
        (
            "largest number of deaths in one scenario",
            fmt.number(float(fn["N"].max())) if len(fn) else "none (no scenario kills anyone)",
        )
    )
    rows.append(("frequency of 10 or more deaths", fmt.risk(_f_at(fn, 10.0))))
    rows.append(("loss events", f"{len(result.events):,}"))
    rows.append(("run time", fmt.duration(result.seconds)))
    return rows


def _f_at(fn: pd.DataFrame, n: float) -> float:
    """F(N >= n) of an F-N curve [per year]."""
    hit = fn[fn["N"] >= n]
    return float(hit["F"].iloc[0]) if len(hit) else 0.0


def _safety_rows(safety: pd.DataFrame) -> pd.DataFrame:
    levels = [c for c in safety.columns if c.startswith("distance_m_at_")]
    out = pd.DataFrame(
        {
            "enterprise": safety["enterprise"],
            "name": safety["name"],
            "S (GB 18218)": [fmt.number(v) for v in safety["S"]],
            "method": safety["method"],
        }
    )
    for col in levels:
        level = float(col.removeprefix("distance_m_at_"))
        out[f"distance at {fmt.risk(level)}"] = [
            fmt.distance(v, "design-code distance, not held here")
            if m.startswith("distances of")
            else fmt.distance(v, "no contour at this level")
            for v, m in zip(safety[col], safety["method"], strict=True)
        ]
    return out


def qra_report(
    result, park, figures: list[Path], out_html: Path, safety: pd.DataFrame | None = None
) -> Path:
    """Write the report of a QRA (``scenarios.qra.RiskResult``) to ``out_html``: what was
    found, the risk contours (and whether the grid closes them), the F-N region, the
    buildings and targets with their GB 36894-2018 status, figures, criteria checks and the
    assumptions and caveats. Sections: ``QRA_SECTIONS``."""
    above = result.receptors[result.receptors["status"].isin(NOT_MET)]
    top = result.fn_contributors.head(10) if len(result.fn_contributors) else pd.DataFrame()
    contributors = (
        pd.DataFrame(
            {
                "loss event": [fmt.event(e) for e in top["event"]],
                "expected deaths": [
                    f"{fmt.number(v, 2)} per year" for v in top["expected_deaths_per_year"]
                ],
                "frequency of 1 or more deaths": [fmt.risk(v) for v in top["frequency_n_ge_min"]],
                "share of that frequency": [f"{v:.0%}" for v in top["share_of_F"]],
            }
        )
        if len(top)
        else pd.DataFrame({"": ["no scenario kills anyone"]})
    )
    g = result.grid
    inputs = [
        f"park: {Path(park.source).name}",
        f"loss events: {len(result.events):,}; cases: {result.cases:,} (release positions x "
        "weather classes x wind sectors)",
        f"risk grid: {g.nx:,} x {g.ny:,} cells of {fmt.distance(g.cell)}, "
        f"{fmt.distance(g.nx * g.cell)} x {fmt.distance(g.ny * g.cell)}",
        f"run time: {fmt.duration(result.seconds)}",
    ]
    checks = (
        f"<p>Societal risk (F-N curve against the GB 36894-2018 lines): "
        f"<b>{_esc(result.region)}</b>.</p>"
        f"<p>{len(above)} of {len(result.receptors)} buildings and targets are above a criterion"
        " of their protection class.</p>"
        + (_table(receptor_rows(above)) if len(above) else "")
        + (
            ("<h3>External safety distances (GB/T 37243-2019)</h3>" + _table(_safety_rows(safety)))
            if safety is not None
            else ""
        )
    )
    sections = {
        QRA_SECTIONS[0]: _qra_story(result) + _rows(_qra_key_figures(result)),
        QRA_SECTIONS[1]: _table(contour_rows(result)),
        QRA_SECTIONS[2]: f"<p>Region: <b>{_esc(result.region)}</b>. Main contributors:</p>"
        + _table(contributors),
        QRA_SECTIONS[3]: _table(receptor_rows(result.receptors)),
        QRA_SECTIONS[4]: "".join(_png(p) for p in figures) or "<p>No figures.</p>",
        QRA_SECTIONS[5]: checks,
        QRA_SECTIONS[6]: _caveats(
            {
                "Inputs": inputs,
                **group_notes(result.notes),
                "Models and references": [
                    "Loss-of-containment catalogue and event trees (Purple Book CPR 18E, AQ/T "
                    "3046), source terms and consequences as in the zones report, probits "
                    "(Eisenberg thermal and overpressure; the chemical's toxic probit), "
                    "individual risk summed over events, weather classes and wind sectors; "
                    "societal risk F-N after GB 36894-2018."
                ],
                "Limits of the models": list(QRA_LIMITS),
            }
        ),
    }
    return _write(out_html, f"Quantitative risk assessment: {Path(park.source).name}", sections)


def qra_summary_lines(result) -> list[str]:
    """What the terminal shows after a QRA: the results, then what was not computed, then
    how many assumptions and unconfirmed values the report and notes.txt list."""
    ir = float(result.individual_risk.max())
    lines = [
        f"highest individual risk {fmt.risk(ir)}",
        f"societal risk: {result.region} (against the GB 36894-2018 lines)",
    ]
    for row in contour_rows(result).itertuples(index=False):
        level, area, closed = row
        lines.append(
            f"  {level}: {area}" + ("" if closed == "yes" else f" ({closed.removeprefix('NO: ')})")
        )
    above = result.receptors[result.receptors.status.isin(NOT_MET)]
    lines.append(
        f"{len(above)} of {len(result.receptors)} buildings and targets above a criterion of "
        "their protection class" + (":" if len(above) else "")
    )
    for r in above.itertuples():
        lines.append(f"  {r.id} {r.name}: {fmt.risk(r.individual_risk)}, {r.status}")
    groups = group_notes(result.notes)
    lines += [f"not computed: {fmt.words(n)}" for n in groups["Not computed"]]
    lines.append(
        f"{len(groups['Values not confirmed at their primary source'])} values not confirmed "
        f"at their primary source and {len(groups['Assumptions'])} assumptions: listed in "
        "the report and notes.txt"
    )
    return lines


COMPARE_SECTIONS = (
    "What changed",
    "Individual risk",
    "Buildings and targets",
    "Societal risk",
    "Evacuation",
    "Figures",
    "Assumptions and caveats",
)

IR_IS_PLACE = (
    "Individual risk is a property of the place, not of the people: it is the yearly chance "
    "of death of someone who stays at a spot all year, whoever is there. It changes only "
    "where tanks or pipelines change; moving people changes who is exposed (a moved "
    "building's own risk) and the societal risk (F-N curve), not the risk map."
)


def compare_story(comparison) -> list[str]:
    """The comparison in sentences (plain text): what changed between the layouts, what
    that did to individual and societal risk, and which compliance changed."""
    c = comparison
    counts = c.changes.groupby(["layer", "change"]).size()
    changed = (
        "; ".join(
            f"{layer.replace('_', ' ')} {change}: {n}" for (layer, change), n in counts.items()
        )
        or "nothing"
    )
    same = c.events_shared == c.events_total
    lines = [
        f"Changed between the layouts: {changed}.",
        IR_IS_PLACE,
        (
            f"All {c.events_total} loss events are the same in both layouts (the same tanks "
            "and pipelines), so the individual risk map is the same"
            if same
            else f"{c.events_total - c.events_shared} of {c.events_total} loss events differ "
            "between the layouts"
        )
        + f": largest increase {fmt.risk(c.max_increase)}, largest decrease "
        f"{fmt.risk(c.max_decrease)}.",
        f"Societal risk (GB 36894-2018 lines): {c.before.region} before, {c.after.region} after; "
        f"frequency of 10 or more deaths {fmt.risk(_f_at(c.before.fn, 10.0))} before, "
        f"{fmt.risk(_f_at(c.after.fn, 10.0))} after.",
    ]
    if len(c.changed):
        lines.append(
            "GB 36894 compliance changed for: "
            + "; ".join(
                f"{r.name} ({r.id}): {_status(r.status_before)} -> {_status(r.status_after)}"
                for r in c.changed.itertuples()
            )
            + "."
        )
    else:
        lines.append("No building or target changed its GB 36894 compliance (meets or fails).")
    new = c.receptors[c.receptors["judged_as_after"] == "new"]
    if len(new):
        lines.append(
            "Moved or added, so judged against the stricter criterion for new buildings: "
            + "; ".join(
                f"{r.name} ({r.id}, {r.change}): {fmt.risk(r.individual_risk_after)}, "
                f"{r.status_after}"
                for r in new.itertuples()
            )
            + "."
        )
    return lines


def _status(status) -> str:
    return "absent" if not isinstance(status, str) else status


def compare_rows(comparison) -> pd.DataFrame:
    """The buildings and targets that changed (risk, status or place), for people."""
    r = comparison.receptors
    return pd.DataFrame(
        {
            "id": r["id"],
            "name": r["name"],
            "change": [c or "-" for c in r["change"]],
            "individual risk before": [fmt.risk(v, "absent") for v in r["individual_risk_before"]],
            "individual risk after": [fmt.risk(v, "absent") for v in r["individual_risk_after"]],
            "status before": [_status(s) for s in r["status_before"]],
            "status after": [_status(s) for s in r["status_after"]],
            "judged after as": [
                "new (moved or added): stricter criterion" if j == "new" else _status(j)
                for j in r["judged_as_after"]
            ],
        }
    )


def evacuation_rows(figures: dict[str, dict]) -> pd.DataFrame:
    """Layout name -> ``scenarios.evacuation.evacuation_figures``, as a table with units."""
    names = list(figures)
    first = figures[names[0]]
    rows = []
    for key in first:
        label = key.replace(" [s]", "")
        cells = []
        for name in names:
            v = figures[name][key]
            cells.append(
                fmt.duration(v, "not everyone arrived within the hour")
                if key.endswith("[s]")
                else (f"{v:,} person{'s' if v != 1 else ''}" if isinstance(v, int) else str(v))
            )
        rows.append((label, *cells))
    return pd.DataFrame(rows, columns=["", *names])


def compare_report(
    comparison, parks, names, figures: list[Path], evacuation: dict, out_html
) -> Path:
    """Write the report of a layout comparison (``scenarios.qra.Comparison``): what changed
    and what that did to individual risk, to the buildings and targets (moved and new ones
    judged against the criterion for new ones), to societal risk and to a night-time
    evacuation. Sections: ``COMPARE_SECTIONS``."""
    c = comparison
    story = compare_story(c)
    changes = (
        pd.DataFrame(
            {
                "layer": c.changes["layer"].str.replace("_", " "),
                "id": c.changes["id"],
                "name": c.changes["name"],
                "change": c.changes["change"],
            }
        )
        if len(c.changes)
        else pd.DataFrame({"": ["the two layouts are the same"]})
    )
    fn = pd.DataFrame(
        [
            (
                name,
                r.region,
                fmt.risk(_f_at(r.fn, 1.0)),
                fmt.risk(_f_at(r.fn, 10.0)),
                fmt.risk(_f_at(r.fn, 100.0)),
                fmt.number(float(r.fn["N"].max())) if len(r.fn) else "none",
            )
            for name, r in zip(names, (c.before, c.after), strict=True)
        ],
        columns=[
            "layout",
            "region (GB 36894-2018)",
            "F(1 or more deaths)",
            "F(10 or more)",
            "F(100 or more)",
            "largest N",
        ],
    )
    sections = {
        COMPARE_SECTIONS[0]: '<p class="lead">' + _esc(" ".join(story)) + "</p>" + _table(changes),
        COMPARE_SECTIONS[1]: _rows(
            [
                ("loss events evaluated once for both layouts", f"{c.events_shared:,}"),
                ("loss events in either layout", f"{c.events_total:,}"),
                ("largest increase", fmt.risk(c.max_increase)),
                ("largest decrease", fmt.risk(c.max_decrease)),
            ]
        ),
        COMPARE_SECTIONS[2]: "<p>Only the buildings and targets whose risk, status or place "
        "changed; moved and added ones are judged against the GB 36894-2018 criterion for new "
        "ones.</p>"
        + (
            _table(compare_rows(c)) if len(c.receptors) else "<p>No building or target changed.</p>"
        ),
        COMPARE_SECTIONS[3]: _table(fn),
        COMPARE_SECTIONS[4]: "<p>Everyone in the buildings inside the park warned at once at "
        "night and walking to the assembly points (people model; for comparing layouts, not "
        "for predicting one incident).</p>" + _table(evacuation_rows(evacuation)),
        COMPARE_SECTIONS[5]: "".join(_png(p) for p in figures) or "<p>No figures.</p>",
        COMPARE_SECTIONS[6]: _caveats(
            {
                "Inputs": [
                    f"{when}: {Path(p.source).name}"
                    for when, p in zip(("before", "after"), parks, strict=True)
                ],
                **group_notes(c.after.notes),
                "Limits of the models": list(QRA_LIMITS),
            }
        ),
    }
    return _write(out_html, f"Layouts compared: {names[0]} and {names[1]}", sections)


def _outside_and_plan(result) -> str:
    """The people outside the park, counted apart, and the assembly points and gates the
    engine closed because they lay in a hazard zone (words, units, rounded)."""
    out = ""
    off = result.offsite
    if len(off):
        names = sorted(result.levels, key=result.levels.get)
        why = result.not_computed.get("offsite_expected_fatalities", "no value")
        table = pd.DataFrame(
            {
                "target": [f"{n} ({k})" for n, k in zip(off["name"], off["kind"], strict=True)],
                "people": [fmt.count(v) for v in off["persons"]],
                "warned": [fmt.duration(v, "not warned") for v in off["warned_s"]],
                "outdoor peak": [fmt.concentration(v) for v in off["outdoor_peak_kg_m3"]],
                "indoor peak": [fmt.concentration(v) for v in off["indoor_peak_kg_m3"]],
                "air changes": [f"{fmt.number(v, 2)} per hour" for v in off["air_changes_per_h"]],
                **{f"above {n}": [fmt.count(v) for v in off[f"above_{n}"]] for n in names},
                "expected fatalities": [
                    fmt.number(v, 2) if math.isfinite(v) else fmt.not_computed(why)
                    for v in off["expected_fatalities"]
                ],
            }
        )
        out += (
            f"<p>People outside the park ({fmt.count(off['persons'].sum())} in "
            f"{len(off)} targets), counted apart from the park's own people; they shelter "
            "indoors once warned:</p>" + _table(table)
        )
    if len(result.plan):
        plan = pd.DataFrame(
            {
                "closed at": [fmt.duration(v) for v in result.plan["time_s"]],
                "what": [
                    f"{k} {d}"
                    for k, d in zip(result.plan["kind"], result.plan["destination"], strict=True)
                ],
                "why": result.plan["reason"],
                "people there": [fmt.count(v) for v in result.plan["persons_there"]],
                "on their way": [fmt.count(v) for v in result.plan["persons_on_their_way"]],
            }
        )
        out += (
            "<p>Assembly points and gates closed because they lay in a hazard zone "
            "(nobody sent there; people there or on their way went elsewhere), and roads "
            "closed because they crossed the cloud (both ways) or led into a fire's range "
            "(into it only: people inside still left by them); for a road, the people there "
            "are those who turned away from its entry, and those on their way the people "
            "whose route used it:</p>" + _table(plan)
        )
    return out


def _plan_in_zones(plan) -> str:
    """The assembly points, gates and roads of the emergency plan that lie in a zone."""
    if plan is None or not len(plan):
        return "<p>No assembly point, gate or road lies in a zone.</p>"
    table = pd.DataFrame(
        {
            "zone": [f"{h} {lv}" for h, lv in zip(plan["hazard"], plan["level"], strict=True)],
            "what": [f"{k} {i}" for k, i in zip(plan["kind"], plan["id"], strict=True)],
            "name": plan["name"],
            "inside": [
                fmt.distance(v) if k == "road" else "lies inside"
                for k, v in zip(plan["kind"], plan["inside_m"], strict=True)
            ],
        }
    )
    return "<p>The emergency plan inside the zones (do not send people there):</p>" + _table(table)
