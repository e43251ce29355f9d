"""The ``parktwin`` command: argument parsing and printing only."""

import argparse
import os
import signal
import sys
import textwrap
from pathlib import Path

from rich.console import Console
from rich.table import Table

console = Console(width=None if sys.stdout.isatty() else 120)

DEMO_HELP = "Run the main job on the bundled demo park and write its results."
PROBIT_HELP = (
    'toxic probit source, "purple-book" or "lees" (default: for each chemical the first '
    "with a usable probit)"
)
COMMANDS = {
    "demo": (
        DEMO_HELP,
        "parktwin demo --out out/demo",
    ),
    "park": (
        "Inspect a park: 'parktwin park info [PARK]' prints a summary of its layers.",
        "parktwin park info demo\n  parktwin park info my_park.gpkg",
    ),
    "run": (
        "Run an emergency scenario (TOML): release, cloud in the changing wind, detectors and "
        "alarms, warning, people sheltering or evacuating over the roads, dose and probability of "
        "death; compare protective actions or run an ensemble.",
        "parktwin run scenarios/demo/ammonia_night.toml --out out/run\n"
        "  parktwin run scenarios/demo/h2s_wind_shift.toml --compare shelter,evacuate\n"
        "  parktwin run scenarios/demo/chlorine_day.toml --ensemble 200 [--cluster tcp://HOST:8786]",
    ),
    "qra": (
        "Quantitative risk assessment of the park: individual risk grid and contours, F-N curve "
        "against GB 36894-2018, every building and target checked, GB/T 37243 distances.",
        "parktwin qra demo --out out/qra\n  parktwin qra demo --cluster tcp://HOST:8786",
    ),
    "compare": (
        "Compare two layouts (e.g. dormitories moved out): change in the risk grid, the two F-N "
        "curves, and the buildings and targets whose compliance changed.",
        "parktwin compare demo geodata/demo/demo_park_after.gpkg --out out/compare",
    ),
    "replay": (
        "Replay a recorded sensor file through the twin: state, graded alarms classed as process "
        "or instrument fault, leak detection and source estimation, and a forecast of the zones at "
        "+10/+30/+60 min when a leak is confirmed. Writes the reading log and the forecasts.",
        "parktwin replay twin/demo/incident_drill.csv --park demo --out out/replay",
    ),
    "live": (
        "Follow the park live from an MQTT broker (or an OPC UA server): a terminal view of alarms "
        "and key tags, the reading log, and forecasts when a leak is confirmed.",
        "parktwin live --mqtt localhost:1883 --park demo --out out/live",
    ),
    "console": (
        "The control room's console in a browser: the park map with every sensor coloured by "
        "its state, the wind, alarms to acknowledge and shelve, the leak estimate and the "
        "forecast zones, and the feed's health; from an MQTT broker or a recording (drills).",
        "parktwin console --replay twin/demo/incident_drill.csv --speedup 60",
    ),
    "publish-recording": (
        "Play a recorded sensor file (CSV or Parquet) onto an MQTT broker, for drills: one QoS 1 "
        "message per reading on parktwin/<park>/<tag>.",
        "parktwin publish-recording recording.csv --mqtt localhost:1883 --speedup 10",
    ),
    "hazards": (
        "Major hazard identification and grading (GB 18218-2018) per enterprise; writes CSV.",
        "parktwin hazards demo --out out/hazards",
    ),
    "zones": (
        "Threat zones of a release (toxic, flammable, thermal, overpressure) with the people and "
        "targets inside; writes GeoPackage, CSV and PNG.",
        'parktwin zones --park demo --asset NH-101 --hole "50 mm" --wind "3 m/s from NE" '
        "--stability D --out out/zones",
    ),
}


USERNAME_ENV = "PARKTWIN_USERNAME"
PASSWORD_ENV = "PARKTWIN_PASSWORD"


class InputError(Exception):
    """Bad input from the user: printed as one line, exit code 2."""


class Terminated(KeyboardInterrupt):
    """SIGTERM (a service manager or ``kill`` stopping parktwin). Raised where Ctrl-C's
    KeyboardInterrupt would be, so a command stopped either way writes what it buffered
    (alarm rows, readings of a replay) and closes its files; the default action of SIGTERM
    would end the process on the spot."""


def _terminated(signum, frame) -> None:
    if os.getpid() != _MAIN_PID[0]:
        # a worker forked from parktwin (the engine's, the ensemble's) ends as it would have
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGTERM)
        return
    raise Terminated


_MAIN_PID = [0]


def _signal_name(stopped: KeyboardInterrupt) -> str:
    return "SIGTERM" if isinstance(stopped, Terminated) else "Ctrl-C"


def _option(name: str, parse, *args):
    """``parse(*args)`` for the option ``name``; a ValueError becomes one line naming it."""
    try:
        return parse(*args)
    except ValueError as err:
        raise InputError(f"{name}: {err}") from None


def _out(path: Path) -> Path:
    """The output folder, created and proven writable before any work."""
    from viz.export import output_folder

    return _option("--out", output_folder, path)


def _count(name: str, value: int | None, minimum: int) -> None:
    if value is not None and value < minimum:
        raise InputError(f"{name}: expected a whole number of {minimum} or more, got {value}")


def _speedup(value: float | None) -> None:
    if value is not None and not (value > 0 and value < float("inf")):
        raise InputError(f"--speedup: expected a number greater than 0, got {value:g}")


class _Parser(argparse.ArgumentParser):
    """argparse with its mistakes on one line (the option, what was wrong, where the help
    is), exit 2, instead of the usage block before them."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="parktwin",
        description="Digital twin and emergency simulation engine for chemical industrial parks.",
        epilog="examples:\n  "
        + "\n  ".join(ex for _, ex in COMMANDS.values())
        + "\n\nPARK is 'demo' (the bundled demo park), 'large' (the large demo park, generated on "
        "first use), a GeoPackage, or a folder of GeoJSON files.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    def command(name):
        help_text, example = COMMANDS[name]
        return sub.add_parser(
            name,
            help=help_text,
            description=help_text,
            epilog="example:\n  " + example,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )

    demo = command("demo")
    demo.add_argument(
        "--out", type=Path, default=Path("out/demo"), help="output folder (default: out/demo)"
    )

    park = command("park")
    park_sub = park.add_subparsers(dest="park_command", metavar="SUBCOMMAND")
    park_sub.required = True
    info = park_sub.add_parser(
        "info",
        help="print a summary of a park's layers",
        description="Summary of a park: layers, tanks and inventories, people, sensors, roads.",
        epilog="example:\n  parktwin park info demo",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    info.add_argument("park", nargs="?", default="demo", help="park (default: demo)")

    zones = command("zones")
    zones.add_argument("--park", default="demo", help="park (default: demo)")
    zones.add_argument("--asset", required=True, help="tank or pipeline id, e.g. NH-101")
    hole = zones.add_mutually_exclusive_group(required=True)
    hole.add_argument("--hole", help='equivalent hole diameter with its unit, e.g. "50 mm"')
    hole.add_argument("--rupture", action="store_true", help="catastrophic rupture / full bore")
    zones.add_argument(
        "--hole-height",
        default="0 m",
        help='hole above the tank bottom, or a pipeline\'s above the ground (default "0 m")',
    )
    zones.add_argument("--wind", required=True, help='wind at 10 m, e.g. "3 m/s from NE"')
    zones.add_argument(
        "--stability", help="Pasquill class A-F; if omitted, derived from wind, --time and --cloud"
    )
    zones.add_argument(
        "--cloud", type=float, help="cloud cover in oktas 0-8 (to derive the stability)"
    )
    zones.add_argument("--time", help="UTC time with offset, e.g. 2026-11-24T02:00Z (default: now)")
    zones.add_argument(
        "--population", choices=("day", "night"), help="occupants to count (default: by --time)"
    )
    zones.add_argument(
        "--duration", default="60 min", help='release and exposure duration (default "60 min")'
    )
    zones.add_argument(
        "--air-temperature", default="20 degC", help='air temperature (default "20 degC")'
    )
    zones.add_argument(
        "--terrain",
        choices=("rural", "urban"),
        default="rural",
        help="Briggs sigma curves (default rural)",
    )
    zones.add_argument(
        "--roughness",
        help="surface roughness length, e.g. \"0.3 m\" (default: the park's, its boundary's"
        " roughness_m, else a chemical park's 1 m)",
    )
    zones.add_argument(
        "--obukhov-length",
        help='a measured Monin-Obukhov length, e.g. "-30 m" (negative unstable, positive'
        " stable; default: from the class and the roughness)",
    )
    zones.add_argument(
        "--mixing-height",
        help="the mixed layer's top, measured or forecast, e.g. \"1200 m\" (default: AERMOD's"
        " mechanical height from the wind and the roughness; in unstable air a lower bound)",
    )
    zones.add_argument(
        "--hazards",
        default="toxic,flammable,thermal,overpressure",
        help="comma-separated subset of toxic,flammable,thermal,overpressure",
    )
    zones.add_argument(
        "--blast-strength",
        type=int,
        choices=range(1, 11),
        metavar="1-10",
        default=7,
        help="TNO multi-energy class 1-10 (default 7)",
    )
    zones.add_argument("--out", type=Path, default=Path("out/zones"), help="output folder")

    run_cmd = command("run")
    run_cmd.add_argument("scenario", type=Path, help="scenario file (TOML)")
    run_cmd.add_argument(
        "--action",
        choices=("evacuate", "shelter", "by_zone"),
        help="protective action (default: the scenario's)",
    )
    run_cmd.add_argument(
        "--compare", metavar="ACTIONS", help="e.g. shelter,evacuate: run each and compare"
    )
    run_cmd.add_argument(
        "--ensemble", type=int, metavar="N", help="run N members sampling the uncertain inputs"
    )
    run_cmd.add_argument("--seed", type=int, help="seed of the ensemble (default: the scenario's)")
    run_cmd.add_argument(
        "--workers", type=int, help="local processes for the ensemble (default: cores)"
    )
    run_cmd.add_argument(
        "--cluster", metavar="tcp://HOST:PORT", help="run the ensemble on a Dask cluster"
    )
    run_cmd.add_argument(
        "--out", type=Path, help="output folder (default: the scenario's outputs.directory)"
    )

    qra = command("qra")
    qra.add_argument("park", nargs="?", default="demo", help="park (default: demo)")
    qra.add_argument(
        "--frequencies", type=Path, help="CSV overriding loss frequencies per type or asset"
    )
    qra.add_argument("--met", type=Path, help="recorded met CSV to derive the climatology from")
    qra.add_argument("--cell", default="10 m", help='risk grid cell (default "10 m")')
    qra.add_argument(
        "--margin", default="2 km", help='grid margin around the park (default "2 km")'
    )
    qra.add_argument("--workers", type=int, help="local processes (default: cores)")
    qra.add_argument("--cluster", metavar="tcp://HOST:PORT", help="run on a Dask cluster")
    qra.add_argument("--probit-source", help=PROBIT_HELP)
    qra.add_argument("--out", type=Path, default=Path("out/qra"), help="output folder")

    cmp_cmd = command("compare")
    cmp_cmd.add_argument("before", help="park before (e.g. demo)")
    cmp_cmd.add_argument("after", help="park after")
    cmp_cmd.add_argument("--cell", default="10 m", help='risk grid cell (default "10 m")')
    cmp_cmd.add_argument("--margin", default="2 km", help='grid margin (default "2 km")')
    cmp_cmd.add_argument("--workers", type=int, help="local processes (default: cores)")
    cmp_cmd.add_argument("--cluster", metavar="tcp://HOST:PORT", help="run on a Dask cluster")
    cmp_cmd.add_argument("--probit-source", help=PROBIT_HELP)
    cmp_cmd.add_argument("--out", type=Path, default=Path("out/compare"), help="output folder")

    replay = command("replay")
    replay.add_argument("file", type=Path, help="recorded readings, CSV or Parquet (long or wide)")
    replay.add_argument("--park", default="demo", help="park (default: demo)")
    replay.add_argument(
        "--speedup",
        type=float,
        help="pace by the file's times, this much faster (default: as fast as possible)",
    )
    replay.add_argument("--out", type=Path, default=Path("out/replay"), help="output folder")

    live = command("live")
    live.add_argument("--mqtt", metavar="HOST:PORT", help="MQTT broker to subscribe to")
    live.add_argument("--opcua", metavar="URL", help="OPC UA server (needs --opcua-nodes)")
    live.add_argument("--opcua-nodes", type=Path, help="CSV with columns tag,node_id")
    live.add_argument(
        "--park", default="demo", help="park (default: demo); also its MQTT topic name"
    )
    live.add_argument(
        "--topic-park", help="park name in the MQTT topics (default: the park's file stem or demo)"
    )
    live.add_argument("--out", type=Path, default=Path("out/live"), help="output folder")
    live.add_argument(
        "--duration", help='stop after this long, e.g. "30 min" (default: until Ctrl-C)'
    )
    live.add_argument(
        "--connect-timeout",
        default="10 s",
        help='give up (exit 2) if not connected within this long (default: "10 s")',
    )
    _credential_options(live)
    live.add_argument("--tls", action="store_true", help="connect to MQTT with TLS")
    live.add_argument("--ca-certs", help="CA certificate file for TLS")
    live.add_argument(
        "--opcua-security",
        metavar="POLICY,MODE,CERT,KEY[,SERVER_CERT]",
        help="OPC UA secure channel, e.g. Basic256Sha256,SignAndEncrypt,client.pem,client.key",
    )

    con = command("console")
    source = con.add_mutually_exclusive_group(required=True)
    source.add_argument("--mqtt", metavar="HOST:PORT", help="MQTT broker to subscribe to")
    source.add_argument("--replay", type=Path, metavar="FILE", help="recording to replay (drill)")
    con.add_argument("--park", default="demo", help="park (default: demo)")
    con.add_argument(
        "--speedup", type=float, help="replay this much faster than real time (default: 1)"
    )
    con.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    con.add_argument("--port", type=int, default=8765, help="port (default: 8765)")
    con.add_argument(
        "--token-file",
        type=Path,
        help="file whose first line is the token every request must carry; required with a "
        "--host other than the loopback",
    )
    con.add_argument(
        "--plan",
        type=Path,
        help="scenario file whose detection, response and population settings 'simulate from "
        "now' uses (default for the demo park: scenarios/demo/drill_nb101.toml)",
    )
    con.add_argument("--out", type=Path, default=Path("out/console"), help="output folder")

    publish = command("publish-recording")
    publish.add_argument("file", type=Path, help="recorded readings, CSV or Parquet (long or wide)")
    publish.add_argument("--mqtt", required=True, metavar="HOST:PORT", help="broker address")
    publish.add_argument("--park", default="demo", help="park name in the topic (default: demo)")
    publish.add_argument(
        "--speedup", type=float, help="replay faster than real time (default: as fast as possible)"
    )
    _credential_options(publish)
    publish.add_argument("--tls", action="store_true", help="connect with TLS")
    publish.add_argument("--ca-certs", help="CA certificate file for TLS")

    hazards = command("hazards")
    hazards.add_argument("park", nargs="?", default="demo", help="park (default: demo)")
    hazards.add_argument("--out", type=Path, default=Path("out/hazards"), help="output folder")
    return parser


def _credential_options(command) -> None:
    """The broker's user name and password: an option, a file or the environment."""
    command.add_argument("--username", help=f"user name (default: ${USERNAME_ENV})")
    command.add_argument(
        "--password",
        help=f"password; visible in the process list: prefer ${PASSWORD_ENV} or --password-file",
    )
    command.add_argument(
        "--password-file",
        type=Path,
        help=f"file holding the password (its first line; default: ${PASSWORD_ENV})",
    )


def _status(text: str):
    """A spinner on a terminal; one line when the output is not a terminal (a pipe or a
    log), so that something shows from the first second either way."""
    if not console.is_terminal:
        print(text, flush=True)
    return console.status(text)


def _load(source):
    with _status(f"loading park {source} ..."):
        from twin import load_park

        return load_park(source)


def _park_summary(park) -> None:
    from twin import tank_inventory_kg
    from viz import fmt

    layers = park.layers
    tanks = layers["tanks"].copy()
    tanks["inventory_t"] = tank_inventory_kg(tanks) / 1000.0
    boundary = layers["boundary"].geometry.iloc[0]
    minx, miny, maxx, maxy = boundary.bounds
    b = layers["buildings"]
    graph = park.network.graph

    table = Table(title=f"Park {Path(park.source).name} ({park.crs.name})", show_header=True)
    table.add_column("layer")
    table.add_column("count", justify="right")
    table.add_column("summary", overflow="fold")
    table.add_row(
        "boundary",
        "1",
        f"{(maxx - minx) / 1000:.1f} km x {(maxy - miny) / 1000:.1f} km, "
        f"{boundary.area / 1e6:.2f} km2",
    )
    table.add_row(
        "enterprises", str(len(layers["enterprises"])), fmt.ids(layers["enterprises"].index)
    )
    by_chem = tanks.groupby("chemical")
    table.add_row(
        "tanks",
        str(len(tanks)),
        "; ".join(
            f"{c} ({g.inventory_t.sum():,.0f} t, {len(g)} vessel{'s' if len(g) > 1 else ''}): "
            f"{fmt.ids(sorted(g.index))}"
            for c, g in by_chem
        ),
    )
    pipes = layers["pipelines"]
    table.add_row(
        "pipelines",
        str(len(pipes)),
        "; ".join(
            f"{i} {r.chemical} DN{r.diameter_mm:g} {r.geometry.length:,.0f} m"
            for i, r in pipes.iterrows()
        ),
    )
    dorms = b[b["use"] == "dormitory"]
    table.add_row(
        "buildings",
        str(len(b)),
        f"{b.occupants_day.sum():,} people by day, {b.occupants_night.sum():,} by night "
        f"({len(dorms)} dormitories: {dorms.occupants_night.sum():,} at night): "
        f"{fmt.ids(b.index)}",
    )
    length_km = sum(d["length_m"] for _, _, d in graph.edges(data=True)) / 1000
    table.add_row(
        "roads",
        str(len(layers["roads"])),
        f"graph of {graph.number_of_nodes()} nodes, {graph.number_of_edges()} links, "
        f"{length_km:.1f} km; {park.network.gaps_closed} gaps closed",
    )
    table.add_row("gates", str(len(layers["gates"])), ", ".join(layers["gates"].index))
    ap = layers["assembly_points"]
    table.add_row(
        "assembly_points", str(len(ap)), f"{ap.capacity.sum():,} places: {fmt.ids(ap.index)}"
    )
    s = layers["sensors"]
    table.add_row(
        "sensors", str(len(s)), ", ".join(f"{k} {n}" for k, n in s["kind"].value_counts().items())
    )
    t = layers["targets"]
    table.add_row(
        "targets",
        str(len(t)),
        "; ".join(
            f"{i} {r['name']} ({r.kind}, {r.population_day:,}/{r.population_night:,})"
            for i, r in t.iterrows()
        ),
    )
    console.print(table)


def _hazards(park, out: Path) -> Path:
    from scenarios import major_hazards
    from viz import fmt

    units = major_hazards.identify(park)
    frame = major_hazards.to_frame(units)
    table = Table(
        title="Major hazard installations (GB 18218-2018)",
        caption="q: quantity held, Q: critical quantity; S = Σ q/Q, a major hazard at S ≥ 1; "
        "α: correction for the people within 500 m outside the unit (Table 5); "
        "R = α Σ β q/Q, graded by Table 6",
    )
    table.add_column("Enterprise")
    table.add_column("Name")
    table.add_column("Chemicals: q / Q (t)")
    for heading in ("S", "People within 500 m", "α", "R"):
        table.add_column(heading, justify="right", no_wrap=True)
    table.add_column("Grade", no_wrap=True)
    for u in units:
        chemicals = [
            f"{c['name']} {fmt.number(c['q_t'])} / {fmt.number(c['Q_t'])}" for c in u.chemicals
        ]
        table.add_row(
            u.enterprise,
            u.name,
            "\n".join(chemicals) or "none listed in GB 18218",
            f"{u.s:.2f}",
            f"{u.people_500m:,}",
            f"{u.alpha:g}",
            f"{u.r:.1f}",
            f"grade {u.grade}" if u.major else "not major",
        )
    console.print(table)
    out.mkdir(parents=True, exist_ok=True)
    path = out / "major_hazards.csv"
    frame.to_csv(path, index=False)
    return path


def _zones(args, park=None):
    import time

    from physics.atmosphere import check_obukhov_length, check_roughness
    from physics.bounds import AIR_TEMPERATURE
    from physics.meteorology import pasquill_stability, sun_elevation_deg
    from physics.mixing_layer import check_mixing_height
    from physics.units import parse_non_negative, parse_positive, parse_quantity, parse_wind
    from scenarios.release import ReleaseError, source_term
    from scenarios.zones import Weather, check_hazards, threat_zones
    from twin.readings import parse_time

    speed, direction = _option("--wind", parse_wind, args.wind)
    duration = _option("--duration", parse_positive, args.duration, "s")
    air_t = _option(
        "--air-temperature",
        lambda text: AIR_TEMPERATURE.check(parse_quantity(text, "K")),
        args.air_temperature,
    )
    hole_height = _option("--hole-height", parse_non_negative, args.hole_height, "m")
    hole = None if args.rupture else _option("--hole", parse_positive, args.hole, "m")
    when = _option("--time", parse_time, args.time) if args.time else time.time()
    surface = {}  # the air's roughness and Obukhov length, where given
    if args.roughness is not None:
        z0 = _option("--roughness", parse_positive, args.roughness, "m")
        surface["roughness_m"] = float(_option("--roughness", check_roughness, z0))
    if args.obukhov_length is not None:
        length = _option("--obukhov-length", parse_quantity, args.obukhov_length, "m")
        surface["obukhov_length_m"] = _option("--obukhov-length", check_obukhov_length, length)
    if args.mixing_height is not None:
        lid = _option("--mixing-height", parse_quantity, args.mixing_height, "m")
        surface["mixing_height_m"] = _option("--mixing-height", check_mixing_height, lid)
    hazards = _option(
        "--hazards", check_hazards, [h.strip() for h in args.hazards.split(",") if h.strip()]
    )
    _out(args.out)
    park = park or _load(args.park)
    if "roughness_m" not in surface:
        from twin.park import roughness_m

        surface["roughness_m"] = roughness_m(park)
    centre = park.to_wgs84("boundary").union_all().centroid
    stability = args.stability
    if stability is None:
        if args.cloud is None:
            raise InputError("give --stability A-F, or --cloud OKTAS (and --time) to derive it")
        stability = _option(
            "--cloud", pasquill_stability, speed, centre.x, centre.y, when, args.cloud
        )
        console.print(
            f"stability {stability} (Pasquill, from wind, time and {args.cloud:g}/8 cloud)"
        )
    population = args.population or (
        "day" if float(sun_elevation_deg(centre.x, centre.y, when)) > 0 else "night"
    )
    try:
        weather = Weather(speed, direction, stability.upper(), air_t, args.terrain, **surface)
        term = source_term(
            park,
            args.asset,
            hole_diameter_m=hole,
            rupture=args.rupture,
            hole_height_m=hole_height,
            duration_s=duration,
            wind_speed_m_s=speed,
            air_temperature_K=air_t,
        )
        result = threat_zones(
            park,
            term,
            weather,
            hazards=hazards,
            population=population,
            exposure_s=min(duration, 8 * 3600.0),
            blast_strength=args.blast_strength,
        )
    except ReleaseError as err:
        option = {"asset": "--asset", "hole": "--hole", "hole_height": "--hole-height"}
        raise InputError(f"{option[err.field]}: {err}") from None
    except ValueError as err:
        raise InputError(str(err)) from None
    release = dict(
        hole_m=hole, rupture=args.rupture, hole_height_m=hole_height, duration_s=duration, time=when
    )
    _print_zones(result, release)
    return _write_zones(result, park, args.out, release)


def _print_zones(result, release: dict) -> None:
    from viz import fmt
    from viz.report import release_rows

    t = result.term
    conditions = Table(title=f"Release conditions: {t.asset} ({t.substance.name})")
    conditions.add_column("")
    conditions.add_column("value")
    for label, text in release_rows(result, release):
        conditions.add_row(label, text)
    console.print(conditions)
    table = Table(title=f"Threat zones: {t.asset} ({t.substance.name})")
    for col in (
        "hazard",
        "level",
        "threshold",
        "distance",
        "area",
        "buildings",
        "people",
        "targets",
    ):
        table.add_column(
            col, justify="right" if col in ("distance", "area", "buildings", "people") else "left"
        )
    for _, z in result.zones.iterrows():
        distance = "beyond 10 km" if z.beyond_10km else fmt.distance(z.distance_m)
        table.add_row(
            z.hazard,
            z.level,
            z.threshold,
            distance if z.distance_m else "not reached",
            fmt.area(z.area_m2) if z.area_m2 else "none",
            str(z.buildings),
            f"{z.people:,}",
            z.targets,
        )
    console.print(table)
    b = t.mass_balance()
    console.print(
        f"into the air in {fmt.duration(b.followed_s)}: {fmt.mass(b.airborne_kg)} "
        f"(vapour {fmt.mass(b.vapour_kg)} + aerosol {fmt.mass(b.aerosol_kg)} + evaporated "
        f"from the pool {fmt.mass(b.pool_evaporated_kg)}); largest one-minute rate "
        f"{fmt.rate(t.max_average_rate())}",
        highlight=False,
    )
    console.print(
        f"out of containment: {fmt.mass(b.released_kg)} of {fmt.mass(b.inventory_kg)} "
        f"(vapour {fmt.mass(b.vapour_kg)} + aerosol {fmt.mass(b.aerosol_kg)} + rained out "
        f"{fmt.mass(b.rained_out_kg)}, of which {fmt.mass(b.pool_left_kg)} still in the pool); "
        f"{fmt.mass(b.retained_kg)} still inside",
        highlight=False,
    )
    if len(result.envelope):
        console.print(
            f"wind-direction envelope: +- {fmt.number(result.envelope['sweep_deg'].iloc[0])} deg "
            "around the mean wind (dashed on the map and the figure)",
            highlight=False,
        )
    _print_plan(result.plan)
    for line in result.models:
        console.print(f"  model: {line}", highlight=False)
    for line in result.assumptions:
        console.print(f"  assumed: {line}", highlight=False)


def _print_plan(plan, indent: str = "") -> None:
    """One warning line per assembly point, gate or road that lies in a zone."""
    if plan is None or not len(plan):
        return
    for (kind, ident, name), rows in plan.groupby(["kind", "id", "name"], sort=False):
        where = ", ".join(
            f"{r.hazard} {r.level}" + (f" ({r.inside_m:,.0f} m)" if kind == "road" else "")
            for r in rows.itertuples()
        )
        verb = "crosses" if kind == "road" else "lies inside"
        console.print(
            f"{indent}[yellow]plan:[/] {kind} {ident} ({name}) {verb}: {where}", highlight=False
        )


def _write_zones(result, park, out: Path, release: dict | None = None) -> dict:
    from viz import park_map
    from viz.export import write_zones
    from viz.figures import park_figure
    from viz.report import zones_report

    paths = write_zones(result, park, out)
    paths["png"] = park_figure(
        park,
        zones=result.zones,
        envelope=result.envelope,
        out_png=out / "zones.png",
        title=f"{result.asset}: threat zones",
    )
    paths["map"] = park_map(
        park,
        out / "zones_map.html",
        zones=result.zones,
        envelope=result.envelope,
        title=f"{result.asset} ({result.term.substance.name}): threat zones",
    )
    paths["report"] = zones_report(result, park, [paths["png"]], out / "zones_report.html", release)
    for path in paths.values():
        console.print(f"wrote {path}")
    return paths


def _host_port(text: str, default_port: int) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    if not host:
        return text, default_port
    try:
        return host, int(port)
    except ValueError:
        raise InputError(f"expected HOST:PORT, got {text!r}") from None


def _publish(args) -> None:
    from twin.feeds.mqtt import publish_recording

    if not args.file.exists():
        raise InputError(f"{args.file}: no such file")
    _speedup(args.speedup)
    host, port = _host_port(args.mqtt, 1883)
    username, password = _credentials(args)
    try:
        with console.status(f"publishing {args.file} to {host}:{port} ..."):
            count = publish_recording(
                args.file,
                host,
                port,
                args.speedup,
                park=args.park,
                username=username,
                password=password,
                tls=args.tls,
                ca_certs=args.ca_certs,
            )
    except (OSError, TimeoutError) as err:
        raise InputError(f"broker {host}:{port}: {err}") from None
    except ValueError as err:
        raise InputError(f"{args.file}: {err}") from None
    console.print(f"published {count:,} readings to {host}:{port} on parktwin/{args.park}/<tag>")


class _Rejections:
    """Rejected readings by rule with their first few examples, for one summary at the end
    (every one still goes to ``sink``, the reading log)."""

    EXAMPLES = 3

    def __init__(self, sink):
        self.sink = sink
        self.examples: dict[str, list[str]] = {}

    def __call__(self, rule: str, raw: str, t_receive: float) -> None:
        self.sink(rule, raw, t_receive)
        kept = self.examples.setdefault(rule, [])
        if len(kept) < self.EXAMPLES:
            kept.append(textwrap.shorten(raw, 100, placeholder=" ..."))


class _Terminal:
    """The terminal's face of a `scenarios.feed_loop.FeedLoop`: alarms printed as they
    happen (``echo``), each forecast written (zones, PNGs, map) and printed, and the summary
    at the end."""

    def __init__(self, loop, out: Path, echo: bool = True):
        self.loop, self.out, self.echo = loop, out, echo
        self.written = []
        self.rejections = _Rejections(loop.log.add_rejected)
        loop.subscribe("alarm", self._alarm)
        loop.subscribe("forecast", self._forecast)

    def _alarm(self, row) -> None:
        from twin.readings import format_time

        if self.echo and row.state in ("raised", "classified", "rejected", "flagged"):
            colour = "red" if "process" in row.cause or row.state == "raised" else "yellow"
            console.print(
                f"[{colour}]{format_time(row.t)} {row.tag} {row.level or row.kind} {row.state}[/] "
                f"{row.cause}",
                highlight=False,
            )

    def _forecast(self, payload) -> None:
        from viz import park_map
        from viz.export import named_after, write_forecast
        from viz.figures import park_figure

        leak, result, why = payload
        console.print(
            f"[bold red]LEAK[/] {leak.asset}: {leak.rate_text()} "
            f"({leak.method}, p = {leak.probability:.2f}); {leak.detail}",
            highlight=False,
        )
        if result is None:
            console.print(f"  no forecast: {why}")
            return
        folder = named_after(self.out, f"forecast_{leak.asset}")
        paths = write_forecast(result, self.loop.park, folder)
        for horizon, zones in result.horizons.items():
            minutes = round(horizon / 60)
            park_figure(
                self.loop.park,
                folder / f"zones_{minutes}min.png",
                zones=zones.zones,
                envelope=zones.envelope,
                title=f"{leak.asset}: forecast +{minutes} min",
            )
        last = result.horizons[max(result.horizons)]
        paths["map"] = park_map(
            self.loop.park,
            folder / "forecast_map.html",
            zones=last.zones,
            envelope=last.envelope,
            title=f"{leak.asset}: forecast +{round(max(result.horizons) / 60)} min",
        )
        self.written.append((result, paths))
        w = result.weather
        console.print(
            f"  forecast in {result.elapsed_s:.2f} s (wind {w.wind_speed_m_s:.1f} m/s from "
            f"{w.wind_from_deg:.0f} deg, class {w.stability}):",
            highlight=False,
        )
        for note in result.notes:
            console.print(f"    {note}", highlight=False)
        for horizon, zones in result.horizons.items():
            row = ", ".join(
                f"{z.level} {z.distance_m:,.0f} m ({z.people} people)"
                for _, z in zones.zones.iterrows()
                if z.hazard == "toxic"
            )
            console.print(f"    +{round(horizon / 60)} min: {row}", highlight=False)
        _print_plan(last.plan, indent="  ")
        console.print(f"  wrote {folder}")

    def _map(self) -> None:
        from twin.plausibility import INSTRUMENT
        from viz import park_map

        states = {}
        for alarm in self.loop.twin.alarms.alarms:
            verdict = alarm.verdict.classification if alarm.verdict is not None else ""
            states[alarm.tag] = (
                "instrument fault (likely)" if verdict == INSTRUMENT else "alarm (process)"
            )
        forecasts = self.loop.forecasts
        zones = forecasts[-1].horizons[max(forecasts[-1].horizons)].zones if forecasts else None
        path = park_map(
            self.loop.park,
            self.out / "alarms_map.html",
            zones=zones,
            sensor_states=states,
            title="Alarms raised (ringed) and the latest forecast",
        )
        console.print(f"wrote {path}")

    def summary(self, rejected: dict) -> None:
        from twin.readings import format_time

        loop, twin = self.loop, self.loop.twin
        loop.close()
        table = Table(title="Alarms (raised) and how they were classed")
        for col in ("time", "tag", "level", "classed", "cause"):
            table.add_column(col)
        classed = {(r.tag, r.level): r.cause for r in loop.events if r.state == "classified"}
        first = {}
        for r in loop.events:
            if r.state == "raised" and r.kind != "leak":
                first.setdefault((r.tag, r.level), r)
        for r in first.values():
            table.add_row(
                format_time(r.t), r.tag, r.level, classed.get((r.tag, r.level), ""), r.cause
            )
        console.print(table)
        self._map()
        for event in twin.leaks.events:
            console.print(
                f"leak: {event.asset} by {event.method}, {event.rate_text()} at "
                f"{format_time(event.t)}",
                highlight=False,
            )
        for cas, (_, est) in twin.leaks.estimates.items():
            console.print(
                f"latest source estimate ({cas}): {est.asset} {est.rate_text()}, "
                f"p = {est.probability:.2f}",
                highlight=False,
            )
        total = sum(rejected.values())
        if total:
            console.print(
                f"rejected {total:,} reading(s), all kept in {self.out / 'log.sqlite'}:",
                highlight=False,
            )
        for rule, n in sorted(rejected.items(), key=lambda item: -item[1]):
            examples = "; ".join(self.rejections.examples.get(rule, []))
            console.print(
                f"  {n:,} {rule}" + (f", e.g. {examples}" if examples else ""), highlight=False
            )
        if twin.implausible:
            console.print(
                "physically impossible values refused by the twin: "
                + ", ".join(f"{tag} {n:,}" for tag, n in twin.implausible.items()),
                highlight=False,
            )
        people = twin.people.at(twin.t)
        if not people.empty:
            inside = sum(n for n, _ in people.buildings.values())
            console.print(
                f"headcounts at {format_time(twin.t)}: {inside:,} people in "
                f"{len(people.buildings)} counted building(s), "
                f"{sum(n for n, _ in people.gates.values()):,} at gates, "
                f"{len(people.positions):,} tagged people located",
                highlight=False,
            )
        if twin.out_of_range:
            console.print(
                "readings beyond their measuring band (failure signals, NAMUR NE 43; kept out "
                "of the leak estimates): "
                + ", ".join(f"{tag} {n:,}" for tag, n in twin.out_of_range.items()),
                highlight=False,
            )
        console.print(f"wrote {self.out / 'log.sqlite'}")


def _follow(park, out: Path, echo: bool = True, background: bool = False):
    """A feed loop on ``park`` logging to ``out``, and its terminal face."""
    from scenarios.feed_loop import FeedLoop

    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise InputError(f"--out {out}: {err}") from None
    loop = FeedLoop(park, out / "log.sqlite", background=background)
    return loop, _Terminal(loop, out, echo)


def _replay(args) -> None:
    import logging

    from twin.feeds.recorded import RecordedFeed
    from twin.headcount import feed_tags

    # One summary by rule at the end instead of a line per rejected reading.
    logging.getLogger("twin.feeds").addHandler(logging.NullHandler())
    if not args.file.exists():
        raise InputError(f"{args.file}: no such file")
    _speedup(args.speedup)
    _out(args.out)
    park = _load(args.park)
    loop, face = _follow(park, args.out)
    try:
        feed = RecordedFeed(
            args.file,
            args.speedup,
            known_tags=feed_tags(park),
            on_reject=face.rejections,
        )
        for reading in feed:
            loop.take(reading)
    except ValueError as err:
        message = str(err) if str(args.file) in str(err) else f"{args.file}: {err}"
        raise InputError(message) from None
    console.print(f"replayed {loop.count:,} readings from {args.file}")
    face.summary(dict(feed.rejected))


def _credentials(args) -> tuple[str | None, str | None]:
    """User name and password for a broker: the options, else the environment. A password
    in a file or in the environment does not show in the process list as ``--password`` does."""
    username = args.username or os.environ.get(USERNAME_ENV)
    password = args.password or os.environ.get(PASSWORD_ENV)
    if args.password_file is not None:
        try:
            lines = args.password_file.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as err:
            raise InputError(f"--password-file {args.password_file}: {err}") from None
        password = lines[0] if lines else ""
    return username, password


def _check_opcua_options(args) -> None:
    """The OPC UA options, checked before the park loads and before connecting."""
    if not args.opcua_nodes or not args.opcua_nodes.exists():
        raise InputError("--opcua needs --opcua-nodes FILE (CSV with columns tag,node_id)")
    if args.opcua_security:
        try:
            from twin.feeds.opcua import check_security

            check_security(args.opcua_security)
        except ImportError:
            raise InputError(
                "parktwin live: the OPC UA feed needs asyncua: pip install 'parktwin[live]'"
            ) from None
        except ValueError as err:
            raise InputError(f"--opcua-security: {err}") from None


def _live_feed(args, tags, log):
    """The MQTT or OPC UA feed the options ask for."""
    import csv

    username, password = _credentials(args)
    try:
        if args.opcua:
            from twin.feeds.opcua import OpcUaFeed

            if not args.opcua_nodes or not args.opcua_nodes.exists():
                raise InputError("--opcua needs --opcua-nodes FILE (CSV with columns tag,node_id)")
            with open(args.opcua_nodes, newline="", encoding="utf-8") as f:
                nodes = {row["tag"]: row["node_id"] for row in csv.DictReader(f)}
            return OpcUaFeed(
                args.opcua,
                nodes,
                known_tags=tags,
                log=log,
                username=username,
                password=password,
                security=args.opcua_security,
            )
        from twin.feeds.mqtt import MqttFeed

        host, port = _host_port(args.mqtt, 1883)
        topic = args.topic_park or ("demo" if args.park == "demo" else Path(args.park).stem)
        return MqttFeed(
            host,
            port,
            park=topic,
            known_tags=tags,
            log=log,
            username=username,
            password=password,
            tls=args.tls,
            ca_certs=args.ca_certs,
        )
    except ImportError as err:
        raise InputError(f"parktwin live: {err}") from None


def _log_feed_to(path: Path) -> None:
    """Send the feeds' log (connection events, rejections) to a file rather than the
    terminal, where the live view and the one-line errors are."""
    import logging

    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    feeds = logging.getLogger("twin.feeds")
    feeds.addHandler(handler)
    feeds.setLevel(logging.INFO)
    feeds.propagate = False
    # asyncua's own warnings (a closed channel on every failed try) go there too; without
    # a handler Python would print them on the terminal before the one-line error.
    opcua = logging.getLogger("asyncua")
    opcua.addHandler(handler)
    opcua.propagate = False


def _live(args) -> None:
    import time

    from rich.live import Live

    from physics.units import parse_positive
    from twin.headcount import feed_tags

    if not (args.mqtt or args.opcua):
        raise InputError("give --mqtt HOST:PORT or --opcua URL")
    duration = None
    if args.duration is not None:
        duration = _option("--duration", parse_positive, args.duration, "s")
    connect_timeout = _option("--connect-timeout", parse_positive, args.connect_timeout, "s")
    _out(args.out)
    if args.opcua:
        _check_opcua_options(args)
    park = _load(args.park)
    loop, face = _follow(park, args.out, echo=False)
    _log_feed_to(args.out / "live.log")
    feed = _live_feed(args, feed_tags(park), loop.log)
    kind = "OPC UA server" if args.opcua else "MQTT broker"
    try:
        with console.status(f"connecting to {kind} {feed.address} ..."):
            ready = feed.wait_ready(connect_timeout)
    except KeyboardInterrupt as stopped:
        feed.close()
        loop.close()
        raise stopped from None
    if not ready:
        feed.close()
        loop.close()
        if feed.refused:
            raise InputError(
                f"{kind} {feed.address} refused the connection: {feed.refused} "
                "(check the user name and the password)"
            )
        raise InputError(
            f"{kind} {feed.address}: not connected within {connect_timeout:g} s"
            f" ({feed.last_error or 'no answer'}); see --connect-timeout"
        )
    stop = time.monotonic() + duration if duration else None
    try:
        if console.is_terminal:
            with Live(_live_view(loop, feed), console=console, refresh_per_second=2) as view:
                while stop is None or time.monotonic() < stop:
                    loop.take_batch(feed.drain(0.25), logged=True)
                    view.update(_live_view(loop, feed))
        else:
            _follow_piped(loop, feed, stop)
    except KeyboardInterrupt as stopped:
        console.print(f"stopped ({_signal_name(stopped)})")
    feed.close()
    face.summary(dict(feed.rejected))
    console.print(f"wrote {args.out / 'live.log'} (connection events, first rejections per rule)")
    if feed.late:
        console.print(
            f"late readings (older than one already taken of their tag; logged, not used by "
            f"the state): {feed.late:,}"
        )


# Without a terminal, ``live`` prints its status line this often, and at every change of
# the connection. [s]
STATUS_EVERY_S = 30.0


def _follow_piped(loop, feed, stop, every_s: float = STATUS_EVERY_S) -> None:
    """``live`` piped or written to a file, where the view cannot redraw (rich's Live shows
    nothing until it ends): a dated status line at every change of the connection and every
    ``every_s`` seconds."""
    import time

    from twin.readings import format_time

    was, due = None, 0.0
    while stop is None or time.monotonic() < stop:
        loop.take_batch(feed.drain(0.25), logged=True)
        now = time.monotonic()
        if feed.connected != was or now >= due:
            console.print(
                f"{format_time(time.time())} {_live_status(loop, feed).plain}",
                highlight=False,
                soft_wrap=True,  # one line each, whatever the width
            )
            was, due = feed.connected, now + every_s


def _live_status(loop, feed):
    """The view's first line: the connection, the age of the last message, the counts."""
    import time

    from rich.text import Text

    if feed.connected:
        link = Text(f"connected to {feed.address}", style="green")
    elif feed.refused:
        link = Text(f"REFUSED by {feed.address}: {feed.refused}", style="bold red")
    else:
        reason = f" ({feed.last_error})" if feed.last_error else ""
        link = Text(f"DISCONNECTED from {feed.address}{reason}; reconnecting", style="bold red")
    if feed.last_message is None:
        age = "no message yet"
    else:
        age = f"last message {time.monotonic() - feed.last_message:,.1f} s ago"
    rejected = sum(feed.rejected.values())
    return Text.assemble(
        link,
        f"; {age}; {loop.count:,} readings taken, {rejected:,} messages rejected",
        f", {sum(loop.twin.implausible.values()):,} impossible values refused"
        if loop.twin.implausible
        else "",
    )


def _live_view(loop, feed):
    import math

    from rich.console import Group

    from twin.readings import format_time

    status = _live_status(loop, feed)
    alarms = Table(title="Active alarms")
    for col in ("since", "tag", "level", "classed"):
        alarms.add_column(col)
    for alarm in loop.twin.alarms.active[:20]:
        verdict = alarm.verdict.classification if alarm.verdict is not None else ""
        alarms.add_row(format_time(alarm.t_raised), alarm.tag, alarm.level, verdict)
    snap = loop.twin.snapshot() if loop.count else None
    tags = Table(title="Weather")
    for col in ("wind", "from", "air", "class"):
        tags.add_column(col)
    if snap is not None:
        w = snap.weather

        def shown(value: float, text: str) -> str:
            # a weather tag not read yet is NaN in the twin: said, not printed as "nan"
            return text.format(value) if math.isfinite(value) else "no reading yet"

        tags.add_row(
            shown(w.wind_speed_m_s, "{:.1f} m/s"),
            shown(w.wind_from_deg, "{:.0f} deg"),
            shown(w.air_temperature_k - 273.15, "{:.1f} degC"),
            w.stability or "not derived",
        )
    leaks = [f"LEAK {r.asset} {r.rate_kg_s:.3f} kg/s" for r in loop.forecasts]
    return Group(status, alarms, tags, *leaks)


def _plan(args):
    """The response plan of the console's simulations (None: none for this park)."""
    from scenarios import scenario_file

    path = args.plan
    if path is None:
        if args.park != "demo":
            return None
        path = Path(scenario_file.__file__).parent / "demo" / "drill_nb101.toml"
    try:
        return scenario_file.load(path)
    except scenario_file.ScenarioError as err:
        raise InputError(f"--plan {err}") from None


def _console(args) -> None:
    import socket

    from twin.feeds.recorded import RecordedFeed
    from twin.headcount import feed_tags

    try:
        import console_server
    except ImportError as err:
        raise InputError(
            f"parktwin console needs the console extra ({err}): pip install 'parktwin[console]'"
        ) from None
    token = None
    if args.token_file is not None:
        try:
            token = args.token_file.read_text(encoding="utf-8").splitlines()[0].strip()
        except (OSError, UnicodeDecodeError, IndexError) as err:
            raise InputError(f"--token-file {args.token_file}: {err or 'empty'}") from None
        if len(token) < 16:
            raise InputError(f"--token-file {args.token_file}: a token of 16 characters or more")
    if args.host not in console_server.LOOPBACK and token is None:
        raise InputError(f"--host {args.host} is not the loopback: give --token-file")
    if args.replay is not None and not args.replay.exists():
        raise InputError(f"--replay {args.replay}: no such file")
    if args.speedup is not None and not args.speedup > 0:
        raise InputError(f"--speedup must be > 0, got {args.speedup}")
    with socket.socket(socket.AF_INET6 if ":" in args.host else socket.AF_INET) as probe:
        try:
            probe.bind((args.host, args.port))
        except OSError as err:
            raise InputError(f"--port {args.port} on {args.host}: {err.strerror}") from None
    plan = _plan(args)
    park = _load(args.park)
    loop, _ = _follow(park, args.out, echo=False, background=True)
    _log_feed_to(args.out / "console.log")
    if args.replay is not None:
        try:
            feed = RecordedFeed(
                args.replay, known_tags=feed_tags(park), on_reject=loop.log.add_rejected
            )
        except ValueError as err:
            raise InputError(f"--replay {args.replay}: {err}") from None
        feed.address = str(args.replay)
    else:
        args.opcua = None
        args.topic_park = None
        args.username = args.password = args.password_file = None
        args.tls, args.ca_certs = False, None
        feed = _live_feed(args, feed_tags(park), loop.log)
    speedup = (args.speedup or 1.0) if args.replay is not None else None
    console_app = console_server.Console(loop, feed, token=token, speedup=speedup, plan=plan)
    url = f"http://{args.host}:{args.port}/" + ("?token=TOKEN (from --token-file)" if token else "")
    console.print(f"console at {url} (Ctrl-C to stop); log: {args.out / 'log.sqlite'}")
    try:
        console_server.serve(console_app, args.host, args.port)
    finally:
        if hasattr(feed, "close"):
            feed.close()
        loop.close()


def _run(args) -> None:
    from scenarios import capacity, engine, ensemble, scenario_file

    if not args.scenario.exists():
        raise InputError(f"{args.scenario}: no such file")
    try:
        scenario = scenario_file.load(args.scenario)
    except scenario_file.ScenarioError as err:
        raise InputError(str(err)) from None
    if args.ensemble is not None:
        _option("--ensemble", ensemble.check_size, args.ensemble)
    _count("--seed", args.seed, 0)
    _count("--workers", args.workers, 1)
    out = _out(args.out or Path(scenario.outputs.directory))
    if args.ensemble is not None:
        client = _option("--cluster", capacity.connect, args.cluster) if args.cluster else None
        try:
            _ensemble(scenario, args, out, client)
        finally:
            _close(client)
        return
    if args.compare:
        actions = tuple(a.strip() for a in args.compare.split(",") if a.strip())
        from viz.report import scenario_key_figures

        with console.status(f"running {scenario.run.name} under {', '.join(actions)} ..."):
            try:
                results = engine.compare_runs(scenario, actions)
            except ValueError as err:
                raise InputError(str(err)) from None
        table = engine.comparison_table(results)
        shown = {a: dict(scenario_key_figures(r)) for a, r in results.items()}
        _print_texts(shown, f"{scenario.run.name}: protective actions compared")
        out.mkdir(parents=True, exist_ok=True)
        table.to_csv(out / "compare.csv")
        console.print(f"wrote {out / 'compare.csv'}")
        return
    from viz.animation import cloud_zones, scenario_map
    from viz.export import write_scenario
    from viz.figures import park_figure
    from viz.report import scenario_key_figures, scenario_report
    from viz.timeline import timeline_figure

    park = _load(scenario.run.park)
    with _status(f"running {scenario.run.name} ..."):
        try:
            result = engine.run(scenario, park, action=args.action)
        except ValueError as err:
            raise InputError(str(err)) from None
    figures = scenario_key_figures(result)
    table = Table(title=f"{scenario.run.name} ({result.action})")
    table.add_column("figure")
    table.add_column("value", justify="right")
    for key, value in figures:
        table.add_row(key, value)
    console.print(table)
    for row in result.plan.itertuples():
        console.print(
            f"[yellow]plan:[/] {row.kind} {row.destination} closed at {row.time_s:.0f} s: "
            f"{row.reason}",
            highlight=False,
        )
    with _status("writing the map, figures, report and GeoPackage ..."):
        files = write_scenario(result, park, out)
        if "parquet" in scenario.outputs.formats:
            result.write(out, formats=("parquet",), trajectories=scenario.outputs.trajectories)
        shown = {
            "map": scenario_map(park, result, out / "map.html"),
            "timeline": timeline_figure(result, out / "timeline.png"),
            "cloud": park_figure(
                park,
                out / "cloud_reach.png",
                zones=cloud_zones(result),
                title=f"{scenario.run.name}: where the cloud reached each level",
            ),
        }
        shown["report"] = scenario_report(
            result,
            park,
            [shown["timeline"], shown["cloud"]],
            out / "report.html",
            scenario=scenario,
        )
    console.print(f"wrote {len(files)} result files to {out}")
    for name, path in {"GeoPackage": files.get("gpkg", out / "results.gpkg"), **shown}.items():
        console.print(f"{name}: {path}")


def _ensemble(scenario, args, out: Path, client) -> None:
    from scenarios import ensemble

    table = ensemble.run_ensemble(
        scenario,
        args.ensemble,
        seed=args.seed,
        action=args.action,
        workers=args.workers,
        cluster=client,
        progress=True,
    )
    stats = ensemble.percentiles(table)
    _print_ensemble(stats, f"{scenario.run.name}: ensemble of {args.ensemble} (percentiles)")
    table.to_csv(out / "ensemble.csv", index=False)
    stats.to_csv(out / "ensemble_percentiles.csv")
    console.print(f"wrote {out / 'ensemble.csv'} and {out / 'ensemble_percentiles.csv'}")


def _qra_options(args, parks):
    """The grid (checked against free memory), workers and cluster of ``qra`` and ``compare``;
    connects to the cluster, if one is given, before any work."""
    from physics import harm
    from physics.units import parse_non_negative, parse_positive
    from scenarios import capacity
    from scenarios.qra.compare import common_grid
    from scenarios.qra.run import check_memory

    _option("--probit-source", harm.check_probit_source, args.probit_source)
    cell = _option("--cell", parse_positive, args.cell, "m")
    margin = _option("--margin", parse_non_negative, args.margin, "m")
    grid = common_grid(parks[0], parks[-1], cell_m=cell, margin_m=margin)
    _count("--workers", args.workers, 0)
    _option("--cell", check_memory, grid)
    _out(args.out)
    cluster = _option("--cluster", capacity.connect, args.cluster) if args.cluster else None
    return dict(grid=grid, workers=args.workers, cluster=cluster, probit=args.probit_source)


def _close(client) -> None:
    if client is not None:
        client.close()


def _risk_zones(result):
    """The risk contours as map zones (``viz.deckmap.ZONE_COLUMNS``); a contour the grid
    cuts says at which edges."""
    zones = result.contours.copy()
    zones["hazard"] = "individual risk"
    zones["threshold"] = [
        f"{v:.0e} per year" + (f" (cut by the grid's {e} edge)" if c else "")
        for v, c, e in zip(zones["level"], zones["clipped"], zones["clipped_edges"], strict=True)
    ]
    zones["level"] = [f"{v:.0e} per year" for v in zones["level"]]
    zones["distance_m"] = 0.0
    zones["people"] = 0
    return zones[~zones.geometry.is_empty]


def _qra(args) -> None:
    park = _load(args.park)
    from scenarios.qra import run_qra, safety_distances, write_outputs
    from scenarios.qra import weather as qra_weather
    from viz import park_map
    from viz.report import qra_report, qra_summary_lines
    from viz.risk_figures import fn_figure, risk_contour_figure

    options = _qra_options(args, [park])
    try:
        if args.frequencies:
            options["overrides"] = args.frequencies
        if args.met:
            centre = park.to_wgs84("boundary").union_all().centroid
            options["climate"] = qra_weather.climatology_from_met(args.met, centre.x, centre.y)
        result = run_qra(park, progress=True, **options)
    except (ValueError, OSError) as err:
        raise InputError(str(err)) from None
    finally:
        _close(options["cluster"])
    for line in qra_summary_lines(result):
        console.print(line, highlight=False, markup=False)
    args.out.mkdir(parents=True, exist_ok=True)
    with _status("writing the report, figures, map and GeoPackage ..."):
        written = write_outputs(result, park, args.out)
        safety = safety_distances(park, result)
        figures = [
            risk_contour_figure(result, park, args.out / "risk_contours.png"),
            fn_figure({Path(park.source).stem: result.fn}, args.out / "fn_curve.png"),
        ]
        shown = {
            "map": park_map(
                park,
                args.out / "risk_map.html",
                zones=_risk_zones(result),
                title="Individual risk contours (per year)",
            ),
            "report": qra_report(result, park, figures, args.out / "qra_report.html", safety),
        }
    console.print(f"wrote {len(written)} files to {args.out}")
    for name, path in {
        **dict(zip(("risk contours", "F-N curve"), figures, strict=True)),
        **shown,
    }.items():
        console.print(f"{name}: {path}")


def _compare(args) -> None:
    before, after = _load(args.before), _load(args.after)
    from scenarios.evacuation import evacuation_figures
    from scenarios.qra import compare
    from viz.report import compare_report, compare_rows, compare_story, evacuation_rows
    from viz.risk_figures import fn_figure, risk_change_figure

    options = _qra_options(args, [before, after])
    try:
        result = compare(before, after, progress=True, **options)
    except ValueError as err:
        raise InputError(str(err)) from None
    finally:
        _close(options["cluster"])
    args.out.mkdir(parents=True, exist_ok=True)
    names = (Path(before.source).name, Path(after.source).name)
    if names[0] == names[1]:
        names = ("before", "after")
    with _status("evacuating both layouts (people model) ..."):
        evacuation = {
            name: evacuation_figures(park)
            for name, park in zip(names, (before, after), strict=True)
        }
    for line in compare_story(result):
        console.print(line, highlight=False, markup=False)
    if len(result.receptors):
        _print_frame(
            compare_rows(result).set_index("id"),
            "Buildings and targets whose risk, status or place changed",
        )
    _print_frame(
        evacuation_rows(evacuation).set_index(""),
        "Evacuation of everyone inside the park at night (people model)",
    )
    with _status("writing the report and figures ..."):
        result.receptors.to_csv(args.out / "receptors_before_after.csv", index=False)
        result.changed.to_csv(args.out / "compliance_changed.csv", index=False)
        result.changes.to_csv(args.out / "layout_changes.csv", index=False)
        fn = fn_figure(
            {names[0]: result.before.fn, names[1]: result.after.fn}, args.out / "fn_curves.png"
        )
        change = risk_change_figure(result, before, args.out / "risk_change.png")
        report = compare_report(
            result, (before, after), names, [fn, change], evacuation, args.out / "compare.html"
        )
    for path in (
        args.out / "receptors_before_after.csv",
        args.out / "compliance_changed.csv",
        args.out / "layout_changes.csv",
        fn,
        change,
        report,
    ):
        console.print(f"wrote {path}")


# What a member with a value of a figure did (a member without it did not).
_ENSEMBLE_COUNTS = {
    "first_alarm_s": "alarmed",
    "decision_s": "decided",
    "last_arrival_s": "had arrivals",
    "longest_queue_s": "had a queue",
    "longest_queue_x_m": "had a queue",
    "longest_queue_y_m": "had a queue",
}


def _print_ensemble(stats, title: str) -> None:
    """Percentiles with the number of members each rests on; none: "not computed"."""
    table = Table(title=title)
    table.add_column("figure")
    table.add_column("members", justify="right")
    quantiles = [c for c in stats.columns if c not in ("members", "of")]
    for col in quantiles:
        table.add_column(col, justify="right")
    for figure, row in stats.iterrows():
        k, n = int(row["members"]), int(row["of"])
        did = _ENSEMBLE_COUNTS.get(
            figure, "reached and cleared" if figure.startswith("clear_") else "with a value"
        )
        values = [f"{row[c]:,.3g}" for c in quantiles] if k else ["not computed"] * len(quantiles)
        table.add_row(figure, f"{k} of {n}" + (f" {did}" if k < n else ""), *values)
    console.print(table)
    first = stats.loc["first_alarm_s"] if "first_alarm_s" in stats.index else None
    if first is not None:
        k, n = int(first["members"]), int(first["of"])
        median = f"; p50 {first['p50']:,.0f} s" if k else "; no percentile (none alarmed)"
        console.print(f"first alarm: {k} of {n} members alarmed{median}", highlight=False)


def _print_texts(columns: dict[str, dict[str, str]], title: str) -> None:
    """Columns of figures already worded for people: column name -> {label: text}."""
    from rich.markup import escape

    table = Table(title=escape(title))
    table.add_column("figure")
    for name in columns:
        table.add_column(escape(name), justify="right")
    labels = dict.fromkeys(label for col in columns.values() for label in col)
    for label in labels:
        table.add_row(escape(label), *(escape(col.get(label, "")) for col in columns.values()))
    console.print(table)


def _print_frame(frame, title: str) -> None:
    from rich.markup import escape

    from viz import fmt

    table = Table(title=escape(title))
    table.add_column(escape(str(frame.index.name or "")))
    for col in frame.columns:
        table.add_column(escape(fmt.words(str(col))), justify="right")
    for idx, row in frame.iterrows():
        table.add_row(
            escape(fmt.words(str(idx))),
            *(escape(fmt.value(str(idx), v)) for v in row),
        )
    console.print(table)


def run(args) -> None:
    if args.command == "park":
        _park_summary(_load(args.park))
    elif args.command == "hazards":
        _out(args.out)
        path = _hazards(_load(args.park), args.out)
        console.print(f"wrote {path}")
    elif args.command == "zones":
        _zones(args)
    elif args.command == "run":
        _run(args)
    elif args.command == "qra":
        _qra(args)
    elif args.command == "compare":
        _compare(args)
    elif args.command == "replay":
        _replay(args)
    elif args.command == "live":
        _live(args)
    elif args.command == "console":
        _console(args)
    elif args.command == "publish-recording":
        _publish(args)
    elif args.command == "demo":
        _out(args.out)
        park = _load("demo")
        _park_summary(park)
        path = _hazards(park, args.out)
        console.print(f"wrote {path}")
        console.rule("A 50 mm leak from ammonia sphere NH-101 at night, 2 m/s from NE, class F")
        demo_zones = _parser().parse_args(
            [
                "zones",
                "--asset",
                "NH-101",
                "--hole",
                "50 mm",
                "--wind",
                "2 m/s from NE",
                "--stability",
                "F",
                "--population",
                "night",
                "--out",
                str(args.out / "zones"),
            ]
        )
        _zones(demo_zones, park)
        from twin import INCIDENT_DRILL

        console.rule("Replay of the demo drill: a failing level transmitter and an ammonia leak")
        _replay(
            _parser().parse_args(["replay", str(INCIDENT_DRILL), "--out", str(args.out / "replay")])
        )
        flagship = Path(__file__).parent / "scenarios" / "demo" / "drill_nb101.toml"
        console.rule("The drill's leak through the engine: cloud, alarms, warning, people, dose")
        _run(_parser().parse_args(["run", str(flagship), "--out", str(args.out / "scenario")]))


def main(argv=None) -> int:
    parser = _parser()
    if not (sys.argv[1:] if argv is None else argv):
        parser.print_help()  # "parktwin" alone: what it can do
        return 2
    args = parser.parse_args(argv)
    # after parsing: --help and a mistyped option answer without loading geopandas
    from geodata import ParkError

    if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        _MAIN_PID[0] = os.getpid()
        signal.signal(signal.SIGTERM, _terminated)
    try:
        run(args)
    except (InputError, ParkError) as err:
        message = textwrap.shorten(str(err), width=2000, placeholder=" ...")
        print(f"parktwin: error: {message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as stopped:
        # Ctrl-C (or SIGTERM) before a command's own handling (loading the park, connecting),
        # or a command that stops on it (the console): one line, and the shell's code for a
        # command ended by the signal (128 + 2 for SIGINT, 128 + 15 for SIGTERM).
        print(f"parktwin: stopped ({_signal_name(stopped)})", file=sys.stderr)
        return 143 if isinstance(stopped, Terminated) else 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
