"""Layout comparison for planners: the same QRA on two parks on one grid.

``compare`` runs both layouts on the union of their grids and gives the change in the
individual risk grid (after - before), both F-N curves, and the buildings and targets whose
GB 36894 status changed. Evacuation figures are not compared yet (the engine's
evacuation run takes a scenario, not a layout).
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

import geodata
from scenarios.qra import risk
from scenarios.qra.run import RiskResult, run_qra


@dataclass
class Comparison:
    before: RiskResult
    after: RiskResult
    difference: np.ndarray  # after - before, per year, on before.grid
    receptors: pd.DataFrame  # every building and target: risk and status before and after
    changed: pd.DataFrame  # the rows of ``receptors`` whose GB 36894 status changed

    @property
    def max_increase(self) -> float:
        return float(self.difference.max())

    @property
    def max_decrease(self) -> float:
        return float(-self.difference.min())


def common_grid(a: geodata.Park, b: geodata.Park, **kw) -> risk.Grid:
    ax0, ay0, ax1, ay1 = a.boundary.total_bounds
    bx0, by0, bx1, by1 = b.boundary.total_bounds
    return risk.Grid.around((min(ax0, bx0), min(ay0, by0), max(ax1, bx1), max(ay1, by1)), **kw)


def compare(before: geodata.Park, after: geodata.Park, **run_kw) -> Comparison:
    """Run the QRA on both layouts (``run_kw`` go to ``run_qra``; a ``grid`` given is
    used for both, else the union of the two parks' grids)."""
    grid = run_kw.pop("grid", None) or common_grid(before, after)
    a = run_qra(before, grid=grid, **run_kw)
    b = run_qra(after, grid=grid, **run_kw)
    rb = a.receptors.set_index("id")
    ra = b.receptors.set_index("id")
    both = rb.add_suffix("_before").join(ra.add_suffix("_after"), how="outer")
    columns = [
        "name_before",
        "status_before",
        "status_after",
        "individual_risk_before",
        "individual_risk_after",
    ]
    table = both[columns].reset_index()
    moved = table.status_before.fillna("absent") != table.status_after.fillna("absent")
    changed = table[moved].reset_index(drop=True)
    return Comparison(a, b, b.individual_risk - a.individual_risk, table, changed)
