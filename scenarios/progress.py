"""Progress of a long run, shown from its first second: a rich bar per stage on a
terminal; a line per stage, and one per tenth of a stage's work, when the output is not
a terminal (a pipe, a log file, a CI job), so that a reader always sees what is running.

``Stages(name)`` is a context manager; ``stage(text, total)`` starts a stage (and ends the
one before), ``advance()`` counts its work. ``Stages(name, enabled=False)`` shows nothing.
"""

import time

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

LINE_STEPS = 10  # lines per stage when the output is not a terminal


class Stages:
    """Stages of one run (``name`` prefixes the lines written to a pipe)."""

    def __init__(self, name: str, enabled: bool = True, console: Console | None = None):
        self.name, self.enabled = name, enabled
        self.console = console or Console()
        self.terminal = self.console.is_terminal
        self._bar: Progress | None = None
        self._task = None
        self._total, self._done, self._next_line = None, 0, 0
        self._start = self._stage_start = time.perf_counter()

    def __enter__(self) -> "Stages":
        if self.enabled and self.terminal:
            self._bar = Progress(
                SpinnerColumn(),
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=self.console,
            )
            self._bar.start()
        return self

    def __exit__(self, *exc) -> None:
        self._finish()
        if self._bar is not None:
            self._bar.stop()
        elif self.enabled and exc[0] is None:
            self._line(f"done in {time.perf_counter() - self._start:.0f} s")

    def stage(self, text: str, total: int | None = None, unit: str = "done") -> None:
        """Start a stage of ``total`` steps (None: one step of unknown length); ``unit``
        names the steps in the lines written to a pipe."""
        if not self.enabled:
            return
        self._finish()
        self._unit = unit
        self._total, self._done, self._next_line = total, 0, 1
        self._stage_start = time.perf_counter()
        if self._bar is not None:
            self._task = self._bar.add_task(f"{self.name}: {text}", total=total)
        else:
            self._line(text + ("" if total else " ..."))

    def advance(self, steps: int = 1) -> None:
        if not self.enabled:
            return
        self._done += steps
        if self._bar is not None:
            self._bar.advance(self._task, steps)
        elif self._total and self._done * LINE_STEPS >= self._next_line * self._total:
            self._next_line = self._done * LINE_STEPS // self._total + 1
            elapsed = time.perf_counter() - self._stage_start
            self._line(
                f"{self._unit} {self._done}/{self._total} "
                f"({100 * self._done // self._total} %) after {elapsed:.0f} s"
            )

    def _finish(self) -> None:
        if self._bar is not None and self._task is not None:
            task = self._bar.tasks[self._task]
            self._bar.update(self._task, total=task.total or 1, completed=task.total or 1)

    def _line(self, text: str) -> None:
        print(f"{self.name}: {text}", file=self.console.file, flush=True)
