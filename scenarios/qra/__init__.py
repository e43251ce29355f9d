"""Park-wide quantitative risk assessment: loss-of-containment catalogue, event trees,
weather classes and wind rose, lethality footprints, individual risk grid and contours,
F-N curve, GB 36894 checks, GB/T 37243 external safety distances, layout comparison.

Public face: ``run_qra`` -> ``RiskResult``; ``compare`` -> ``Comparison``;
``safety_distances``; ``write_outputs`` and ``summary_lines`` for the CLI.
"""

from scenarios.qra.compare import Comparison, compare
from scenarios.qra.run import RiskResult, run_qra, summary_lines, write_outputs
from scenarios.qra.safety_distance import safety_distances

__all__ = [
    "Comparison",
    "RiskResult",
    "compare",
    "run_qra",
    "safety_distances",
    "summary_lines",
    "write_outputs",
]
