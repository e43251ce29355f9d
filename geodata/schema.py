"""The park's layers and their fields: the one place they are defined and documented.

A park is a GeoPackage with these layers, or a folder with one GeoJSON file per layer
(``tanks.geojson``, ...). Any CRS is accepted; a layer without one is an error. Field names
carry their unit where one applies; the loader converts to SI once (a column ``*_pa``,
``*_k``, ``*_m_s``, ``*_fraction`` or ``*_m`` is added beside the written one).
``markdown()`` renders this schema as the README's tables (a test keeps them in step).
"""

from collections.abc import Callable
from dataclasses import dataclass

ATMOSPHERE_PA = 101325.0


@dataclass(frozen=True)
class Field:
    """One attribute of a layer: its type, unit, bounds and SI conversion."""

    name: str
    kind: type
    doc: str
    required: bool = True
    choices: tuple[str, ...] = ()
    minimum: float | None = None  # inclusive
    positive: bool = False  # strictly greater than zero
    maximum: float | None = None  # inclusive
    si_name: str | None = None
    to_si: Callable[[float], float] | None = None


@dataclass(frozen=True)
class Layer:
    name: str
    geometry: tuple[str, ...]
    id_field: str
    fields: tuple[Field, ...]
    doc: str
    required: bool = True


def _kpag(v):
    return v * 1e3 + ATMOSPHERE_PA


def _celsius(v):
    return v + 273.15


# Envelope leakage for the infiltration model (physics.infiltration); by building use from
# EN 15242 Annex B when not given.
LEAKAGE = Field(
    "leakage_m3_h_m2",
    float,
    "air flow through the envelope at 4 Pa per m2 of floor [m3/(h m2)]",
    required=False,
    positive=True,
)
TANK_SHAPES = ("vertical_cylinder", "horizontal_cylinder", "sphere")
STORAGE = ("atmospheric", "pressurised", "refrigerated")
BUILDING_USES = (
    "dormitory",
    "office",
    "control_room",
    "workshop",
    "warehouse",
    "canteen",
    "laboratory",
    "fire_station",
    "gatehouse",
    "substation",
)
TARGET_KINDS = ("village", "residential", "school", "hospital", "kindergarten", "nursing_home")
# what each sensor kind reads, and the units its readings may be written in
SENSOR_UNITS = {
    "gas_combustible": ("%LEL",),
    "gas_toxic": ("ppm", "mg/m3"),
    "level": ("m", "mm", "%"),
    "pressure": ("kPa(g)", "MPa(g)", "bar(g)"),
    "temperature": ("degC",),
    "flow": ("kg/s", "t/h", "m3/h"),
    "wind_speed": ("m/s",),
    "wind_direction": ("deg",),
    "air_temperature": ("degC",),
    "solar_radiation": ("W/m2",),
    "cloud_cover": ("okta",),
}
GAS_KINDS = ("gas_combustible", "gas_toxic")
WEATHER_KINDS = (
    "wind_speed",
    "wind_direction",
    "air_temperature",
    "solar_radiation",
    "cloud_cover",
)

ID = Field("id", str, "unique identifier within the park")
NAME = Field("name", str, "display name", required=False)

LAYERS: dict[str, Layer] = {
    layer.name: layer
    for layer in (
        Layer(
            "boundary",
            ("Polygon", "MultiPolygon"),
            "id",
            (
                ID,
                NAME,
                Field(
                    "roughness_m",
                    float,
                    "surface roughness length z0 of the park and its surroundings [m],"
                    " 1e-05 to 3; empty: 1 m, a chemical park of tanks, process units and"
                    " pipe racks (Davenport-Wieringa 'closed', physics/data/roughness.csv)",
                    required=False,
                    minimum=1e-5,
                    maximum=3.0,
                ),
            ),
            "the park's outer boundary (one feature)",
        ),
        Layer(
            "enterprises",
            ("Polygon", "MultiPolygon"),
            "id",
            (ID, NAME, Field("sector", str, "industry, e.g. chlor-alkali", required=False)),
            "the plots of the enterprises; each is a unit for GB 18218 identification",
        ),
        Layer(
            "tanks",
            ("Point",),
            "id",
            (
                ID,
                Field("enterprise", str, "id of the enterprise that owns it"),
                Field("chemical", str, "name, CAS number or Chinese common name (液氨, 氯, ...)"),
                Field("shape", str, "vessel geometry", choices=TANK_SHAPES),
                Field("diameter_m", float, "inner diameter [m]", positive=True),
                Field(
                    "length_m",
                    float,
                    "shell height (vertical) or length (horizontal) [m]; empty for a sphere",
                    required=False,
                    positive=True,
                ),
                Field("capacity_m3", float, "nominal capacity [m3]", positive=True),
                Field(
                    "design_pressure_kpag",
                    float,
                    "design pressure, gauge [kPa(g)]",
                    minimum=-100.0,
                    si_name="design_pressure_pa",
                    to_si=_kpag,
                ),
                Field(
                    "design_temperature_c",
                    float,
                    "design temperature [degC]",
                    minimum=-273.15,
                    si_name="design_temperature_k",
                    to_si=_celsius,
                ),
                Field(
                    "temperature_c",
                    float,
                    "operating (liquid) temperature [degC]",
                    minimum=-273.15,
                    si_name="temperature_k",
                    to_si=_celsius,
                ),
                Field(
                    "fill_pct",
                    float,
                    "current liquid fill by volume [%]",
                    minimum=0.0,
                    maximum=100.0,
                    si_name="fill_fraction",
                    to_si=lambda v: v / 100.0,
                ),
                Field(
                    "max_fill_pct",
                    float,
                    "design maximum fill by volume [%] (for GB 18218 quantities)",
                    positive=True,
                    maximum=100.0,
                    si_name="max_fill_fraction",
                    to_si=lambda v: v / 100.0,
                ),
                Field(
                    "dike_area_m2",
                    float,
                    "area of the dike (bund) the tank drains into [m2]; 0 or empty if none",
                    required=False,
                    minimum=0.0,
                ),
                Field("storage", str, "storage condition", choices=STORAGE),
            ),
            "storage tanks and pressure vessels, located at their centre",
        ),
        Layer(
            "pipelines",
            ("LineString",),
            "id",
            (
                ID,
                Field("chemical", str, "name, CAS number or Chinese common name"),
                Field(
                    "diameter_mm",
                    float,
                    "nominal (inner) diameter [mm]",
                    positive=True,
                    si_name="diameter_m",
                    to_si=lambda v: v / 1e3,
                ),
                Field(
                    "pressure_kpag",
                    float,
                    "operating pressure, gauge [kPa(g)]",
                    minimum=-100.0,
                    si_name="pressure_pa",
                    to_si=_kpag,
                ),
                Field(
                    "temperature_c",
                    float,
                    "operating temperature [degC]",
                    minimum=-273.15,
                    si_name="temperature_k",
                    to_si=_celsius,
                ),
                Field(
                    "valves_m",
                    str,
                    "chainages of the isolation (ESD) valves along the line, from its start "
                    "[m], separated by ';', e.g. '0;640;1310'",
                    required=False,
                ),
                Field("from_asset", str, "id of the tank or building it starts at"),
                Field("to_asset", str, "id of the tank or building it ends at"),
                Field("flow_kg_s", float, "normal flow [kg/s]", required=False, minimum=0.0),
            ),
            "transfer pipelines (on the pipe rack), drawn from start to end",
            required=False,
        ),
        Layer(
            "buildings",
            ("Polygon", "MultiPolygon"),
            "id",
            (
                ID,
                NAME,
                Field("use", str, "what the building is for", choices=BUILDING_USES),
                Field("enterprise", str, "id of the owning enterprise", required=False),
                Field("occupants_day", int, "people inside by day", minimum=0),
                Field("occupants_night", int, "people inside by night", minimum=0),
                Field("storeys", int, "number of storeys", positive=True),
                Field(
                    "air_changes_per_h",
                    float,
                    "air change rate with doors and windows shut [1/h]",
                    required=False,
                    positive=True,
                ),
                LEAKAGE,
            ),
            "buildings with their occupants",
        ),
        Layer(
            "roads",
            ("LineString", "MultiLineString"),
            "id",
            (
                ID,
                NAME,
                Field("lanes", int, "lanes in total (both directions)", positive=True),
                Field(
                    "speed_kmh",
                    float,
                    "speed limit [km/h]",
                    positive=True,
                    si_name="speed_m_s",
                    to_si=lambda v: v / 3.6,
                ),
                Field("oneway", bool, "true if vehicles may only drive in the drawn direction"),
            ),
            "road centre lines; intersections become graph nodes, gaps under 5 m are closed",
        ),
        Layer(
            "gates",
            ("Point",),
            "id",
            (
                ID,
                NAME,
                Field("width_m", float, "clear width for people on foot [m]", positive=True),
            ),
            "gates in the park boundary, where evacuees leave the park",
        ),
        Layer(
            "assembly_points",
            ("Point",),
            "id",
            (ID, NAME, Field("capacity", int, "people it can hold", positive=True)),
            "emergency assembly points",
        ),
        Layer(
            "sensors",
            ("Point",),
            "tag",
            (
                Field("tag", str, "DCS/GDS tag, unique in the park"),
                Field("kind", str, "what it measures", choices=tuple(SENSOR_UNITS)),
                Field("unit", str, "unit of its readings (allowed units depend on kind)"),
                Field("asset", str, "id of the tank or pipeline it belongs to", required=False),
                Field("chemical", str, "gas a detector is calibrated for", required=False),
                Field("range_low", float, "lower end of the measuring range [unit]"),
                Field("range_high", float, "upper end of the measuring range [unit]"),
                Field("alarm_low", float, "low alarm [unit]", required=False),
                Field(
                    "alarm_high", float, "high alarm; first level for gas [unit]", required=False
                ),
                Field(
                    "alarm_highhigh",
                    float,
                    "high-high alarm; second level for gas [unit]",
                    required=False,
                ),
                Field("height_m", float, "height above ground [m]", minimum=0.0),
            ),
            "instruments: gas detectors, tank level/pressure/temperature, weather station",
            required=False,
        ),
        Layer(
            "targets",
            ("Point", "Polygon", "MultiPolygon"),
            "id",
            (
                ID,
                NAME,
                Field("kind", str, "sensitive target type", choices=TARGET_KINDS),
                Field("population_day", int, "people present by day", minimum=0),
                Field("population_night", int, "people present by night", minimum=0),
                Field(
                    "storeys",
                    int,
                    "storeys of its buildings (2 if not given)",
                    required=False,
                    positive=True,
                ),
                Field(
                    "air_changes_per_h",
                    float,
                    "air change rate of its buildings with doors and windows shut [1/h]",
                    required=False,
                    positive=True,
                ),
                LEAKAGE,
            ),
            "sensitive targets outside the park",
            required=False,
        ),
    )
}


def markdown() -> str:
    """The schema as Markdown tables, one per layer."""
    lines = []
    for layer in LAYERS.values():
        need = "required" if layer.required else "optional"
        lines += [f"**{layer.name}** ({need}; {', '.join(layer.geometry)}): {layer.doc}.", ""]
        lines += ["| field | type | required | meaning |", "| --- | --- | --- | --- |"]
        for f in layer.fields:
            doc = f.doc + (f" (one of: {', '.join(f.choices)})" if f.choices else "")
            lines.append(
                f"| `{f.name}` | {f.kind.__name__} | {'yes' if f.required else 'no'} | {doc} |"
            )
        lines.append("")
    units = "; ".join(f"{k}: {', '.join(v)}" for k, v in SENSOR_UNITS.items())
    lines.append(f"Sensor reading units by kind: {units}.")
    return "\n".join(lines)
