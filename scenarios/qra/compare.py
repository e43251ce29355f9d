"""Layout comparison for planners: the same QRA on two layouts of a park, on one grid.

Individual (location-specific) risk is a property of the place: the yearly chance of death
of someone who stays at a spot all year, whoever is there. It changes only where the
tanks and pipelines change; moving a dormitory changes who is exposed to it (the
building's own risk and the F-N curve), not the risk map. ``compare`` therefore evaluates
each loss event once when both layouts hold it unchanged (``run.run_layouts``) and only
its people side per layout.

The buildings and targets are matched by id: one moved (its outline changed) or only in
the second layout is judged against the GB 36894 criterion for new ones, the others
against the in-service one. ``changes`` lists what differs between the layouts;
``receptors`` lists the buildings and targets whose risk, status or place changed.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

import geodata
from scenarios.qra import risk
from scenarios.qra.run import RiskResult, plan, run_layouts

LAYERS = ("tanks", "pipelines", "buildings", "targets", "roads", "assembly_points", "gates")
MOVED_TOLERANCE_M = 1.0  # an outline shifted by less than this has not moved


@dataclass
class Comparison:
    before: RiskResult
    after: RiskResult
    difference: np.ndarray  # after - before, per year, on before.grid
    receptors: pd.DataFrame  # buildings and targets whose risk, status or place changed
    changed: pd.DataFrame  # the rows of ``receptors`` whose GB 36894 compliance changed
    # (fails <-> meets, or present <-> absent)
    changes: pd.DataFrame  # layer, id, name, change: what differs between the layouts
    events_shared: int  # loss events evaluated once for both layouts
    events_total: int  # loss events of the two layouts together, each counted once

    @property
    def max_increase(self) -> float:
        return float(max(self.difference.max(), 0.0))

    @property
    def max_decrease(self) -> float:
        return float(max(-self.difference.min(), 0.0))


def common_grid(a: geodata.Park, b: geodata.Park, **kw) -> risk.Grid:
    ax0, ay0, ax1, ay1 = a.boundary.total_bounds
    bx0, by0, bx1, by1 = b.boundary.total_bounds
    return risk.Grid.around((min(ax0, bx0), min(ay0, by0), max(ax1, bx1), max(ay1, by1)), **kw)


def layout_changes(before: geodata.Park, after: geodata.Park) -> pd.DataFrame:
    """What differs between two layouts, per layer and id: ``added``, ``removed``,
    ``moved`` (the outline or position changed) or ``changed`` (its attributes)."""
    rows = []
    for layer in LAYERS:
        a, b = before.layers[layer], after.layers[layer]
        names = {**_names(a), **_names(b)}
        for ident in a.index.difference(b.index):
            rows.append((layer, ident, names[ident], "removed"))
        for ident in b.index.difference(a.index):
            rows.append((layer, ident, names[ident], "added"))
        for ident in a.index.intersection(b.index):
            ga, gb = a.geometry[ident], b.geometry[ident]
            if not ga.equals_exact(gb, MOVED_TOLERANCE_M):
                rows.append((layer, ident, names[ident], "moved"))
            elif (
                not a.drop(columns="geometry")
                .loc[ident]
                .equals(b.drop(columns="geometry").loc[ident])
            ):
                rows.append((layer, ident, names[ident], "changed"))
    return pd.DataFrame(rows, columns=["layer", "id", "name", "change"])


def _names(frame) -> dict:
    if "name" in frame.columns:
        return {i: (n if isinstance(n, str) and n else str(i)) for i, n in frame["name"].items()}
    return {i: str(i) for i in frame.index}


def compare(before: geodata.Park, after: geodata.Park, **run_kw) -> Comparison:
    """Run the QRA on both layouts (``run_kw`` go to ``run.run_layouts``, except that
    ``events``, if given, is one list for both; a ``grid`` given is used for both, else
    the union of the two parks' grids), sharing what the layouts share, and judge moved
    and new buildings and targets as new."""
    grid = run_kw.pop("grid", None) or common_grid(before, after)
    changes = layout_changes(before, after)
    new = set(
        changes.loc[
            changes["layer"].isin(["buildings", "targets"])
            & changes["change"].isin(["added", "moved"]),
            "id",
        ]
    )
    if run_kw.get("events") is not None:  # one list of events, for both layouts
        run_kw["events"] = [run_kw["events"], run_kw["events"]]
    a, b = run_layouts([before, after], grid=grid, **run_kw)
    b.receptors = risk.compliance(after, b.grid, b.individual_risk, new=new)
    tasks = plan([before, after], [a.events, b.events])
    shared = sum(len(events) for _, events, layouts in tasks if len(layouts) == 2)
    table = _receptor_table(a.receptors, b.receptors, changes)
    return Comparison(
        a,
        b,
        b.individual_risk - a.individual_risk,
        table,
        table[_verdict(table.status_before) != _verdict(table.status_after)].reset_index(drop=True),
        changes,
        shared,
        sum(len(events) for _, events, _ in tasks),
    )


def _verdict(status: pd.Series) -> pd.Series:
    """``fails``, ``meets`` (or not judged: on site, unclassified) or ``absent``."""
    return status.map(
        lambda s: "absent" if not isinstance(s, str) else "fails" if s in risk.NOT_MET else "meets"
    )


def _receptor_table(rb: pd.DataFrame, ra: pd.DataFrame, changes: pd.DataFrame) -> pd.DataFrame:
    """Buildings and targets whose risk, status or place changed, with both values."""
    keep = ["name", "kind", "use", "status", "individual_risk", "judged_as"]
    both = (
        rb.set_index("id")[keep]
        .add_suffix("_before")
        .join(ra.set_index("id")[keep].add_suffix("_after"), how="outer")
    )
    both["name"] = both["name_after"].fillna(both["name_before"])
    both["kind"] = both["kind_after"].fillna(both["kind_before"])
    where = changes[changes["layer"].isin(["buildings", "targets"])].set_index("id")["change"]
    both["change"] = where.reindex(both.index).fillna("")
    differs = (
        (both["status_before"].fillna("absent") != both["status_after"].fillna("absent"))
        | ~np.isclose(
            both["individual_risk_before"].fillna(-1.0),
            both["individual_risk_after"].fillna(-1.0),
            rtol=1e-9,
            atol=0.0,
        )
        | (both["change"] != "")
    )
    columns = [
        "name",
        "kind",
        "change",
        "individual_risk_before",
        "individual_risk_after",
        "status_before",
        "status_after",
        "judged_as_after",
    ]
    table = both.loc[differs, columns].reset_index()
    return table.sort_values("id", kind="stable").reset_index(drop=True)
