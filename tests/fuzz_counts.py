"""How many cases a property test draws.

In the suite's ``quick`` profile each property draws its own few cases (the same on every
run); in the fuzz profile (``HYPOTHESIS_PROFILE=fuzz``, tests/conftest.py) it draws the
profile's count, or a share of it where one case costs a second or more.
"""

from hypothesis import settings

FUZZ = settings.default.max_examples >= 10_000


def examples(quick: int, share: int = 1) -> int:
    """``quick`` cases in the suite; the fuzz profile's count over ``share`` in a fuzz run."""
    return settings.default.max_examples // share if FUZZ else quick
