"""The mean of a detector's readings when some of them sit at the top of its range.

A reading at the top of a detector's range says only that the gas was at least there: the
sample is singly censored on the right. The mean of the readings as shown is then a lower
bound of the true mean (what `twin.leak` takes as the floor of the rate), and the readings
below the top still measure it. `censored_mean` is the maximum-likelihood estimate of the
mean of a normal sample censored at the top (Cohen 1959): the readings below the top count
by their density, those at the top by the probability of reaching it.

It is given only while at most half the readings are at the top: the median is then
observed and the estimate rests on the readings; beyond that it would rest on the assumed
shape of the distribution's upper tail, which for gas concentrations is not normal (their
fluctuations are skewed and intermittent), so the readings give a lower bound only.

References
----------
Cohen, A.C. (1959). Simplified estimators for the normal distribution when samples are
singly censored or truncated. Technometrics 1(3), 217-237 (the likelihood of a singly
censored normal sample).
"""

from __future__ import annotations

import math

import numpy as np
from scipy.optimize import minimize
from scipy.special import log_ndtr

# At most this fraction of the readings at the top: the median is observed.
MAX_TOP_FRACTION = 0.5
_LOG_SQRT_2PI = 0.5 * math.log(2.0 * math.pi)


def censored_mean(values, top: float) -> float:
    """Maximum-likelihood mean of ``values`` read by an instrument whose readings at or
    above ``top`` say only "at least this" (a normal sample singly censored on the right,
    Cohen 1959).

    Parameters
    ----------
    values : array_like
        The readings; those at or above ``top`` are censored at their own value (over
        range: the process was at least that). [any unit]
    top : float
        The top of the instrument's range. [same unit]

    Returns
    -------
    float
        The estimated mean of the readings' distribution (the plain mean when none is at
        the top); NaN when more than `MAX_TOP_FRACTION` of them are at the top, or fewer
        than two distinct readings lie below it (nothing to estimate a spread from).
    """
    x = np.asarray(values, dtype=float)
    at_top = x >= top
    if x.size == 0 or at_top.sum() > MAX_TOP_FRACTION * x.size:
        return math.nan
    if not at_top.any():
        return float(x.mean())
    below, over = x[~at_top], x[at_top]
    if np.unique(below).size < 2:
        return math.nan

    def nll(p):
        mu, log_s = p
        s = math.exp(log_s)
        z = (below - mu) / s
        a = (over - mu) / s
        log_q = log_ndtr(-a)  # log P(X >= each censored reading)
        lam = np.exp(-0.5 * a * a - _LOG_SQRT_2PI - log_q)  # inverse Mills ratios
        value = float(np.sum(0.5 * z * z + _LOG_SQRT_2PI + log_s) - log_q.sum())
        grad = (-float(z.sum() + lam.sum()) / s, -float(np.sum(z * z - 1.0) + lam @ a))
        return value, np.array(grad)

    start = np.array([x.mean(), math.log(max(x.std(), 1e-12 * max(abs(top), 1.0)))])
    fit = minimize(nll, start, jac=True, method="BFGS")
    mu = float(fit.x[0])
    return mu if fit.success and math.isfinite(mu) else math.nan
