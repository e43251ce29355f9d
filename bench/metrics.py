"""Statistical performance measures for dispersion models against paired observations.

The measures of Hanna, Chang & Strimaitis (1993) as defined in Chang & Hanna (2004),
"Air quality model performance evaluation", Meteorol. Atmos. Phys. 87, 167-196, eqs. (1)
to (6), with Co the observed and Cp the predicted value of each pair and an overbar the
mean over all pairs:

- FB   = (mean(Co) - mean(Cp)) / (0.5 (mean(Co) + mean(Cp)))   (> 0: under-prediction)
- NMSE = mean((Co - Cp)^2) / (mean(Co) mean(Cp))
- MG   = exp(mean(ln Co) - mean(ln Cp))                        (> 1: under-prediction)
- VG   = exp(mean((ln Co - ln Cp)^2))
- FAC2 = fraction of pairs with 0.5 <= Cp / Co <= 2

Acceptance criteria as quoted in secondary references ("Dispersion model
acceptance"): FAC2 > 0.5, |FB| < 0.3, NMSE < 4 (the issue's bar; some authors use 1.5), and
for reference 0.7 < MG < 1.3 and VG < 1.6.

When running this file as part of ``bench/run.py`` it does nothing: it only holds functions
for ``bench/validate_dispersion.py``.
"""

import math

import numpy as np

#: name -> (test, printed form) of the acceptance criteria.
CRITERIA = {
    "FAC2": (lambda v: v > 0.5, "FAC2 > 0.5"),
    "FB": (lambda v: abs(v) < 0.3, "|FB| < 0.3"),
    "NMSE": (lambda v: v < 4.0, "NMSE < 4"),
    "MG": (lambda v: 0.7 < v < 1.3, "0.7 < MG < 1.3"),
    "VG": (lambda v: v < 1.6, "VG < 1.6"),
}
#: The criteria the issue requires; MG and VG are printed for reference.
REQUIRED = ("FAC2", "FB", "NMSE")


def _pairs(observed, predicted, *, positive: bool) -> tuple[np.ndarray, np.ndarray]:
    co = np.asarray(observed, dtype=float).ravel()
    cp = np.asarray(predicted, dtype=float).ravel()
    if co.shape != cp.shape:
        raise ValueError(f"observed and predicted differ in length: {co.size} vs {cp.size}")
    if co.size == 0:
        raise ValueError("no pairs to evaluate")
    if not (np.all(np.isfinite(co)) and np.all(np.isfinite(cp))):
        raise ValueError("observed and predicted must be finite (drop NaN pairs first)")
    if positive and (np.any(co <= 0) or np.any(cp <= 0)):
        raise ValueError("MG and VG need values > 0 (apply a threshold first)")
    if not positive and (np.any(co < 0) or np.any(cp < 0)):
        raise ValueError("concentrations must be >= 0")
    return co, cp


def fractional_bias(observed, predicted) -> float:
    """FB = (mean Co - mean Cp) / (0.5 (mean Co + mean Cp)); 0 is unbiased, range -2..2."""
    co, cp = _pairs(observed, predicted, positive=False)
    return float((co.mean() - cp.mean()) / (0.5 * (co.mean() + cp.mean())))


def nmse(observed, predicted) -> float:
    """Normalised mean square error, mean((Co - Cp)^2) / (mean Co mean Cp)."""
    co, cp = _pairs(observed, predicted, positive=False)
    return float(np.mean((co - cp) ** 2) / (co.mean() * cp.mean()))


def geometric_mean_bias(observed, predicted) -> float:
    """MG = exp(mean(ln Co) - mean(ln Cp)); 1 is unbiased."""
    co, cp = _pairs(observed, predicted, positive=True)
    return float(np.exp(np.mean(np.log(co)) - np.mean(np.log(cp))))


def geometric_variance(observed, predicted) -> float:
    """VG = exp(mean((ln Co - ln Cp)^2)); 1 is a perfect match."""
    co, cp = _pairs(observed, predicted, positive=True)
    return float(np.exp(np.mean((np.log(co) - np.log(cp)) ** 2)))


def fac2(observed, predicted) -> float:
    """Fraction of pairs with 0.5 <= Cp/Co <= 2 (a pair with Co = 0 counts only if Cp = 0)."""
    co, cp = _pairs(observed, predicted, positive=False)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(co > 0, cp / np.where(co > 0, co, 1.0), np.where(cp == 0, 1.0, np.inf))
    return float(np.mean((ratio >= 0.5) & (ratio <= 2.0)))


def evaluate(observed, predicted) -> dict[str, float]:
    """All five measures for one set of pairs, keyed as in :data:`CRITERIA`."""
    return {
        "FAC2": fac2(observed, predicted),
        "FB": fractional_bias(observed, predicted),
        "NMSE": nmse(observed, predicted),
        "MG": geometric_mean_bias(observed, predicted),
        "VG": geometric_variance(observed, predicted),
    }


def acceptance(stats: dict[str, float]) -> dict[str, bool]:
    """Which acceptance criteria ``stats`` (from :func:`evaluate`) meets."""
    return {name: bool(test(stats[name])) for name, (test, _) in CRITERIA.items()}


def _ratio(r: float) -> str:
    """A ratio for a table: two decimals, or three significant figures from 1,000 up."""
    return f"{r:.2f}" if abs(r) < 1000 else f"{r:.3g}"


def peer_bar(ours: float, slab: float, degadis: float, slab_factor: float = 1.5):
    """The issue's bar for one distance of a peer comparison.

    Where SLAB and DEGADIS both give a value, ours must lie inside their spread
    [min, max]; where only SLAB does, within ``slab_factor`` of it either way. Returns
    (met, text), or (None, "no peer value") when neither peer gave a finite value.
    """
    s_ok, d_ok = math.isfinite(slab), math.isfinite(degadis)
    if s_ok and d_ok:
        lo, hi = min(slab, degadis), max(slab, degadis)
        if ours < lo:
            return False, f"below by x{_ratio(lo / ours)}"
        if ours > hi:
            return False, f"above by x{_ratio(ours / hi)}"
        return True, "inside the spread"
    if s_ok:
        r = ours / slab
        met = 1.0 / slab_factor <= r <= slab_factor
        return met, f"{_ratio(r)} x SLAB: {'within' if met else 'outside'} {slab_factor:g}x"
    return None, "no peer value"
