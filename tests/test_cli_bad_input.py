"""Bad command-line input: one line naming the option and what was expected, exit 2, before
any long computation (issue: every bad input answered)."""

import time

import pandas as pd
import pytest

from cli import main
from scenarios import capacity
from viz.export import named_after

SCENARIO = "scenarios/demo/ammonia_night.toml"


def zones(tmp_path, **options) -> list[str]:
    """``parktwin zones`` arguments: a 50 mm hole in NH-101, 3 m/s from NE, class D, with
    ``options`` (``hole_height="1 m"`` for ``--hole-height``) added or replaced."""
    given = {"asset": "NH-101", "hole": "50 mm", "wind": "3 m/s from NE", "stability": "D"}
    given |= {"out": str(tmp_path), **options}
    return ["zones", *(a for k, v in given.items() for a in (f"--{k.replace('_', '-')}", v))]


def error_line(capsys, argv) -> str:
    assert main(argv) == 2
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in err
    assert lines[0].startswith("parktwin: error: ")
    return lines[0].removeprefix("parktwin: error: ")


@pytest.fixture
def unwritable(tmp_path):
    """A folder nobody can create, even root: its parent is a file."""
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    return blocker / "out"


@pytest.mark.parametrize(
    ("option", "value", "expected"),
    [
        ("--time", "yesterday", "--time: expected an ISO-8601 time with its UTC offset"),
        ("--time", "2026-01-01T00:00", "--time: time without UTC offset"),
        ("--duration", "-5 min", "--duration: expected a quantity greater than 0 s"),
        ("--duration", "1e999 s", "--duration: '1e999 s' is not a finite number"),
        ("--air-temperature", "-300 degC", "--air-temperature: expected an air temperature of"),
        ("--hole-height", "-1 m", "--hole-height: expected a quantity of 0 m or more"),
        ("--hole", "0 mm", "--hole: expected a quantity greater than 0 m"),
        ("--wind", "100 m/s from N", "--wind: expected a wind speed at 10 m of 0 to 32.9 m/s"),
        ("--hazards", "toxic,blast", "--hazards: unknown hazard(s) blast; use toxic, flammable"),
        ("--hazards", ",", "--hazards: no hazard given; use one or more of toxic"),
    ],
)
def test_zones_options(capsys, tmp_path, option, value, expected):
    argv = zones(tmp_path, **{option[2:].replace("-", "_"): value})
    assert error_line(capsys, argv).startswith(expected)


def test_cloud_cover_names_its_option(capsys, tmp_path):
    argv = zones(tmp_path, cloud="9", time="2026-01-01T00:00Z")
    argv.remove("--stability")
    argv.remove("D")
    assert error_line(capsys, argv) == "--cloud: cloud cover must be 0 to 8 oktas, got 9.0"


@pytest.mark.parametrize(
    "argv",
    [
        zones("unused")[:-2],
        ["run", SCENARIO],
        ["qra", "demo"],
        ["hazards", "demo"],
        ["replay", "twin/demo/incident_drill.csv"],
    ],
    ids=lambda a: a[0],
)
def test_unwritable_out_is_refused_before_the_work(capsys, unwritable, argv):
    start = time.perf_counter()
    message = error_line(capsys, [*argv, "--out", str(unwritable)])
    assert message.startswith(f"--out: {unwritable}: cannot write results there (Not a directory)")
    assert time.perf_counter() - start < 30.0  # loading the park at most, no computing


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        ("-5", "--ensemble: an ensemble needs at least 1 member, got -5"),
        ("0", "--ensemble: an ensemble needs at least 1 member, got 0"),
        # 8 kB per member (scenarios.ensemble.BYTES_PER_MEMBER): 8.2 TB
        ("1000000000", "--ensemble: an ensemble of 1,000,000,000 members would need about"),
    ],
)
def test_ensemble_sizes(capsys, tmp_path, n, expected):
    argv = ["run", SCENARIO, "--ensemble", n, "--out", str(tmp_path)]
    assert error_line(capsys, argv).startswith(expected)


def test_unreachable_cluster_is_refused_in_seconds(capsys, tmp_path, monkeypatch):
    pytest.importorskip("distributed")
    monkeypatch.setattr(capacity, "CLUSTER_TIMEOUT_S", 1.0)
    argv = ["run", SCENARIO, "--ensemble", "2", "--cluster", "tcp://127.0.0.1:9"]
    message = error_line(capsys, [*argv, "--out", str(tmp_path)])
    assert message.startswith("--cluster: no Dask scheduler answered at tcp://127.0.0.1:9")


@pytest.mark.parametrize(
    ("option", "value", "expected"),
    [
        ("--duration", "30", "--duration: '30' has no unit"),
        ("--duration", "-5 min", "--duration: expected a quantity greater than 0 s"),
        ("--connect-timeout", "3 kg", "--connect-timeout: '3 kg' is not a duration"),
        ("--connect-timeout", "0 s", "--connect-timeout: expected a quantity greater than 0 s"),
    ],
)
def test_live_times_are_quantities(capsys, tmp_path, option, value, expected):
    """``live --duration "30 min"`` and ``--connect-timeout "10 s"`` take units as every
    other option does; a mistake is one line before anything connects."""
    argv = ["live", "--mqtt", "127.0.0.1:1", option, value, "--out", str(tmp_path)]
    assert error_line(capsys, argv).startswith(expected)


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["run", SCENARIO, "--ensemble", "abc"], "parktwin run: error: argument --ensemble: "),
        (["zones", "--asset"], "parktwin zones: error: argument --asset: expected one argument"),
        (["frobnicate"], "parktwin: error: argument COMMAND: invalid choice: 'frobnicate'"),
    ],
)
def test_what_the_parser_refuses_is_one_line_too(capsys, argv, expected):
    """A value of the wrong type, a missing argument or an unknown command: one line with
    where the help is, exit 2 (argparse's usage block is not printed before it)."""
    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == 2
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith(expected) and "--help)" in lines[0]


def test_parktwin_alone_prints_what_it_can_do(capsys):
    assert main([]) == 2
    assert "zones" in capsys.readouterr().out


def test_qra_grid_too_fine_for_memory(capsys, tmp_path, monkeypatch):
    message = error_line(capsys, ["qra", "demo", "--cell", "0.01 m", "--out", str(tmp_path)])
    assert message.startswith("--cell: a risk grid of 700,001 x 600,001 cells (0.01 m over")
    assert "would need about" in message and "GB of memory" in message
    monkeypatch.setattr(capacity, "available_memory_bytes", lambda: 2 * 10**9)
    message = error_line(capsys, ["qra", "demo", "--cell", "1 m", "--out", str(tmp_path)])
    assert "would need about" in message and "and 2.0 GB is free" in message


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--workers", "-1"], "--workers: expected a whole number of 0 or more, got -1"),
        (["--cell", "0 m"], "--cell: expected a quantity greater than 0 m"),
        (["--margin", "-1 km"], "--margin: expected a quantity of 0 m or more"),
    ],
)
def test_qra_options(capsys, tmp_path, argv, expected):
    assert error_line(capsys, ["qra", "demo", *argv, "--out", str(tmp_path)]).startswith(expected)


def test_replay_speedup_and_unreadable_files(capsys, tmp_path):
    drill = "twin/demo/incident_drill.csv"
    message = error_line(capsys, ["replay", drill, "--speedup", "0", "--out", str(tmp_path)])
    assert message == "--speedup: expected a number greater than 0, got 0"
    twice = tmp_path / "twice.csv"
    twice.write_text("time,tag,value,value\n2024-05-24T01:00:00Z,LT-CL101,1.0,2.0\n")
    message = error_line(capsys, ["replay", str(twice), "--out", str(tmp_path)])
    assert message == (
        f"{twice}: column 'value' appears 2 times (names are matched case-insensitively); "
        "expected each column once"
    )
    broken = tmp_path / "broken.parquet"
    pd.DataFrame({"time": [1.0], "tag": ["LT-CL101"], "value": [1.0]}).to_parquet(broken)
    data = broken.read_bytes()
    broken.write_bytes(data[:-8] + b"\0\0\0\0PAR1")  # a footer length of 0: no metadata
    message = error_line(capsys, ["replay", str(broken), "--out", str(tmp_path)])
    assert message.startswith(f"{broken}: cannot be read as Parquet (")


def test_rejected_readings_are_summarised_by_rule(capsys, tmp_path):
    rows = [
        f"2024-05-24T01:00:{s:02d}Z,LT-CL101,{'nan' if s % 2 else '1.9'},good" for s in range(40)
    ]
    path = tmp_path / "nan.csv"
    path.write_text("time,tag,value,quality\n" + "\n".join(rows) + "\n")
    assert main(["replay", str(path), "--out", str(tmp_path / "out")]) == 0
    captured = capsys.readouterr()
    assert "not_finite" not in captured.err  # no line per reading
    lines = [line for line in captured.out.splitlines() if "not_finite" in line]
    assert len(lines) == 1 and lines[0].strip().startswith("20 not_finite, e.g. ")


def test_output_names_from_ids_stay_inside_out(tmp_path):
    assert named_after(tmp_path, "forecast_../../../x") == tmp_path / "forecast_.._.._.._x"
    assert named_after(tmp_path, "..") == tmp_path / "_"
    assert named_after(tmp_path, "液氨-1@20m") == tmp_path / "液氨-1@20m"
    (tmp_path / "elsewhere").symlink_to(tmp_path.parent)
    with pytest.raises(ValueError, match="not a file name inside"):
        named_after(tmp_path, "elsewhere")


def test_recordings_with_bytes_that_are_not_their_type(capsys, tmp_path):
    """Found by the fuzz run: text that is not UTF-8 inside a Parquet file, and an integer
    value beyond 2**53 (which becomes the nearest float instead of stopping the reader)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    bad_text = pa.array([b"\x80not utf-8"], type=pa.binary()).view(pa.string())
    path = tmp_path / "bad_text.parquet"
    pq.write_table(pa.table({"time": bad_text, "tag": ["LT-CL101"], "value": [1.0]}), path)
    message = error_line(capsys, ["replay", str(path), "--out", str(tmp_path / "out")])
    assert message.startswith(f"{path}: cannot be read ('utf-8' codec can't decode byte 0x80")
    big = tmp_path / "big.parquet"
    values = pa.array([2**53 + 1], type=pa.int64())
    pq.write_table(pa.table({"time": [1.7e9], "tag": ["LT-CL101"], "value": values}), big)
    assert main(["replay", str(big), "--out", str(tmp_path / "out")]) == 0
