"""parktwin run: a demo scenario end to end, the comparison of protective actions, and a
bad scenario file reported in one line."""

import subprocess
import sys
from pathlib import Path

import pandas as pd

from tests.report_text import assert_reads_well, headings

DEMO = Path(__file__).parent.parent / "scenarios" / "demo"


def cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "cli", "run", *args], capture_output=True, text=True, timeout=300
    )


def test_run_writes_results_and_key_figures(tmp_path):
    done = cli(str(DEMO / "ammonia_night.toml"), "--out", str(tmp_path))
    assert done.returncode == 0, done.stderr
    # key figures in words with units; a figure the run did not reach says why
    out = " ".join(done.stdout.split())
    assert "expected fatalities" in out and "first alarm" in out
    assert "expected_fatalities" not in out and " nan " not in f" {out} "
    assert done.stdout.splitlines()[0].startswith("loading park")
    report = (tmp_path / "report.html").read_text("utf-8")
    assert_reads_well(report, first="What happened")
    assert headings(report)[1] == "Release conditions"
    figures = pd.read_csv(tmp_path / "key_figures.csv")
    assert int(figures["persons"].iloc[0]) > 3000
    persons = pd.read_csv(tmp_path / "persons.csv")
    assert len(persons) == int(figures["persons"].iloc[0])


def test_compare_shelter_and_evacuate(tmp_path):
    done = cli(
        str(DEMO / "h2s_wind_shift.toml"), "--compare", "shelter,evacuate", "--out", str(tmp_path)
    )
    assert done.returncode == 0, done.stderr
    table = pd.read_csv(tmp_path / "compare.csv").set_index("action")
    assert table.loc["shelter", "sheltered"] > table.loc["evacuate", "sheltered"]
    assert table.loc["evacuate", "arrived"] > 0


def test_bad_scenario_is_one_line(parktwin, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(
        (DEMO / "ammonia_night.toml").read_text().replace('duration = "', 'duration = "-')
    )
    done = parktwin("run", str(bad))
    assert done.returncode == 2
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "bad.toml" in lines[0] and "Traceback" not in done.stderr


def test_ensemble_says_how_many_members_each_percentile_rests_on(tmp_path):
    """chlorine_day.toml's break has no detector near it: no member alarms, and the output
    says so instead of printing percentiles of nothing."""
    short = tmp_path / "short.toml"
    short.write_text(
        (DEMO / "chlorine_day.toml")
        .read_text()
        .replace('duration = "60 min"', 'duration = "2 min"')
    )
    done = cli(str(short), "--ensemble", "2", "--workers", "1", "--out", str(tmp_path))
    assert done.returncode == 0, done.stderr
    assert "first alarm: 0 of 2 members alarmed; no percentile (none alarmed)" in done.stdout
    stats = pd.read_csv(tmp_path / "ensemble_percentiles.csv").set_index("figure")
    assert stats.loc["first_alarm_s", "members"] == 0 and stats.loc["first_alarm_s", "of"] == 2
    assert stats.loc["persons", "members"] == 2
