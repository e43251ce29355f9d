"""Fuzz tests of what people hand parktwin: the scenario parser, the recording reader and the
park loader answer anything with a valid result or their one-line error (`ScenarioError`,
a ValueError naming the recording, `ParkError`), never another exception.

The quick profile (the suite's default) tries a few cases per property (``QUICK``); the fuzz
run the README names (``HYPOTHESIS_PROFILE=fuzz``) tries 10,000 of each. Parks are the small
park of ``tests.parks`` with one layer broken: 10,000 through the whole loader after the
files are read (``geodata.load.park_from_layers``), and 1,000 through files on disk
(``WHOLE_PARKS``: GDAL's reading of ten files takes most of each case's time).
"""

import copy
import math
import tempfile
import tomllib
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import shapely
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from shapely.geometry import LineString, Point, Polygon

import twin
from geodata import LAYERS, ParkError
from geodata.load import _check_area_of_use, _validate_layer, park_from_layers
from physics import substances
from scenarios import scenario_file
from scenarios.scenario_file import ScenarioError
from tests.fuzz_counts import FUZZ
from tests.parks import small_layer, small_layers, write_geojson_dir
from twin.feeds.recorded import RecordedFeed

ROOT = Path(__file__).parents[1]
# Examples per property in the quick profile; the fuzz profile's own count otherwise.
QUICK = {"files": 25, "layers": 25, "parks": 10, "park files": 3}


def examples(kind: str) -> int:
    if not FUZZ:
        return QUICK[kind]
    return settings.default.max_examples // (10 if kind == "park files" else 1)


WHOLE_PARKS = examples("park files")
no_fixture_check = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]


def one_line(message: str) -> bool:
    return bool(message) and "\n" not in message


# --- values people write ------------------------------------------------------------------

UNITS = ["m", "mm", "s", "min", "h", "m/s", "kn", "degC", "K", "deg", "kg", "%", "1/h", "", "zz"]
numbers = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-(10**30), 10**30).map(str),
    st.sampled_from(["1e999", "-1e999", "nan", "inf", "-0", ".5", "5.", "1e-400", "0x10"]),
)
quantities = st.builds(
    lambda n, sep, u: f"{n}{sep}{u}", numbers, st.sampled_from(["", " "]), st.sampled_from(UNITS)
)
toml_scalars = st.one_of(
    st.text(max_size=20),
    quantities,
    st.integers(-(2**63), 2**63 - 1),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.datetimes(timezones=st.none() | st.timezones()),
    st.dates(),
    st.times(),
)
toml_values = st.recursive(
    toml_scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=8,
)
DEMO_SCENARIOS = sorted((ROOT / "scenarios" / "demo").glob("*.toml"))


def _paths(node, prefix=()):
    """Every key path (and list index) of a parsed TOML document."""
    items = (
        node.items()
        if isinstance(node, dict)
        else enumerate(node)
        if isinstance(node, list)
        else []
    )
    for key, value in items:
        yield (*prefix, key)
        yield from _paths(value, (*prefix, key))


@st.composite
def scenario_documents(draw):
    """A demo scenario with a few keys replaced, removed or added."""
    doc = tomllib.loads(draw(st.sampled_from(DEMO_SCENARIOS)).read_text(encoding="utf-8"))
    for _ in range(draw(st.integers(1, 4))):
        paths = list(_paths(doc))
        path = draw(st.sampled_from(paths))
        parent = doc
        for key in path[:-1]:
            parent = parent[key]
        action = draw(st.sampled_from(["replace", "delete", "add"]))
        if action == "replace":
            parent[path[-1]] = draw(toml_values)
        elif action == "delete" and isinstance(parent, dict):
            del parent[path[-1]]
        elif isinstance(parent, dict):
            near = path[-1][:-1] + draw(st.text(max_size=2)) if isinstance(path[-1], str) else "x"
            parent[near] = draw(toml_values)
    return doc


@settings(deadline=None)
@given(scenario_documents())
def test_scenario_parser_answers_every_document(doc):
    try:
        scenario = scenario_file.parse(copy.deepcopy(doc), "fuzz.toml")
    except ScenarioError as err:
        assert one_line(str(err)) and str(err).startswith("fuzz.toml: ")
        return
    for value in (scenario.run.duration_s, scenario.weather.wind_speed_m_s):
        assert math.isfinite(value) and value > 0


@settings(deadline=None, max_examples=examples("files"))
@given(
    st.sampled_from(DEMO_SCENARIOS),
    st.integers(0, 2000),
    st.binary(max_size=40),
    st.integers(0, 40),
)
def test_scenario_files_with_damaged_bytes(path, at, insert, cut):
    data = path.read_bytes()
    at = min(at, len(data))
    damaged = data[:at] + insert + data[at + cut :]
    with tempfile.TemporaryDirectory() as folder:
        file = Path(folder) / "damaged.toml"
        file.write_bytes(damaged)
        try:
            scenario_file.load(file)
        except ScenarioError as err:
            assert one_line(str(err)) and str(err).startswith(str(file))


# --- recordings ---------------------------------------------------------------------------

TAGS = ("LT-CL101", "AT-NH01")
HEADERS = ["time", "timestamp", "Time", "tag", "value", "VALUE", "quality", "LT-CL101", "x", ""]
cells = st.one_of(
    st.datetimes(
        min_value=datetime(1900, 1, 1),
        max_value=datetime(2200, 1, 1),
        timezones=st.none() | st.just(UTC),
    ).map(lambda d: d.isoformat()),
    numbers,
    st.sampled_from([*TAGS, "good", "bad", "uncertain", "192", "", '""', "nan", "1e30", "-1e30"]),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12),
)


@st.composite
def csv_texts(draw):
    header = draw(st.lists(st.sampled_from(HEADERS), min_size=1, max_size=5))
    rows = draw(st.lists(st.lists(cells, min_size=len(header), max_size=len(header)), max_size=8))
    # Ragged rows too, now and then.
    if rows and draw(st.booleans()):
        rows[-1] = rows[-1] + draw(st.lists(cells, max_size=2))
    sep = draw(st.sampled_from([",", ";"]))
    return "\n".join(sep.join(r) for r in [header, *rows]) + draw(st.sampled_from(["", "\n"]))


def _check_recording(path: Path) -> None:
    try:
        feed = RecordedFeed(path, known_tags=TAGS)
        readings = list(feed)
    except ValueError as err:
        assert one_line(str(err)) and str(err).startswith(str(path)), str(err)
        return
    for r in readings:
        assert r.tag in TAGS and math.isfinite(r.value) and math.isfinite(r.t)


@settings(deadline=None, max_examples=examples("files"))
@given(csv_texts() | st.binary(max_size=200).map(lambda b: b.decode("latin-1")))
def test_recording_reader_answers_every_csv(text):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "recording.csv"
        path.write_text(text, encoding="utf-8", errors="surrogateescape")
        _check_recording(path)


column_arrays = st.one_of(
    st.lists(st.floats(allow_nan=True, allow_infinity=True), min_size=3, max_size=3).map(pa.array),
    st.lists(st.integers(-(2**62), 2**62), min_size=3, max_size=3).map(pa.array),
    st.lists(
        st.sampled_from([*TAGS, "good", "x", "2024-05-24T01:00:00Z"]), min_size=3, max_size=3
    ).map(pa.array),
    st.tuples(
        st.lists(st.integers(0, 2**40), min_size=3, max_size=3),
        st.sampled_from(["UTC", "+08:00", None]),
    ).map(lambda a: pa.array(a[0], type=pa.timestamp("ms", tz=a[1]))),
    st.lists(st.booleans() | st.none(), min_size=3, max_size=3).map(pa.array),
)


@settings(deadline=None, max_examples=examples("files"))
@given(
    st.lists(st.tuples(st.sampled_from(HEADERS), column_arrays), min_size=1, max_size=4),
    st.one_of(st.none(), st.tuples(st.integers(0, 4000), st.binary(min_size=1, max_size=16))),
)
def test_recording_reader_answers_every_parquet(columns, damage):
    names = [n for n, _ in columns]
    table = pa.table([a for _, a in columns], names=names)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "recording.parquet"
        pq.write_table(table, path)
        if damage is not None:
            data = path.read_bytes()
            at = damage[0] % len(data)
            path.write_bytes(data[:at] + damage[1] + data[at + len(damage[1]) :])
        _check_recording(path)


# --- parks --------------------------------------------------------------------------------

LAYER_NAMES = list(LAYERS)


def _field_values(layer):
    return st.one_of(
        st.none(),
        st.floats(allow_nan=True, allow_infinity=True),
        st.integers(-(10**12), 10**12),
        st.text(max_size=12),
        st.sampled_from(["inf", "nan", "1e308", "-1", "0", "true", "../../x", "E01", "NH-101"]),
        st.booleans(),
    )


coordinates = (
    st.floats(allow_nan=True, allow_infinity=True)
    | st.floats(-1e3, 1e3)
    | st.floats(28.3, 28.5)
    | st.floats(119.8, 120.0)
)


@st.composite
def shapes(draw, old):
    """A new geometry for a feature: moved, scaled, swapped, degenerate or of another type."""
    kind = draw(
        st.sampled_from(["point", "line", "polygon", "swap", "scale", "repeat", "bowtie", "none"])
    )
    if old is None or old.is_empty:
        old = Point(119.9, 28.4)
    x0, y0, x1, y1 = old.bounds
    if kind == "point":
        return Point(draw(coordinates), draw(coordinates))
    if kind == "line":
        return LineString(
            draw(st.lists(st.tuples(coordinates, coordinates), min_size=2, max_size=4))
        )
    if kind == "polygon":
        return _polygon(draw(st.lists(st.tuples(coordinates, coordinates), min_size=3, max_size=5)))
    if kind == "swap":
        return shapely.transform(old, lambda c: c[:, ::-1])
    if kind == "scale":
        f = draw(st.floats(-1e6, 1e6) | st.sampled_from([0.0, 1e300]))
        return shapely.transform(old, lambda c: c * f)
    if kind == "repeat":
        p = shapely.get_coordinates(old)[0]
        if old.geom_type.endswith("LineString"):
            return LineString([p, p])
        return _polygon([p, p, p, p])
    if kind == "bowtie":
        return _polygon([(x0, y0), (x1, y1), (x1, y0), (x0, y1)])
    return None


def _polygon(points):
    """A polygon through ``points``; GEOS cannot close a ring through NaN (found by the fuzz
    run, in this generator), so such a draw is dropped."""
    try:
        return Polygon(points)
    except shapely.errors.GEOSException:
        assume(False)


@st.composite
def broken_layers(draw):
    """One layer of the small park with a few features' fields or geometries changed, or its
    CRS label replaced."""
    name = draw(st.sampled_from(LAYER_NAMES))
    frame = small_layer(name)
    for _ in range(draw(st.integers(1, 3))):
        row = draw(st.integers(0, len(frame) - 1))
        what = draw(st.sampled_from([*frame.columns, "crs"]))
        if what == "crs":
            frame = frame.set_crs(
                draw(st.sampled_from([4326, 32650, 3857, 4547, 2000])), allow_override=True
            )
        elif what == "geometry":
            frame.loc[frame.index[row], "geometry"] = draw(shapes(frame.geometry.iloc[row]))
        else:
            frame[what] = frame[what].astype(object)
            frame.loc[frame.index[row], what] = draw(_field_values(name))
    return name, frame


@settings(deadline=None, max_examples=examples("layers"))
@given(broken_layers())
def test_layer_validation_answers_every_layer(layer):
    name, frame = layer
    try:
        checked = _validate_layer(frame, LAYERS[name], "fuzz.gpkg")
        _check_area_of_use(checked, name, "fuzz.gpkg")
    except ParkError as err:
        assert one_line(str(err)) and str(err).startswith("fuzz.gpkg, layer ")
        return
    assert shapely.is_valid(checked.geometry).all()


def _check_park(load, where: str) -> None:
    try:
        park = load()
    except ParkError as err:
        assert one_line(str(err)) and str(err).startswith(where), str(err)
        return
    assert park.crs.is_projected and len(park.boundary) == 1
    assert shapely.is_valid(park.tanks.geometry).all()


def _cas(chemical: str) -> str:
    return substances.lookup(chemical).cas  # as twin.load_park resolves chemicals


@settings(deadline=None, max_examples=examples("parks"))
@given(broken_layers())
def test_park_loader_answers_every_park(layer):
    name, frame = layer
    raw = {n: (frame if n == name else small_layer(n), f"fuzz/{n}.geojson") for n in LAYERS}
    _check_park(lambda: park_from_layers(raw, "fuzz", resolve_chemical=_cas), "fuzz")


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    folder = tmp_path_factory.mktemp("park")
    write_geojson_dir(small_layers(), folder)
    return folder


@settings(deadline=None, max_examples=WHOLE_PARKS, suppress_health_check=no_fixture_check)
@given(broken_layers())
def test_park_files_answer_every_park(template, layer):
    name, frame = layer
    with tempfile.TemporaryDirectory() as folder:
        for file in template.iterdir():
            (Path(folder) / file.name).write_bytes(file.read_bytes())
        try:
            frame.to_file(Path(folder) / f"{name}.geojson", driver="GeoJSON")
        except Exception:  # a frame GDAL cannot write is not a park anyone could hand us
            return
        _check_park(lambda: twin.load_park(folder), folder)
