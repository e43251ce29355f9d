"""Run a park's QRA: every loss event in every weather class and wind sector.

One task per loss event: its footprint per weather class (computed once in the wind
frame), turned onto the grid per sector and added at each of its positions; deaths at
the population points per scenario. Tasks run in local processes by default
(``concurrent.futures``), in this process with ``workers=0``, or on a Dask cluster given
its address. Results are taken in submission order and summed as they arrive (the grid
is never held per task), so the same input gives the same result on any of them.
"""

import os
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

import geodata
from physics import harm
from scenarios.qra import catalogue as cat
from scenarios.qra import ignition, risk, societal
from scenarios.qra import weather as wx
from scenarios.qra.footprints import footprint, vulnerability_notes
from scenarios.qra.safety_distance import safety_distances

TRIM = 1e-6  # smallest probability x lethality of a footprint cell carried onto the grid


@dataclass
class Setup:
    """What every task needs besides the park and its event."""

    grid: risk.Grid
    climate: pd.DataFrame
    ignition_table: pd.DataFrame
    people: societal.Population
    receptors_x: np.ndarray
    receptors_y: np.ndarray
    probit: str | None = None


@dataclass
class RiskResult:
    """Individual risk grid (per year) and its contours, per-enterprise grids, GB 36894
    status of buildings and targets, F-N scenarios and curve, contributors, notes."""

    grid: risk.Grid
    individual_risk: np.ndarray
    by_enterprise: dict[str, np.ndarray]
    contours: gpd.GeoDataFrame
    receptors: pd.DataFrame
    scenarios: pd.DataFrame
    fn: pd.DataFrame
    region: str
    fn_contributors: pd.DataFrame
    point_contributors: pd.DataFrame
    events: list
    cases: int
    seconds: float
    notes: list[str] = field(default_factory=list)

    def contributors_at(self, receptor_id: str, top: int = 10) -> pd.DataFrame:
        """Events ranked by their individual risk at a building or target."""
        row = self.point_contributors[self.point_contributors.receptor == receptor_id]
        return row.sort_values("individual_risk", ascending=False).head(top).reset_index(drop=True)


def _outcomes_fn(table):
    def fn(term, toxic):
        sub = term.substance
        liquid = sub.boiling_point_K > 293.15 and term.storage_pressure_Pa <= 2 * 101325.0
        klass = ignition.substance_class(sub, liquid)
        inst = term.instantaneous_kg > 0
        size = term.instantaneous_kg if inst else float(term.outflow.rate_kg_s.max())
        return ignition.outcomes(
            table, flammable=sub.flammable, toxic=toxic, klass=klass, instantaneous=inst, size=size
        )

    return fn


def _weights(climate: pd.DataFrame, weather_name: str):
    rows = climate[climate.weather == weather_name]
    return rows.groupby(["wind_from_deg", "period"]).probability.sum()


def _deaths(people, share, out, indoor):
    """Deaths per event position: people x (outdoor share x outdoor lethality + the rest
    x indoor lethality), summed over the points."""
    return np.sum(people * (share * out + (1.0 - share) * indoor), axis=-1)


def _trimmed(fp):
    """(raster, x, y) of the drifting outcomes cut to where probability x lethality is at
    least TRIM: an event's frequency is at most 1e-4 /yr here, so what is cut adds under
    1e-10 /yr, below the lowest contour (1e-8). None if nothing is left."""
    raster = fp.directional()
    if raster is None:
        return None
    keep = raster >= TRIM
    rows, cols = np.nonzero(keep.any(axis=1))[0], np.nonzero(keep.any(axis=0))[0]
    if not len(rows):
        return None
    r0, r1 = max(rows[0] - 1, 0), min(rows[-1] + 2, raster.shape[0])
    c0, c1 = max(cols[0] - 1, 0), min(cols[-1] + 2, raster.shape[1])
    r1, c1 = max(r1, r0 + 2), max(c1, c0 + 2)
    return raster[r0:r1, c0:c1], fp.x[c0:c1], fp.y[r0:r1]


def evaluate_event(park: geodata.Park, event: cat.LossEvent, setup: Setup, terms=None) -> dict:
    """One event's contribution: grid patch, F-N scenarios, risk at the receptors.
    ``terms`` (a dict) shares source terms with the other events of the asset."""
    g, pop = setup.grid, setup.people
    local = np.zeros((g.ny, g.nx))
    px = np.concatenate([pop.x, setup.receptors_x])
    py = np.concatenate([pop.y, setup.receptors_y])
    n_pop = len(pop.x)
    people = {"day": pop.day, "night": pop.night}
    outdoor = {"day": pop.outdoor_day, "night": pop.outdoor_night}
    receptor_risk = np.zeros(len(setup.receptors_x))
    records, notes = [], set()
    cells = [g.cell_of(x, y) for x, y, _ in event.positions]
    sources = np.array([g.centre(sj, si) for sj, si in cells])
    f_pos = np.array([f for _, _, f in event.positions])
    dx = px[None, :] - sources[:, :1]
    dy = py[None, :] - sources[:, 1:]
    outcomes_fn = _outcomes_fn(setup.ignition_table)
    terms = {} if terms is None else terms
    for weather_name in sorted(setup.climate.weather.unique()):
        weights = _weights(setup.climate, weather_name)
        if weights.sum() <= 0:
            continue
        fp = footprint(park, event, weather_name, outcomes_fn, terms=terms, probit=setup.probit)
        notes.update(fp.notes)
        p_fire = fp.outcomes.get("fire", 0.0) if fp.fire.any() else 0.0
        directional = _trimmed(fp)
        if p_fire > 0:
            j0, i0, patch = risk.radial(fp.fire_r, fp.fire, g.cell)
            for (sj, si), f in zip(cells, f_pos, strict=True):
                risk.add_patch(local, sj + j0, si + i0, patch, f * p_fire * weights.sum())
        for angle in weights.index.get_level_values(0).unique():
            by_period = weights.loc[angle]
            w_angle = float(by_period.sum())
            if directional is not None:
                j0, i0, patch = risk.turned(*directional, angle, g.cell)
                for (sj, si), f in zip(cells, f_pos, strict=True):
                    risk.add_patch(local, sj + j0, si + i0, patch, f * w_angle)
            xw, yw = risk.to_wind_frame(dx, dy, angle)
            layers = {k: v.reshape(xw.shape) for k, v in fp.sample(xw.ravel(), yw.ravel()).items()}
            fire = fp.fire_at(np.hypot(xw, yw)) if p_fire > 0 else None
            for outcome, p_out in fp.outcomes.items():
                if p_out <= 0 or (outcome == "fire" and fire is None):
                    continue
                if outcome != "fire" and not layers:
                    continue
                if outcome == "fire":
                    out = indoor = fire
                else:
                    out = fp.outcome_lethality(outcome, layers)
                    indoor = fp.outcome_lethality(outcome, layers, indoor=True)
                out = np.broadcast_to(out, xw.shape)
                indoor = np.broadcast_to(indoor, xw.shape)
                receptor_risk += p_out * w_angle * (f_pos[:, None] * out[:, n_pop:]).sum(axis=0)
                for period, w in by_period.items():
                    n = _deaths(people[period], outdoor[period], out[:, :n_pop], indoor[:, :n_pop])
                    for f, deaths in zip(f_pos, n, strict=True):
                        if deaths > 0:
                            records.append(
                                (outcome, weather_name, angle, period, f * p_out * w, deaths)
                            )
    return dict(
        event=event.id,
        enterprise=event.enterprise,
        patch=risk.crop(local),
        records=records,
        receptor_risk=receptor_risk,
        notes=sorted(notes),
    )


def evaluate_asset(park: geodata.Park, events: list, setup: Setup) -> list[dict]:
    """The events of one asset, sharing their source terms."""
    terms = {}
    return [evaluate_event(park, event, setup, terms) for event in events]


_PARK = None


def _init_worker(park):
    global _PARK
    _PARK = park


def _task(events, setup):
    return evaluate_asset(_PARK, events, setup)


def _receptors(park: geodata.Park):
    ids, xs, ys = [], [], []
    for frame in (park.buildings, park.targets):
        for ident, geom in frame.geometry.items():
            p = geom.centroid
            ids.append(ident), xs.append(p.x), ys.append(p.y)
    return ids, np.array(xs), np.array(ys)


def make_setup(park, climate=None, grid=None, probit=None) -> tuple[Setup, list[str]]:
    harm.check_probit_source(probit)
    climate = wx.read_climatology() if climate is None else climate
    grid = risk.Grid.for_park(park) if grid is None else grid
    ids, rx, ry = _receptors(park)
    setup = Setup(grid, climate, ignition.read_table(), societal.population(park), rx, ry, probit)
    return setup, ids


def run_qra(
    park: geodata.Park,
    *,
    climate: pd.DataFrame | None = None,
    overrides=None,
    grid: risk.Grid | None = None,
    events: list | None = None,
    workers: int | None = None,
    cluster: str | None = None,
    progress: bool = True,
    probit: str | None = None,
) -> RiskResult:
    """The park's individual and societal risk.

    Parameters
    ----------
    climate : DataFrame, optional
        Weather classes and wind rose (``weather.read_climatology``); the demo's by default.
    overrides : path, optional
        User frequency table (see ``catalogue``).
    grid : risk.Grid, optional
        Default: the park's boundary plus 2 km in 10 m cells.
    events : list of LossEvent, optional
        Default: the whole catalogue.
    workers : int, optional
        Local processes (default: the machine's cores); 0 runs in this process.
    cluster : str, optional
        A Dask scheduler address (``tcp://host:8786``) or a ``distributed.Client``.
    probit : str, optional
        Toxic probit source (``physics.harm.PROBIT_SOURCES``); default: for each chemical
        the first with a usable probit. An unknown name raises ValueError at once.
    """
    start = time.perf_counter()
    harm.check_probit_source(probit)
    events = cat.catalogue(park, overrides) if events is None else events
    setup, receptor_ids = make_setup(park, climate, grid, probit)
    g = setup.grid
    total = np.zeros((g.ny, g.nx))
    by_enterprise: dict[str, np.ndarray] = {}
    scen_cols = {
        k: []
        for k in (
            "event",
            "outcome",
            "weather",
            "wind_from_deg",
            "period",
            "frequency",
            "fatalities",
        )
    }
    contrib = []
    notes = set()
    for result in _results(park, events, setup, workers, cluster, progress):
        if result["patch"] is not None:
            j, i, patch = result["patch"]
            risk.add_patch(total, j, i, patch, 1.0)
            grid_e = by_enterprise.setdefault(result["enterprise"], np.zeros((g.ny, g.nx)))
            risk.add_patch(grid_e, j, i, patch, 1.0)
        for rec in result["records"]:
            scen_cols["event"].append(result["event"])
            for key, value in zip(list(scen_cols)[1:], rec, strict=True):
                scen_cols[key].append(value)
        for rid, value in zip(receptor_ids, result["receptor_risk"], strict=True):
            if value > 0:
                contrib.append((rid, result["event"], float(value)))
        notes.update(result["notes"])
    scenarios = pd.DataFrame(scen_cols)
    fn = societal.fn_curve(scenarios.frequency, scenarios.fatalities)
    classes = setup.climate.weather.nunique()
    sectors = setup.climate.wind_from_deg.nunique()
    n_cases = sum(len(e.positions) for e in events) * classes * sectors
    all_notes = sorted(notes)
    all_notes += [
        f"frequency not confirmed at its primary source: {s}"
        for s in cat.unconfirmed_sources(events)
    ]
    all_notes += [f"vulnerability value not confirmed: {s}" for s in vulnerability_notes()]
    all_notes.append(f"societal risk lines: {societal.CRITERIA_SOURCE}")
    all_notes.append(
        "direct ignition: Purple Book values as quoted second-hand (verify); "
        "instantaneous mass bins and the gas reactivity classes are our assumption"
    )
    all_notes.append(
        "GB 36894 protection class of each use (data/protection_classes.csv): our "
        "assumption, the standard's Annex A was not seen"
    )
    all_notes.append(
        "cloud not ignited at once: the worst of its toxic, flash-fire and explosion "
        "lethality at each place, an upper bound: the Purple Book's delayed-ignition model "
        "(P = P_present (1 - exp(-omega t)) from the ignition sources on the map) needs its "
        "table of source strengths, and no two agreeing public transcriptions of it were found"
    )
    if climate is None:
        all_notes.append("weather: the demo climatology is a uniform placeholder, not measured")
    return RiskResult(
        grid=g,
        individual_risk=total,
        by_enterprise=by_enterprise,
        contours=risk.contours(g, total, park.crs),
        receptors=risk.compliance(park, g, total),
        scenarios=scenarios,
        fn=fn,
        region=societal.region(fn),
        fn_contributors=societal.top_contributors(scenarios) if len(scenarios) else pd.DataFrame(),
        point_contributors=pd.DataFrame(contrib, columns=["receptor", "event", "individual_risk"]),
        events=events,
        cases=n_cases,
        seconds=time.perf_counter() - start,
        notes=all_notes,
    )


def _results(park, events, setup, workers, cluster, progress):
    bar = Progress(
        TextColumn("QRA"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} events"),
        TimeElapsedColumn(),
        disable=not progress,
        transient=True,
    )
    with bar:
        task = bar.add_task("events", total=len(events))
        for result in _stream(park, events, setup, workers, cluster):
            bar.advance(task)
            yield result


def _by_asset(events) -> list[list]:
    """Events grouped by asset, those with most positions first (pipelines: the longest
    tasks start first and the workers finish together); ties keep first-seen order."""
    groups: dict[str, list] = {}
    for event in events:
        groups.setdefault(event.asset, []).append(event)
    return sorted(groups.values(), key=lambda g: -sum(len(e.positions) for e in g))


def _stream(park, events, setup, workers, cluster):
    if cluster is not None:
        yield from _dask_stream(park, events, setup, cluster)
        return
    workers = (os.cpu_count() or 1) if workers is None else workers
    groups = _by_asset(events)
    if workers == 0:
        for group in groups:
            yield from evaluate_asset(park, group, setup)
        return
    with ProcessPoolExecutor(workers, initializer=_init_worker, initargs=(park,)) as pool:
        futures = [pool.submit(_task, group, setup) for group in groups]
        for future in futures:
            yield from future.result()


def _dask_stream(park, events, setup, cluster):
    from distributed import Client

    client = cluster if isinstance(cluster, Client) else Client(cluster)
    try:
        park_f = client.scatter(park, broadcast=True)
        setup_f = client.scatter(setup, broadcast=True)
        futures = [
            client.submit(evaluate_asset, park_f, group, setup_f, pure=False)
            for group in _by_asset(events)
        ]
        for future in futures:
            yield from future.result()
            future.release()
    finally:
        if not isinstance(cluster, Client):
            client.close()


def write_outputs(result: RiskResult, park: geodata.Park, out_dir) -> list:
    """GeoPackage (contours, receptors) and CSVs (F-N curve and its top events, GB 36894
    status, contributors per receptor, GB/T 37243 distances) and the run's notes in
    ``out_dir``; returns the paths written."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    gpkg = out / "qra.gpkg"
    gpkg.unlink(missing_ok=True)
    result.contours.to_crs(geodata.crs.WGS84).to_file(gpkg, layer="risk_contours", driver="GPKG")
    geoms = pd.concat([park.buildings.geometry, park.targets.geometry])
    rec = gpd.GeoDataFrame(
        result.receptors, geometry=list(geoms.loc[result.receptors.id]), crs=park.crs
    )
    rec.to_crs(geodata.crs.WGS84).to_file(gpkg, layer="receptors", driver="GPKG")
    paths = [gpkg]
    for name, frame in (
        ("fn_curve.csv", result.fn),
        ("fn_contributors.csv", result.fn_contributors),
        ("receptors.csv", result.receptors),
        ("point_contributors.csv", result.point_contributors),
        ("safety_distances.csv", safety_distances(park, result)),
    ):
        frame.to_csv(out / name, index=False)
        paths.append(out / name)
    (out / "notes.txt").write_text("\n".join(result.notes) + "\n")
    paths.append(out / "notes.txt")
    return paths


def summary_lines(result: RiskResult) -> list[str]:
    """What the CLI prints."""
    lines = [
        f"{len(result.events)} events, {result.cases} cases in {result.seconds:.1f} s "
        f"({result.cases / max(result.seconds, 1e-9):.0f} cases/s)",
        f"max individual risk {result.individual_risk.max():.2e} /yr",
        f"societal risk: {result.region} ({societal.CRITERIA_SOURCE})",
    ]
    above = result.receptors[result.receptors.status.str.startswith("above")]
    for r in above.itertuples():
        lines.append(f"  {r.id} {r.name}: {r.individual_risk:.1e} /yr, {r.status}")
    lines += [f"note: {n}" for n in result.notes]
    return lines
