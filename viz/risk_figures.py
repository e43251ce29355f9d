"""Static figures of a QRA (matplotlib PNG): individual risk contours on the park, F-N
curves against the GB 36894 lines, and the change of the risk grid between two layouts."""

from pathlib import Path

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import LogNorm, SymLogNorm
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from geodata.park import Park
from scenarios.qra import societal
from scenarios.qra.risk import CONTOUR_LEVELS

LEVEL_COLOURS = ("#7f0000", "#d7301f", "#fc8d59", "#fdcc8a", "#4575b4")


def _save(fig: Figure, out_png) -> Path:
    FigureCanvasAgg(fig)
    fig.savefig(out_png, dpi=150, bbox_inches="tight")
    return Path(out_png)


def _park(ax, park: Park) -> None:
    park.boundary.boundary.plot(ax=ax, color="black", linewidth=1.0)
    park.enterprises.boundary.plot(ax=ax, color="grey", linewidth=0.5)
    park.tanks.plot(ax=ax, color="#555555")
    park.buildings.plot(ax=ax, color="#1f78b4")
    park.targets.plot(ax=ax, facecolor="none", edgecolor="#33a02c", linewidth=1.2)
    for ident, geom in park.targets.geometry.items():
        p = geom.representative_point()
        ax.annotate(park.targets.loc[ident, "name"], (p.x, p.y), fontsize=6, ha="center")


def risk_contour_figure(result, park: Park, out_png, levels=CONTOUR_LEVELS) -> Path:
    """Individual risk contours (per year) over the park's layers, with the edge of the
    risk grid; a contour the grid cuts says at which edges in the legend."""
    fig = Figure(figsize=(8, 7))
    ax = fig.add_subplot()
    g = result.grid
    ir = result.individual_risk
    cut = dict(zip(result.contours["level"], result.contours["clipped_edges"], strict=True))
    handles = []
    for level, colour in zip(levels, LEVEL_COLOURS, strict=False):
        if ir.max() >= level:
            ax.contour(g.x, g.y, ir, levels=[level], colors=[colour], linewidths=1.2)
            edges = cut.get(level, "")
            label = f"{level:.0e} /yr" + (f" (cut by the grid: {edges})" if edges else "")
            handles.append(Line2D([], [], color=colour, label=label))
    x0, y0 = g.xmin, g.ymin
    x1, y1 = x0 + g.nx * g.cell, y0 + g.ny * g.cell
    ax.plot([x0, x1, x1, x0, x0], [y0, y0, y1, y1, y0], color="0.4", linewidth=0.8, ls=":")
    handles.append(
        Line2D([], [], color="0.4", linewidth=0.8, ls=":", label="edge of the risk grid")
    )
    _park(ax, park)
    shown = result.contours[~result.contours.geometry.is_empty]
    boxes = np.array([park.boundary.total_bounds] + ([shown.total_bounds] if len(shown) else []))
    x0, y0 = boxes[:, :2].min(axis=0)
    x1, y1 = boxes[:, 2:].max(axis=0)
    pad = 0.08 * max(x1 - x0, y1 - y0)
    ax.set_xlim(x0 - pad, x1 + pad)
    ax.set_ylim(y0 - pad, y1 + pad)
    ax.set_aspect("equal")
    ax.set_xlabel("easting [m]")
    ax.set_ylabel("northing [m]")
    ax.set_title(f"Individual risk (max {ir.max():.1e} /yr)")
    ax.legend(handles=handles, loc="upper right", fontsize=7)
    return _save(fig, out_png)


def fn_figure(curves: dict, out_png) -> Path:
    """F-N curves (label -> DataFrame with N, F) and the GB 36894 lines."""
    fig = Figure(figsize=(6, 5))
    ax = fig.add_subplot()
    n = np.logspace(0, 4, 50)
    lines = societal.criterion_lines(n)
    ax.loglog(n, lines.upper, "r--", label="F = 1e-3/N (upper)")
    ax.loglog(n, lines.lower, "g--", label="F = 1e-5/N (lower)")
    for label, curve in curves.items():
        if len(curve):
            ax.step(curve.N, curve.F, where="post", label=label)
    ax.set_xlabel("N (deaths)")
    ax.set_ylabel("F (N or more deaths) [/yr]")
    ax.set_title("F-N curve against GB 36894-2018 lines (as quoted; verify)", fontsize=9)
    ax.grid(True, which="both", linewidth=0.3)
    ax.legend(fontsize=7)
    return _save(fig, out_png)


def risk_change_figure(comparison, park: Park, out_png) -> Path:
    """After - before individual risk on the common grid (symmetric log colours)."""
    fig = Figure(figsize=(8, 7))
    ax = fig.add_subplot()
    d = comparison.difference
    g = comparison.before.grid
    top = max(abs(d).max(), 1e-12)
    # only the cells that changed are drawn (the grid grows to the footprints' reach)
    rows, cols = np.nonzero(d.any(axis=1))[0], np.nonzero(d.any(axis=0))[0]
    if len(rows):
        j0, j1, i0, i1 = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
        mesh = ax.pcolormesh(
            g.x[i0:i1],
            g.y[j0:j1],
            d[j0:j1, i0:i1],
            cmap="RdBu_r",
            norm=SymLogNorm(1e-9, vmin=-top, vmax=top),
            shading="auto",
        )
        fig.colorbar(mesh, ax=ax, label="change of individual risk [/yr]")
    _park(ax, park)
    ax.set_aspect("equal")
    if not d.any():
        # location-specific risk does not depend on where people are: moving a dormitory
        # changes the F-N curve and the dormitory's own risk, not this map
        ax.set_title("Individual risk, after - before: no change anywhere", fontsize=10)
    else:
        ax.set_title("Individual risk, after - before")
    return _save(fig, out_png)


def risk_grid_figure(result, park: Park, out_png) -> Path:
    """The individual risk grid itself (log colours)."""
    fig = Figure(figsize=(8, 7))
    ax = fig.add_subplot()
    g = result.grid
    ir = np.where(result.individual_risk > 1e-10, result.individual_risk, np.nan)
    mesh = ax.pcolormesh(g.x, g.y, ir, norm=LogNorm(1e-10, max(np.nanmax(ir), 1e-9)))
    fig.colorbar(mesh, ax=ax, label="individual risk [/yr]")
    _park(ax, park)
    ax.set_aspect("equal")
    return _save(fig, out_png)
