"""The command line: help for every command, the demo, and the hazards CSV."""

import re
import subprocess
import sys

import pandas as pd
import pytest

from cli import COMMANDS, main
from viz import fmt


def run(*args):
    """``parktwin ARGS`` as a process, as a user starts it."""
    return subprocess.run([sys.executable, "-m", "cli", *args], capture_output=True, text=True)


def test_help_lists_every_command_with_an_example():
    done = run("--help")
    assert done.returncode == 0
    for name in COMMANDS:
        assert name in done.stdout
    assert "examples:" in done.stdout


@pytest.mark.parametrize("command", [*COMMANDS, "park info"])
def test_command_help_has_an_example(parktwin, command):
    done = parktwin(*command.split(), "--help")
    assert done.returncode == 0
    assert "example:" in done.stdout


def test_demo_prints_a_summary_and_writes_csv(tmp_path, capsys):
    assert main(["demo", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "31" in out and "2,900 at night" in out and "GB 18218" in out
    assert "People within 500 m" in out and "people_500m" not in out
    frame = pd.read_csv(tmp_path / "major_hazards.csv")
    assert len(frame) == 10
    assert set(frame.columns) >= {"enterprise", "S", "R", "alpha", "major_hazard", "grade"}


def test_hazards_on_a_missing_park_exits_2(parktwin, tmp_path):
    done = parktwin("hazards", str(tmp_path / "none.gpkg"))
    assert done.returncode == 2
    assert "no such file or folder" in done.stderr and "Traceback" not in done.stderr


def test_park_info_lists_the_ids_of_the_assets(parktwin):
    """The ids a user must give to ``zones --asset`` (every tank and pipeline) and those a
    scenario or a report names: enterprises, buildings, gates, assembly points, targets."""
    from twin import load_park

    done = parktwin("park", "info", "demo")
    assert done.returncode == 0, done.stderr
    out = set(_expand(" ".join(done.stdout.split())))
    park = load_park("demo")
    layers = park.layers
    for ident in [
        *park.tanks.index,
        *park.pipelines.index,
        *park.enterprises.index,
        *(
            i
            for name in ("buildings", "gates", "assembly_points", "targets")
            for i in layers[name].index
        ),
    ]:
        assert ident in out, ident
    assert "1 vessels" not in done.stdout


def _expand(text):
    """Every id in ``text`` with the ranges ``PR-101..103`` written out."""
    for word in re.split(r"[\s,;:()]+", text):
        m = re.fullmatch(r"(.*?)(\d+)\.\.(\d+)", word)
        if m is None:
            yield word
            continue
        prefix, first, last = m.groups()
        yield from (f"{prefix}{n:0{len(first)}d}" for n in range(int(first), int(last) + 1))


def test_ids_are_listed_with_runs_as_ranges_and_nothing_lost():
    names = [
        "E012-PR-101",
        "E012-PR-102",
        "E012-PR-103",
        "E012-PR-105",
        "E013-PR-101",
        "E013-PR-102",
        "G-W",
        "E099",
        "E100",
        "E101",
        "E0102",
    ]
    text = fmt.ids(names)
    assert text == (
        "E012-PR-101..103, E012-PR-105, E013-PR-101, E013-PR-102, G-W, E099..101, E0102"
    )
    assert list(_expand(text.replace(",", ""))) == names


ZONES = ("zones", "--asset", "NH-101", "--hole", "50 mm", "--wind", "2 m/s from E")


def test_zones_hole_above_the_vessel_is_one_line(parktwin, tmp_path):
    done = parktwin(*ZONES, "--hole-height", "20 m", "--stability", "D", "--out", str(tmp_path))
    assert done.returncode == 2
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in done.stderr
    assert lines[0].startswith("parktwin: error: --hole-height: the hole at 20 m is above")
    assert "the top of NH-101 (12.4 m high)" in lines[0]


def test_zones_unknown_asset_and_too_large_hole_name_their_option(parktwin, tmp_path):
    done = parktwin(*ZONES[:2], "XX-1", *ZONES[3:], "--stability", "D", "--out", str(tmp_path))
    assert done.returncode == 2
    assert done.stderr.startswith("parktwin: error: --asset: unknown asset 'XX-1'")
    wide = ("zones", "--asset", "NH-101", "--hole", "20 m", "--wind", "2 m/s from E")
    done = parktwin(*wide, "--stability", "D", "--out", str(tmp_path))
    assert done.returncode == 2
    assert done.stderr.startswith("parktwin: error: --hole: a hole of 20000 mm is larger")


@pytest.mark.parametrize(
    ("roughness", "message"),
    [
        ("rough", "--roughness: expected a number with a unit of m, got 'rough'"),
        ("5 m", "--roughness: surface roughness z0 must be between 1e-05 m and 3 m"),
    ],
)
def test_zones_roughness_that_is_not_a_length_in_scope_is_one_line(
    parktwin, tmp_path, roughness, message
):
    done = parktwin(*ZONES, "--stability", "D", "--roughness", roughness, "--out", str(tmp_path))
    assert done.returncode == 2
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in done.stderr
    assert message in lines[0]


@pytest.mark.parametrize(
    ("length", "message"),
    [
        ("short", "--obukhov-length: expected a number with a unit of m, got 'short'"),
        ("0 m", "--obukhov-length: Obukhov length must be a finite length other than 0 m"),
        ("-30 kg", "--obukhov-length: '-30 kg' is not a length: expected a unit of m"),
    ],
)
def test_zones_obukhov_length_that_is_not_a_length_is_one_line(parktwin, tmp_path, length, message):
    done = parktwin(
        *ZONES, "--stability", "D", f"--obukhov-length={length}", "--out", str(tmp_path)
    )
    assert done.returncode == 2
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in done.stderr
    assert message in lines[0]


@pytest.mark.parametrize(
    ("height", "message"),
    [
        ("high", "--mixing-height: expected a number with a unit of m, got 'high'"),
        ("-200 m", "--mixing-height: mixing height must be a length above 0 m"),
    ],
)
def test_zones_mixing_height_that_is_not_a_length_is_one_line(parktwin, tmp_path, height, message):
    done = parktwin(*ZONES, "--stability", "D", f"--mixing-height={height}", "--out", str(tmp_path))
    assert done.returncode == 2
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in done.stderr
    assert message in lines[0]


def test_zones_of_a_vapour_space_hole_print_their_mass_balance(parktwin, tmp_path):
    """NH-101's liquid stands at about 8 m: a hole at 12 m lets out vapour only, and the
    printed masses add up (released = vapour + aerosol + rained out)."""
    done = parktwin(*ZONES, "--hole-height", "12 m", "--stability", "D", "--out", str(tmp_path))
    assert done.returncode == 0, done.stderr
    text = " ".join(done.stdout.split())
    assert "vapour through a hole above the liquid" in text
    released = text.split("out of containment: ")[1].split(" of ")[0]
    assert f"vapour {released} + aerosol 0 kg + rained out 0 kg" in text
