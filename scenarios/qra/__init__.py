"""Park-wide quantitative risk assessment: loss-of-containment catalogue, event trees,
weather classes and wind rose, lethality footprints, individual risk grid and contours,
F-N curve, GB 36894 checks, GB/T 37243 external safety distances, layout comparison.

Public face: ``run_qra`` -> ``RiskResult``; ``compare`` -> ``Comparison``.
"""

from scenarios.qra.run import RiskResult, run_qra

__all__ = ["RiskResult", "run_qra"]
