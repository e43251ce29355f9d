"""Benchmark the QRA of the whole demo park: every loss event, the six weather classes of
the demo climatology, 16 sectors, 10 m cells over the park plus 2 km.

Prints cases per second, wall time and peak memory for local processes (2 workers), the
F-N curve at N = 1, 10, 100, 1000 and the top contributors, then the wall time with a local
Dask cluster of 1 and 2 workers (if dask is installed) and the speed-up of 2 workers over 1.
Target: under 60 s on 2 cores and under 4 GB.

    .venv/bin/python bench/qra.py [--events N] [--no-dask]
"""

import argparse
import resource
import sys
from pathlib import Path

import numpy as np

import twin
from scenarios.qra import catalogue as cat
from scenarios.qra.run import run_qra

AFTER = Path(__file__).resolve().parents[1] / "geodata" / "demo" / "demo_park_after.gpkg"


def _peak_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return (own + children) / 1024.0  # ru_maxrss is in KiB on Linux


def _line(label, result):
    print(
        f"{label:<28} {result.seconds:7.1f} s  {result.cases / result.seconds:9.0f} cases/s  "
        f"max IR {result.individual_risk.max():.3e}/yr  F-N region {result.region}"
    )


def _fn_and_contributors(result, top=5):
    fn = result.fn
    cells = []
    for n in (1, 10, 100, 1000):
        f = fn.F[fn.N >= n]
        cells.append(f"F(N>={n}) {f.max() if len(f) else 0.0:.2e}")
    print("F-N curve, per year: " + ", ".join(cells))
    print(f"top {top} contributors (expected deaths per year):")
    for row in result.fn_contributors.head(top).itertuples():
        print(f"    {row.event:<28} {row.expected_deaths_per_year:.2e}")


def _write(park, result, args):
    from scenarios.qra.compare import compare
    from scenarios.qra.run import write_outputs
    from viz import risk_figures

    out = Path(args.out)
    write_outputs(result, park, out)
    risk_figures.risk_contour_figure(result, park, out / "risk_contours.png")
    curves = {"before (demo)": result.fn}
    if args.compare:
        after = twin.load_park(AFTER)
        comparison = compare(park, after, workers=2, progress=False, grid=result.grid)
        curves["after (dormitories moved out)"] = comparison.after.fn
        risk_figures.risk_change_figure(comparison, park, out / "risk_change.png")
        comparison.receptors.to_csv(out / "receptors_before_after.csv", index=False)
        print(f"after layout: F-N region {comparison.after.region}")
        dorms = comparison.receptors[comparison.receptors.id.str.startswith("B-DORM")]
        print(dorms.to_string(index=False))
        print(f"status changed: {len(comparison.changed)} building(s)/target(s)")
    risk_figures.fn_figure(curves, out / "fn_curve.png")
    print(f"wrote {out}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=None, help="only the first N events")
    parser.add_argument("--no-dask", action="store_true")
    parser.add_argument("--out", help="write the GeoPackage, CSVs and PNGs of the run here")
    parser.add_argument(
        "--compare", action="store_true", help="also run the after layout (needs --out)"
    )
    args = parser.parse_args(argv)
    park = twin.load_park("demo")
    events = cat.catalogue(park)[: args.events]
    print(f"{len(events)} events, {sum(len(e.positions) for e in events)} positions")
    local = run_qra(park, events=events, workers=2, progress=False)
    print(f"cases: {local.cases} (positions x 6 weather classes x 16 sectors)")
    _line("local processes (2)", local)
    _fn_and_contributors(local)
    print(f"peak resident memory (this process + largest child): {_peak_mb():.0f} MB")
    if args.out:
        _write(park, local, args)
    if args.no_dask:
        return 0
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        print("dask[distributed] not installed: no cluster figures")
        return 0
    times = {}
    for n in (1, 2):
        with (
            LocalCluster(
                n_workers=n, threads_per_worker=1, processes=True, dashboard_address=":0"
            ) as lc,
            Client(lc) as c,
        ):
            result = run_qra(park, events=events, cluster=c, progress=False)
        times[n] = result.seconds
        _line(f"dask local cluster ({n})", result)
        same = np.array_equal(result.individual_risk, local.individual_risk)
        print(f"  same grid as local processes: {same}")
    print(f"dask speed-up 2 workers over 1: {times[1] / times[2]:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
