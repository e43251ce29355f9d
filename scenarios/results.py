"""What an engine run produced: the result object viz and the CLI see, and its files.

``ScenarioResult`` holds the timeline (one row per engine step: release rate, mass
released, cloud extent per level, alarms, warnings, people by status and above each level),
the events (alarms, decision, warnings, isolation, fires), per-person outcomes (route,
times, peak concentration, dose, toxic load, probability of death, above AEGL-2/3),
per-building and per-zone tables, and the trajectories of the evacuation for the map
animation. ``key_figures`` gives the numbers a drill debrief starts with; ``write`` puts
everything in CSV or Parquet files (no plotting here).
"""

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from physics import harm

PLAN_COLUMNS = [
    "time_s",
    "destination",
    "kind",
    "reason",
    "persons_there",
    "persons_on_their_way",
]


@dataclass
class ScenarioResult:
    """One run. Times in s from the scenario start, concentrations in kg/m3.

    ``persons`` adds to the evacuation's columns: peak_kg_m3, dose_kg_s_m3, toxic_load,
    p_death_toxic (NaN without a probit for the chemical), thermal_dose, p_death_thermal,
    p_death, above_<level> for each level of concern. ``buildings``: persons, outdoor and
    indoor peak, persons above each level, expected fatalities, warned_s. ``zones``: per level,
    the buildings whose outdoor peak reached it, persons in them, time to clear (last exit
    from those buildings of the people who left; NaN if nobody left) and expected fatalities.
    ``trajectories``: per person (k, 3) arrays of (t, x, y) in the park's metric CRS, linear
    between waypoints (a person stays in the building until exit_s).
    ``building_c`` and ``target_c``: outdoor concentration [kg/m3] at each building (the
    point people leave from) and at each outside target (a point inside it) per step, index
    time_s. ``cloud``: every minute, (t [s], x [m], y [m], concentration [kg/m3] of shape
    (len(y), len(x))) on a grid over the part of the cloud above the lowest level.
    ``not_computed``: key figure -> why it is not computed (its value is NaN).
    ``caveats``: key figure -> the assumption a computed figure rests on (a chemical without a
    usable toxic probit whose cloud stayed below its most severe level: its toxic deaths are
    taken as nil, and the figure says so).
    ``plan``: what the engine closed because it lay in a hazard zone, one row per closure:
    an assembly point or gate (``destination`` its id; persons there and on their way at
    the moment) or a road that crosses the cloud (closed both ways) or leads into a fire's
    range (closed into it) (``destination`` the road id; persons who turned away from a
    queue into it and persons whose route used it).
    """

    name: str
    action: str
    seed: int
    chemical: str
    levels: dict[str, float]
    timeline: pd.DataFrame
    events: pd.DataFrame
    alarms: pd.DataFrame
    persons: pd.DataFrame
    buildings: pd.DataFrame
    zones: pd.DataFrame
    queues: dict
    queue_xy: dict
    trajectories: list
    crs: object = None
    building_c: pd.DataFrame = field(default_factory=pd.DataFrame)
    target_c: pd.DataFrame = field(default_factory=pd.DataFrame)
    cloud: list = field(default_factory=list)
    not_computed: dict = field(default_factory=dict)
    offsite: pd.DataFrame = field(default_factory=pd.DataFrame)
    plan: pd.DataFrame = field(default_factory=pd.DataFrame)
    caveats: dict = field(default_factory=dict)

    def longest_queue(self) -> tuple[str, int, float]:
        best = ("", 0, math.nan)
        for name, (t, q) in self.queues.items():
            k = int(np.argmax(q))
            if q[k] > best[1]:
                best = (name, int(q[k]), float(t[k]))
        return best

    def key_figures(self) -> dict:
        """Headline numbers of the run (a flat dict, for tables and ensembles)."""
        p = self.persons
        plan = self.plan if len(self.plan) else pd.DataFrame(columns=PLAN_COLUMNS)
        name, longest, when = self.longest_queue()
        first_alarm = self.alarms["time_s"].min() if len(self.alarms) else math.nan
        decided = self.events.loc[self.events["what"].str.startswith("decision"), "time_s"]
        fig = {
            "persons": len(p),
            "released_kg": float(self.timeline["released_kg"].iloc[-1])
            if len(self.timeline)
            else 0.0,
            "first_alarm_s": float(first_alarm),
            "decision_s": float(decided.min()) if len(decided) else math.nan,
            "arrived": int((p["status"] == "arrived").sum()),
            "sheltered": int((p["status"] == "sheltered").sum()),
            "last_arrival_s": float(p["arrival_s"].max())
            if p["arrival_s"].notna().any()
            else math.nan,
            "longest_queue": longest,
            "longest_queue_at": name,
            "longest_queue_s": when,
            "longest_queue_x_m": self.queue_xy.get(name, (math.nan, math.nan))[0],
            "longest_queue_y_m": self.queue_xy.get(name, (math.nan, math.nan))[1],
            "expected_fatalities": float(p["p_death"].sum(skipna=False)),
            "destinations_closed": int((plan["kind"] != "road").sum()),
            "roads_closed": int(plan.loc[plan["kind"] == "road", "destination"].nunique()),
            "peak_kg_m3": float(p["peak_kg_m3"].max()) if len(p) else 0.0,
        }
        for level in self.levels:
            fig[f"above_{level}"] = int(p[f"above_{level}"].sum())
        for level, row in self.zones.iterrows():
            fig[f"clear_{level}_s"] = float(row["time_to_clear_s"])
        off = self.offsite
        if len(off):
            fig["offsite_persons"] = int(off["persons"].sum())
            fig["offsite_expected_fatalities"] = float(off["expected_fatalities"].sum(skipna=False))
            for level in self.levels:
                fig[f"offsite_above_{level}"] = int(off[f"above_{level}"].sum())
        return fig

    def shown_figures(self) -> dict:
        """``key_figures`` with each figure that is not computed replaced by "not computed:"
        and its reason."""
        why = {k: f"not computed: {r}" for k, r in self.not_computed.items()}
        return {k: why.get(k, v) for k, v in self.key_figures().items()}

    def write(self, directory, formats=("csv",), trajectories=True) -> list[Path]:
        """Write the tables (and trajectories as one long table) to ``directory``."""
        out = Path(directory)
        out.mkdir(parents=True, exist_ok=True)
        persons = self.persons.assign(
            route=self.persons["route"].map(lambda r: " ".join(map(str, r)))
        )
        tables = {
            "timeline": self.timeline,
            "events": self.events,
            "alarms": self.alarms,
            "persons": persons,
            "buildings": self.buildings.reset_index(),
            "zones": self.zones.reset_index(),
            "offsite": self.offsite.reset_index(),
            "plan": self.plan,
            "key_figures": pd.DataFrame([self.shown_figures()]),
        }
        if trajectories:
            tables["trajectories"] = trajectory_table(self.trajectories)
        written = []
        for fmt in formats:
            for name, table in tables.items():
                path = out / f"{name}.{fmt}"
                if fmt == "csv":
                    table.to_csv(path, index=False)
                elif fmt == "parquet":
                    table.to_parquet(path, index=False)
                else:
                    raise ValueError(f"unknown format {fmt!r}; expected csv or parquet")
                written.append(path)
        return written


def trajectory_table(trajectories) -> pd.DataFrame:
    """Trajectories as one long table: person, t_s, x_m, y_m."""
    if not trajectories:
        return pd.DataFrame(columns=["person", "t_s", "x_m", "y_m"])
    lengths = [len(t) for t in trajectories]
    data = np.concatenate(trajectories)
    return pd.DataFrame(
        {
            "person": np.repeat(np.arange(len(trajectories)), lengths),
            "t_s": data[:, 0],
            "x_m": data[:, 1],
            "y_m": data[:, 2],
        }
    )


def _either(p, q):
    """Probability of death from either of two independent causes, 1 - (1 - p)(1 - q),
    written p + q - pq so that a probability below the float spacing at 1 (~1e-16) is kept
    rather than rounded to 0."""
    return p + q - p * q


def build_result(engine) -> "ScenarioResult":
    """Collect an ``scenarios.engine.Engine`` after its run."""
    ev = engine.evac.result()
    names, values = engine.levels
    persons = ev.persons.copy()
    persons["peak_kg_m3"] = engine.peak
    persons["dose_kg_s_m3"] = engine.dose
    if engine._probit:
        persons["toxic_load"] = engine.load
        with np.errstate(divide="ignore"):
            probit = harm.toxic_probit(engine.cas, engine.load, engine.sc.run.probit)
        persons["p_death_toxic"] = harm.death_probability(probit)
    else:
        persons["toxic_load"] = np.nan
        persons["p_death_toxic"] = np.nan
    persons["thermal_dose"] = engine.thermal
    with np.errstate(divide="ignore"):
        thermal = harm.THERMAL_PROBIT_MODELS["eisenberg-1975"] + 2.56 * np.log(engine.thermal)
    persons["p_death_thermal"] = np.where(engine.thermal > 0, harm.death_probability(thermal), 0.0)
    pt = np.nan_to_num(persons["p_death_toxic"].to_numpy())
    persons["p_death"] = _either(pt, persons["p_death_thermal"].to_numpy())
    not_computed, caveats = {}, {}
    if not engine._probit:
        reason = _toxic_deaths_not_computed(engine, persons)
        if reason:
            not_computed["expected_fatalities"] = reason
        else:
            caveats["expected_fatalities"] = _toxic_deaths_nil(engine, "nobody")
    for name, v in zip(names, values, strict=True):
        persons[f"above_{name}"] = engine.peak >= v

    ids = engine.pop.building_ids
    g = persons.groupby("building", sort=False)
    buildings = pd.DataFrame(
        {
            "persons": g.size(),
            "outdoor_peak_kg_m3": pd.Series(engine.outdoor_peak_b, index=ids),
            "indoor_peak_kg_m3": pd.Series(engine.indoor_peak_b, index=ids),
            "expected_fatalities": g["p_death"].sum().where(g["p_death"].count() == g.size()),
            "warned_s": pd.Series(engine.warned_s, dtype=float),
            "last_exit_s": g["exit_s"].max(),
            "air_changes_per_h": pd.Series(
                engine.air_change_sum / max(len(engine.timeline), 1) * 3600.0, index=ids
            ),
        }
    ).reindex(ids)
    buildings.index.name = "building"
    for name in names:
        buildings[f"above_{name}"] = g[f"above_{name}"].sum().reindex(ids)
    rows = []
    for name, v in zip(names, values, strict=True):
        inside = buildings.index[buildings["outdoor_peak_kg_m3"] >= v]
        mine = persons[persons["building"].isin(inside)]
        still = mine["status"].isin(["in_building", "walking", "queued", "held"]).any()
        rows.append(
            {
                "level": name,
                "threshold_kg_m3": float(v),
                "buildings": len(inside),
                "persons": len(mine),
                "time_to_clear_s": (
                    float(mine["exit_s"].max())
                    if len(mine) and mine["exit_s"].notna().any() and not still
                    else math.nan
                ),
                "expected_fatalities": float(mine["p_death"].sum(skipna=False)),
            }
        )
    zones = pd.DataFrame(
        rows,
        columns=[
            "level",
            "threshold_kg_m3",
            "buildings",
            "persons",
            "time_to_clear_s",
            "expected_fatalities",
        ],
    ).set_index("level")
    events = pd.DataFrame(engine.events, columns=["time_s", "what"])
    ab = engine.board.events
    alarms = pd.DataFrame(
        {
            "time_s": [r[0] - engine.epoch for r in ab],
            "tag": [r[1] for r in ab],
            "level": [r[3] for r in ab],
            "state": [r[4] for r in ab],
            "cause": [r[5] for r in ab],
        }
    )
    alarms = alarms[alarms["state"] == "raised"].reset_index(drop=True) if len(alarms) else alarms
    times = pd.Index([row["time_s"] for row in engine.timeline], name="time_s")
    offsite, reason = _offsite(engine, names, values)
    if reason:
        not_computed["offsite_expected_fatalities"] = reason
    elif not engine._probit and len(offsite):
        caveats["offsite_expected_fatalities"] = _toxic_deaths_nil(
            engine, "nobody outside the park"
        )
    caveats = {k: v for k, v in caveats.items() if v}
    return ScenarioResult(
        engine.sc.run.name,
        engine.action,
        engine.seed,
        engine.cas,
        dict(zip(names, map(float, values), strict=True)),
        pd.DataFrame(engine.timeline),
        events,
        alarms,
        persons,
        buildings,
        zones,
        ev.queues,
        ev.queue_xy,
        _with_dwell(ev.trajectories, persons["exit_s"].to_numpy()),
        getattr(engine.park, "crs", None),
        pd.DataFrame(np.reshape(engine.building_c, (len(times), -1)), times, list(ids)),
        pd.DataFrame(
            np.reshape(engine.target_c, (len(times), -1)), times, list(engine.park.targets.index)
        ),
        engine.cloud_frames,
        not_computed,
        offsite,
        pd.DataFrame(engine.plan_closed, columns=PLAN_COLUMNS),
        caveats,
    )


def _offsite(engine, names, values) -> tuple[pd.DataFrame, str]:
    """Per target outside the park: persons, when warned, outdoor and indoor peak, mean air
    change, persons above each level (rounded) and expected fatalities. Two groups per
    receptor point: indoors all along, and the share outdoors until the warning. Without a
    toxic probit, a target where anyone reached the most severe toxic level has its expected
    fatalities NaN; the second value says why ("" when all were computed)."""
    ids = engine.off_ids
    steps = max(len(engine.timeline), 1)
    f = engine.sc.offsite.outdoors
    weights = np.stack([(1.0 - f) * engine.off_share, f * engine.off_share])
    if engine._probit:
        with np.errstate(divide="ignore"):
            pt = harm.death_probability(
                harm.toxic_probit(engine.cas, engine.off_load, engine.sc.run.probit)
            )
    else:
        pt = np.zeros_like(engine.off_load)
    with np.errstate(divide="ignore"):
        thermal = harm.THERMAL_PROBIT_MODELS["eisenberg-1975"] + 2.56 * np.log(engine.off_thermal)
    pth = np.where(engine.off_thermal > 0, harm.death_probability(thermal), 0.0)
    p = np.stack([pt[0], _either(pt[1], pth)])
    reason = ""
    if not engine._probit and len(ids):
        from scenarios.engine import AEGL_DURATION_S

        try:
            lv = harm.toxic_levels(engine.cas, AEGL_DURATION_S, engine.molar_mass)
        except ValueError:
            lv = None
        reached = (engine.off_peak >= lv.kg_m3[-1]) & (weights > 0) if lv else None
        if reached is not None and reached.any():
            p = np.where(reached, np.nan, p)
            gap = harm.toxic_probit_gap(engine.cas, engine.sc.run.probit)
            reason = (
                f"{gap}; {weights[reached].sum():,.0f} people outside the park reached "
                f"{lv.names[-1]}"
            )
    k = engine.off_target

    def per_target(x):
        return np.bincount(k, weights=x.sum(axis=0) if x.ndim == 2 else x, minlength=len(ids))

    def peak(x):
        out = np.zeros(len(ids))
        np.maximum.at(out, k, x)
        return out

    t = engine.park.targets
    table = pd.DataFrame(
        {
            "name": t["name"].to_numpy() if "name" in t else ids,
            "kind": t["kind"].to_numpy(),
            "persons": np.round(per_target(engine.off_share)).astype(np.int64),
            "receptors": np.bincount(k, minlength=len(ids)),
            "warned_s": engine.off_warned_s,
            "outdoor_peak_kg_m3": peak(engine.off_out_peak),
            "indoor_peak_kg_m3": peak(engine.off_peak[0]),
            "air_changes_per_h": engine.off_air_sum / steps * 3600.0,
            "expected_fatalities": per_target(weights * p),
        },
        index=pd.Index(ids, name="target"),
    )
    for name, v in zip(names, values, strict=True):
        table[f"above_{name}"] = np.round(per_target(weights * (engine.off_peak >= v))).astype(
            np.int64
        )
    return table, reason


def _toxic_deaths_not_computed(engine, persons) -> str:
    """Without a sourced toxic probit, the probability of death of everyone whose peak reached
    the chemical's most severe toxic level of concern (AEGL-3, ERPG-3 or the IDLH: above it
    death may occur, below it the level's definition expects none) is set to NaN; returns
    why, or "" when nobody reached it (the toxic part of the harm is then nil)."""
    from scenarios.engine import AEGL_DURATION_S

    try:
        lv = harm.toxic_levels(engine.cas, AEGL_DURATION_S, engine.molar_mass)
    except ValueError:
        return ""
    reached = engine.peak >= lv.kg_m3[-1]
    if not reached.any():
        return ""
    persons.loc[reached, "p_death"] = np.nan
    gap = harm.toxic_probit_gap(engine.cas, engine.sc.run.probit)
    return f"{gap}; {int(reached.sum())} people reached {lv.names[-1]}"


def _toxic_deaths_nil(engine, who: str) -> str:
    """For a toxic chemical without a sourced probit whose cloud kept ``who`` below its most
    severe level of concern: the caveat on the expected fatalities (its toxic part is taken
    as nil, by the level's definition); "" for a chemical with no toxic level (not toxic)."""
    from scenarios.engine import AEGL_DURATION_S

    try:
        lv = harm.toxic_levels(engine.cas, AEGL_DURATION_S, engine.molar_mass)
    except ValueError:
        return ""
    gap = harm.toxic_probit_gap(engine.cas, engine.sc.run.probit)
    return f"toxic deaths taken as nil: {gap}; {who} reached {lv.names[-1]}"


def _with_dwell(trajectories, exit_s) -> list:
    """Trajectories with a waypoint at the building when its person leaves it.

    The evacuation records where each move ends; a person stays in the building from the
    first waypoint to exit_s, so without this point the map would show them drifting."""
    out = []
    for traj, t_exit in zip(trajectories, exit_s, strict=True):
        if len(traj) > 1 and traj[0, 0] < t_exit < traj[1, 0]:
            traj = np.concatenate([traj[:1], [[t_exit, traj[0, 1], traj[0, 2]]], traj[1:]])
        out.append(traj)
    return out
