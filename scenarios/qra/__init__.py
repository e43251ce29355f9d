"""Park-wide quantitative risk assessment: loss-of-containment catalogue, event trees,
weather classes and wind rose, lethality footprints, individual risk grid and contours,
F-N curve, GB 36894 checks, GB/T 37243 external safety distances, layout comparison.

Public face: ``run_qra`` -> ``RiskResult``; ``compare`` -> ``Comparison``;
``run_layouts`` (several layouts sharing what they hold unchanged); ``safety_distances``;
``write_outputs``.
"""

from scenarios.qra.compare import Comparison, compare
from scenarios.qra.run import RiskResult, run_layouts, run_qra, write_outputs
from scenarios.qra.safety_distance import safety_distances

__all__ = [
    "Comparison",
    "RiskResult",
    "compare",
    "run_layouts",
    "run_qra",
    "safety_distances",
    "write_outputs",
]
