"""Run a park's QRA: every loss event in every weather class and wind sector.

One task per asset (its loss events share source terms): each event's footprint per
weather class (computed once in the wind frame), turned onto the grid per sector and
added at each of its positions; deaths at the population points per scenario. Several
layouts of a park (``run_layouts``, for ``compare``) share the events they hold
unchanged: footprints and risk patches are computed once, the people side per layout.
Tasks run in local processes by default
(``concurrent.futures``), in this process with ``workers=0``, or on a Dask cluster given
its address. Results are taken in submission order and summed as they arrive (the grid
is never held per task), so the same input gives the same result on any of them. At most
``TASKS_PER_WORKER`` tasks per worker are out at a time: the grid streams, and memory grows
with the grid (and each enterprise's reach), not with the number of events.
"""

import collections
import itertools
import os
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

import geodata
from physics import harm
from scenarios import capacity
from scenarios.progress import Stages
from scenarios.qra import catalogue as cat
from scenarios.qra import ignition, risk, societal
from scenarios.qra import weather as wx
from scenarios.qra.footprints import footprint, vulnerability_notes
from scenarios.qra.safety_distance import safety_distances
from twin.park import roughness_m as park_roughness_m

TRIM = 1e-6  # smallest probability x lethality of a footprint cell carried onto the grid
# Peak memory of a whole QRA per grid cell [bytes]: `parktwin qra demo --cell "2.5 m"
# --workers 2` (6.7 million cells) peaked at 8.0 GB summed over its three processes
# (resident memory sampled every 0.5 s), about 1,190 bytes a cell with the processes' own
# baseline included. One measurement on a loaded machine: a park with more loss events, or
# more local workers, needs more.
BYTES_PER_CELL = 1200
# Tasks (an asset's events) out per worker at a time. Results are summed in task order
# (the same sums on any number of workers); those finished early wait for the ones before
# them, at most this many per worker, so memory does not grow with the number of events.
TASKS_PER_WORKER = 4


@dataclass
class Layout:
    """Who is where in one layout: the population points and the buildings' and targets'
    centroids (receptors)."""

    people: societal.Population
    receptors_x: np.ndarray
    receptors_y: np.ndarray


@dataclass
class Setup:
    """What every task needs besides the park and its event: one ``Layout`` per layout
    evaluated (the QRA of one park has one; ``run_layouts`` has one per park), and the
    toxic probit source (None: for each chemical the first usable)."""

    grid: risk.Grid
    climate: pd.DataFrame
    ignition_table: pd.DataFrame
    layouts: tuple[Layout, ...]
    probit: str | None = None
    by_weather: dict = field(init=False)  # ``sectors(climate)``, worked out once

    def __post_init__(self):
        self.by_weather = sectors(self.climate)


@dataclass
class RiskResult:
    """Individual risk grid (per year) and its contours, per-enterprise grids (each
    enterprise's own ``(Grid, values)``, as far as its footprints reach), GB 36894
    status of buildings and targets, F-N scenarios and curve, contributors, notes."""

    grid: risk.Grid
    individual_risk: np.ndarray
    by_enterprise: dict[str, tuple[risk.Grid, np.ndarray]]
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
    known = {}  # the same release in several weather classes: one look-up in the table

    def fn(term, toxic):
        sub = term.substance
        liquid = sub.boiling_point_K > 293.15 and term.storage_pressure_Pa <= 2 * 101325.0
        klass = ignition.substance_class(sub, liquid)
        inst = term.instantaneous_kg > 0
        size = term.instantaneous_kg if inst else float(term.outflow.rate_kg_s.max())
        key = (sub.flammable, toxic, klass, inst, size)
        if key not in known:
            known[key] = ignition.outcomes(
                table,
                flammable=sub.flammable,
                toxic=toxic,
                klass=klass,
                instantaneous=inst,
                size=size,
            )
        return dict(known[key])

    return fn


def _weights(climate: pd.DataFrame, weather_name: str):
    rows = climate[climate.weather == weather_name]
    return rows.groupby(["wind_from_deg", "period"]).probability.sum()


def sectors(climate: pd.DataFrame) -> dict:
    """Per weather class (in name order): its total probability and, per wind sector, the
    sector's probability and its (period, probability) pairs; worked out once per run
    (``Setup.by_weather``), not per event."""
    out = {}
    for weather_name in sorted(climate.weather.unique()):
        weights = _weights(climate, weather_name)
        by_angle = []
        for angle in weights.index.get_level_values(0).unique():
            by_period = weights.loc[angle]
            by_angle.append((angle, float(by_period.sum()), list(by_period.items())))
        out[weather_name] = (weights.sum(), by_angle)
    return out


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


def evaluate_event(
    park: geodata.Park, event: cat.LossEvent, setup: Setup, terms=None, layouts=(0,)
) -> dict:
    """One event's contribution: its grid patch (a property of the place: the same for
    every layout) and, for each layout index in ``layouts``, its F-N scenarios and its risk
    at that layout's receptors (``people``: layout index -> dict). ``terms`` (a dict)
    shares source terms with the other events of the asset."""
    g = setup.grid
    local = risk.Canvas(g, empty=True)  # the event's footprints on the grid's cells
    notes = set()
    cells = [g.cell_of(x, y) for x, y, _ in event.positions]
    sources = np.array([g.centre(sj, si) for sj, si in cells])
    f_pos = np.array([f for _, _, f in event.positions])
    sides = {k: _PeopleSide(setup.layouts[k], sources) for k in layouts}
    outcomes_fn = _outcomes_fn(setup.ignition_table)
    terms = {} if terms is None else terms
    for weather_name, (total, by_angle) in setup.by_weather.items():
        if total <= 0:
            continue
        fp = footprint(park, event, weather_name, outcomes_fn, terms=terms, probit=setup.probit)
        notes.update(fp.notes)
        p_fire = fp.outcomes.get("fire", 0.0) if fp.fire.any() else 0.0
        directional = _trimmed(fp)
        if p_fire > 0:
            j0, i0, patch = risk.radial(fp.fire_r, fp.fire, g.cell)
            for (sj, si), f in zip(cells, f_pos, strict=True):
                local.add(sj + j0, si + i0, patch, f * p_fire * total)
        for angle, w_angle, by_period in by_angle:
            if directional is not None:
                j0, i0, patch = risk.turned(*directional, angle, g.cell)
                for (sj, si), f in zip(cells, f_pos, strict=True):
                    local.add(sj + j0, si + i0, patch, f * w_angle)
            for side in sides.values():
                side.add(fp, p_fire, weather_name, angle, w_angle, by_period, f_pos)
    return dict(
        event=event.id,
        enterprise=event.enterprise,
        patch=_cropped((local.j0, local.i0, local.values)),
        cut=local.cut,
        people={k: side.result() for k, side in sides.items()},
        notes=sorted(notes),
    )


def _cropped(patch):
    """A (row, column, array) patch cut to its non-zero cells (None if there are none)."""
    j, i, values = patch
    inner = risk.crop(values)
    return None if inner is None else (j + inner[0], i + inner[1], inner[2])


class _PeopleSide:
    """The part of an event's evaluation that depends on where people are: deaths per
    scenario (for the F-N curve) and the risk at each receptor of one layout."""

    def __init__(self, layout: Layout, sources: np.ndarray):
        pop = layout.people
        px = np.concatenate([pop.x, layout.receptors_x])
        py = np.concatenate([pop.y, layout.receptors_y])
        self.n_pop = len(pop.x)
        self.dx = px[None, :] - sources[:, :1]
        self.dy = py[None, :] - sources[:, 1:]
        self.people = {"day": pop.day, "night": pop.night}
        self.outdoor = {"day": pop.outdoor_day, "night": pop.outdoor_night}
        self.receptor_risk = np.zeros(len(layout.receptors_x))
        self.records = []
        self.frames = {}  # wind sector -> the points in its wind frame

    def add(self, fp, p_fire, weather_name, angle, w_angle, by_period, f_pos) -> None:
        n_pop = self.n_pop
        if angle not in self.frames:
            self.frames[angle] = risk.to_wind_frame(self.dx, self.dy, angle)
        xw, yw = self.frames[angle]
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
            self.receptor_risk += p_out * w_angle * (f_pos[:, None] * out[:, n_pop:]).sum(axis=0)
            for period, w in by_period:
                n = _deaths(
                    self.people[period], self.outdoor[period], out[:, :n_pop], indoor[:, :n_pop]
                )
                for f, deaths in zip(f_pos, n, strict=True):
                    if deaths > 0:
                        self.records.append(
                            (outcome, weather_name, angle, period, f * p_out * w, deaths)
                        )

    def result(self) -> dict:
        return dict(records=self.records, receptor_risk=self.receptor_risk)


def evaluate_asset(park: geodata.Park, events: list, setup: Setup, layouts=(0,)) -> list[dict]:
    """The events of one asset, sharing their source terms."""
    terms = {}
    return [evaluate_event(park, event, setup, terms, layouts) for event in events]


_PARKS: tuple = ()
_SETUP: Setup | None = None


def _init_worker(parks, setup):
    global _PARKS, _SETUP
    _PARKS, _SETUP = parks, setup


def _task(k, events, layouts):
    return evaluate_asset(_PARKS[k], events, _SETUP, layouts)


def _receptors(park: geodata.Park):
    ids, xs, ys = [], [], []
    for frame in (park.buildings, park.targets):
        for ident, geom in frame.geometry.items():
            p = geom.centroid
            ids.append(ident), xs.append(p.x), ys.append(p.y)
    return ids, np.array(xs), np.array(ys)


def make_setup(parks, climate=None, grid=None, probit=None) -> tuple[Setup, list[list[str]]]:
    """The setup of one or more layouts (a park or a list of parks) and, per layout, the
    ids of its receptors."""
    harm.check_probit_source(probit)
    parks = [parks] if isinstance(parks, geodata.Park) else list(parks)
    climate = wx.read_climatology() if climate is None else climate
    grid = risk.Grid.for_park(parks[0]) if grid is None else grid
    layouts, ids = [], []
    for park in parks:
        rid, rx, ry = _receptors(park)
        layouts.append(Layout(societal.population(park), rx, ry))
        ids.append(rid)
    return Setup(grid, climate, ignition.read_table(), tuple(layouts), probit), ids


def _asset_rows(park: geodata.Park, asset: str) -> list:
    """The layer rows a loss event of ``asset`` reads: the tank, or the pipeline and the
    tank it is fed from."""
    if asset in park.tanks.index:
        return [park.tanks.loc[asset]]
    pipe = park.pipelines.loc[asset]
    owner = pipe.get("from_asset")
    return [pipe] + ([park.tanks.loc[owner]] if owner in park.tanks.index else [])


def _same_rows(a: list, b: list) -> bool:
    return len(a) == len(b) and all(
        x.drop("geometry").equals(y.drop("geometry")) and x.geometry.equals_exact(y.geometry, 1e-6)
        for x, y in zip(a, b, strict=True)
    )


def plan(parks: list, event_lists: list) -> list[tuple[int, list, tuple[int, ...]]]:
    """The tasks of evaluating several layouts: (index of the park to evaluate on, the
    events of one asset, the layouts they belong to). An event of the first park that
    another has unchanged (the same event of an asset with the same attributes, in a park
    of the same roughness) is evaluated once for both: its footprints and grid patch are
    properties of the place."""
    first = parks[0]
    owners: dict[tuple, list[int]] = {}
    for k, (park, events) in enumerate(zip(parks, event_lists, strict=True)):
        same_air = park_roughness_m(park) == park_roughness_m(first)
        for event in events:
            home = 0 if k and same_air and _found_in(first, event_lists[0], park, event) else k
            owners.setdefault((home, event), []).append(k)
    groups: dict[tuple, list] = {}
    for (home, event), layouts in owners.items():
        groups.setdefault((home, event.asset, tuple(layouts)), []).append(event)
    tasks = [(home, events, layouts) for (home, _, layouts), events in groups.items()]
    return sorted(tasks, key=lambda t: -sum(len(e.positions) for e in t[1]))


def _found_in(first, first_events, park, event) -> bool:
    return (
        event in first_events
        and event.asset in set(first.tanks.index) | set(first.pipelines.index)
        and _same_rows(_asset_rows(first, event.asset), _asset_rows(park, event.asset))
    )


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
    progress : bool
        Show the stages and the events done (``scenarios.progress``).
    probit : str, optional
        Toxic probit source (``physics.harm.PROBIT_SOURCES``); default: for each chemical
        the first with a usable probit. An unknown name raises ValueError at once.
    """
    (result,) = run_layouts(
        [park],
        climate=climate,
        overrides=overrides,
        grid=grid,
        events=None if events is None else [events],
        workers=workers,
        cluster=cluster,
        progress=progress,
        probit=probit,
    )
    return result


def run_layouts(
    parks: list,
    *,
    climate: pd.DataFrame | None = None,
    overrides=None,
    grid: risk.Grid | None = None,
    events: list | None = None,
    workers: int | None = None,
    cluster: str | None = None,
    progress: bool = True,
    probit: str | None = None,
) -> list[RiskResult]:
    """The QRA of several layouts of a park on one grid, one ``RiskResult`` each.

    What does not change between layouts is computed once: an event whose asset is the
    same in two layouts has the same footprints and the same individual risk patch (risk
    is a property of the place), so only its people side (F-N scenarios, risk at the
    receptors) is evaluated per layout. ``events`` gives a list of events per layout
    (default: each park's catalogue); the other arguments are those of ``run_qra``.
    """
    start = time.perf_counter()
    harm.check_probit_source(probit)
    with Stages("qra", enabled=progress) as stages:
        stages.stage("loss-of-containment catalogue")
        if events is None:
            events = [cat.catalogue(park, overrides) for park in parks]
        setup, receptor_ids = make_setup(parks, climate, grid, probit)
        check_memory(setup.grid)
        tasks = plan(parks, events)
        sums = [_Sums(setup.grid) for _ in parks]
        if all(len(layouts) == len(parks) for _, _, layouts in tasks):
            # every event is in every layout: one risk grid (a property of the place) for all
            for later in sums[1:]:
                later.share_grid(sums[0])
        for result, layouts in _stream(parks, tasks, setup, workers, cluster, stages):
            for k in layouts:
                sums[k].add(result, k, receptor_ids[k])
            stages.advance()
        stages.stage("contours, GB 36894 checks, F-N curves")
        cut = any(s.total.cut for s in sums)
        grid = risk.union_grid([s.total.grid for s in sums], pad=0 if cut else 1)
        done: dict[int, tuple] = {}  # the grid side of a canvas already laid out
        out = [
            sums[k].result(parks[k], events[k], setup, grid, climate is None, start, done)
            for k in range(len(parks))
        ]
    return out


class _Sums:
    """One layout's results summed as the events arrive, on canvases that grow to hold
    every footprint (``risk.Canvas``)."""

    def __init__(self, grid: risk.Grid):
        self.base = grid
        self.total = risk.Canvas(grid)
        self.by_enterprise: dict[str, risk.Canvas] = {}
        self.records, self.contrib, self.notes = [], [], set()
        self.adds_grid = True

    def share_grid(self, other: "_Sums") -> None:
        """Use ``other``'s risk grids (``other`` adds the patches; this layout only its
        people side)."""
        self.total, self.by_enterprise, self.adds_grid = other.total, other.by_enterprise, False

    def add(self, result: dict, k: int, receptor_ids: list[str]) -> None:
        self.total.cut |= result["cut"]
        if result["patch"] is not None and self.adds_grid:
            j, i, patch = result["patch"]
            self.total.add(j, i, patch)
            canvas = self.by_enterprise.get(result["enterprise"])
            if canvas is None:  # only for distances to its contours: float32 is plenty
                canvas = risk.Canvas(self.base, dtype=np.float32, empty=True)
                self.by_enterprise[result["enterprise"]] = canvas
            canvas.add(j, i, patch)
        people = result["people"][k]
        self.records += [(result["event"], *rec) for rec in people["records"]]
        for rid, value in zip(receptor_ids, people["receptor_risk"], strict=True):
            if value > 0:
                self.contrib.append((rid, result["event"], float(value)))
        self.notes.update(result["notes"])

    def result(
        self, park, events, setup, grid, demo_climate: bool, start: float, done: dict
    ) -> RiskResult:
        """The layout's result on ``grid`` (the grown grid shared by the layouts); ``done``
        keeps the risk grid and contours of a canvas another layout shares."""
        if id(self.total) not in done:
            total = self.total.on(grid)
            done[id(self.total)] = (total, risk.contours(grid, total, park.crs))
        total, contours = done[id(self.total)]
        columns = ["event", "outcome", "weather", "wind_from_deg", "period"]
        scenarios = pd.DataFrame(self.records, columns=[*columns, "frequency", "fatalities"])
        fn = societal.fn_curve(scenarios.frequency, scenarios.fatalities)
        classes = setup.climate.weather.nunique()
        sectors = setup.climate.wind_from_deg.nunique()
        n_cases = sum(len(e.positions) for e in events) * classes * sectors
        return RiskResult(
            grid=grid,
            individual_risk=total,
            by_enterprise={e: (c.grid, c.values) for e, c in self.by_enterprise.items()},
            contours=contours.copy(),
            receptors=risk.compliance(park, grid, total),
            scenarios=scenarios,
            fn=fn,
            region=societal.region(fn),
            fn_contributors=societal.top_contributors(scenarios)
            if len(scenarios)
            else pd.DataFrame(),
            point_contributors=pd.DataFrame(
                self.contrib, columns=["receptor", "event", "individual_risk"]
            ),
            events=events,
            cases=n_cases,
            seconds=time.perf_counter() - start,
            notes=_notes(self.notes, events, demo_climate),
        )


def _notes(found: set, events: list, demo_climate: bool) -> list[str]:
    notes = sorted(found)
    notes += [
        f"frequency not confirmed at its primary source: {s}"
        for s in cat.unconfirmed_sources(events)
    ]
    notes += [f"vulnerability value not confirmed: {s}" for s in vulnerability_notes()]
    notes.append(f"societal risk lines: {societal.CRITERIA_SOURCE}")
    notes.append(
        "direct ignition: Purple Book Table 4.5 as given by two agreeing public "
        "transcriptions (secondary, not read at the book itself) for continuous releases and "
        "liquids; its instantaneous mass bins by one transcription only; its K1-liquid row "
        "applied to every flammable liquid and the gas reactivity classes are our reading"
    )
    notes.append(
        "GB 36894 protection class of each use (data/protection_classes.csv): our "
        "assumption, the standard's Annex A was not seen"
    )
    notes.append(
        "cloud not ignited at once: the worst of its toxic, flash-fire and explosion "
        "lethality at each place, an upper bound: the Purple Book's delayed-ignition model "
        "(P = P_present (1 - exp(-omega t)) from the ignition sources on the map) needs its "
        "table of source strengths, and no two agreeing public transcriptions of it were found"
    )
    if demo_climate:
        notes.append("weather: the demo climatology is a uniform placeholder, not measured")
    return notes


def _events_stage(stages, tasks, setup, where: str) -> None:
    n = sum(len(t[1]) for t in tasks)
    c = setup.climate
    stages.stage(
        f"{n} loss events x {c.weather.nunique()} weathers x "
        f"{c.wind_from_deg.nunique()} sectors{where}",
        total=n,
        unit="loss events",
    )


def check_memory(grid: risk.Grid, available: int | None = None) -> None:
    """Raise ValueError, before anything runs, if a QRA on ``grid`` would not fit in the free
    memory (``available`` [bytes], default: what the machine has free; `BYTES_PER_CELL`)."""
    capacity.check_memory(
        grid.nx * grid.ny * BYTES_PER_CELL,
        f"a risk grid of {grid.nx:,} x {grid.ny:,} cells ({grid.cell:g} m over "
        f"{grid.nx * grid.cell / 1000:,.1f} km x {grid.ny * grid.cell / 1000:,.1f} km)",
        available,
    )


def _in_order(submit, tasks, window: int):
    """(task, future) for every task, in task order, with at most ``window`` tasks
    submitted and not yet taken: finished results wait for those before them, so what
    waits is bounded by the window, not by the number of tasks."""
    queue = collections.deque()
    todo = iter(tasks)
    for task in itertools.islice(todo, window):
        queue.append((task, submit(task)))
    while queue:
        yield queue.popleft()
        following = next(todo, None)
        if following is not None:
            queue.append((following, submit(following)))


def _stream(parks, tasks, setup, workers, cluster, stages):
    """(event result, layouts it belongs to) for every event of every task, in order."""
    if cluster is not None:
        yield from _dask_stream(parks, tasks, setup, cluster, stages)
        return
    workers = (os.cpu_count() or 1) if workers is None else workers
    if workers == 0:
        _events_stage(stages, tasks, setup, "")
        for k, events, layouts in tasks:
            for result in evaluate_asset(parks[k], events, setup, layouts):
                yield result, layouts
        return
    plural = "es" if workers > 1 else ""
    stages.stage(f"starting {workers} worker process{plural}")
    with ProcessPoolExecutor(
        workers, initializer=_init_worker, initargs=(tuple(parks), setup)
    ) as pool:
        _events_stage(stages, tasks, setup, f", {workers} process{plural}")
        window = TASKS_PER_WORKER * workers
        for (_, _, layouts), future in _in_order(
            lambda task: pool.submit(_task, *task), tasks, window
        ):
            for result in future.result():
                yield result, layouts


def _dask_stream(parks, tasks, setup, cluster, stages):
    stages.stage(f"connecting to the Dask cluster {capacity.address_of(cluster)}")
    client = capacity.connect(cluster) if isinstance(cluster, str) else cluster
    try:
        threads = sum(client.nthreads().values())
        plural = "s" if threads != 1 else ""
        _events_stage(stages, tasks, setup, f", on the cluster ({threads} worker thread{plural})")
        parks_f = [client.scatter(park, broadcast=True) for park in parks]
        setup_f = client.scatter(setup, broadcast=True)

        def submit(task):
            k, events, layouts = task
            return client.submit(evaluate_asset, parks_f[k], events, setup_f, layouts, pure=False)

        for (_, _, layouts), future in _in_order(submit, tasks, TASKS_PER_WORKER * max(threads, 1)):
            for result in future.result():
                yield result, layouts
            future.release()
    finally:
        if client is not cluster:
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
