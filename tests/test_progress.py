"""Progress of a long run when the output is not a terminal: a line per stage as it starts,
a line per tenth of a counted stage, and a last line with the time taken."""

import io

from rich.console import Console

from scenarios.progress import Stages


def test_piped_progress_is_a_line_per_stage_and_per_tenth():
    out = io.StringIO()
    with Stages("qra", console=Console(file=out, force_terminal=False)) as stages:
        stages.stage("catalogue")
        stages.stage("20 loss events", total=20, unit="loss events")
        for _ in range(20):
            stages.advance()
    lines = out.getvalue().splitlines()
    assert lines[:2] == ["qra: catalogue ...", "qra: 20 loss events"]
    counted = [line for line in lines if line.startswith("qra: loss events ")]
    assert [line.split(" (")[0] for line in counted] == [
        f"qra: loss events {k}/20" for k in range(2, 21, 2)
    ]
    assert lines[-1].startswith("qra: done in ")


def test_disabled_progress_writes_nothing():
    out = io.StringIO()
    with Stages("qra", enabled=False, console=Console(file=out, force_terminal=False)) as s:
        s.stage("catalogue")
        s.stage("events", total=3)
        s.advance()
    assert out.getvalue() == ""
