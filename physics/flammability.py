"""Flammable mixtures: how far a mixture of gases in air is from its lower flammable limit.

A combustible-gas detector reads in % of the lower explosive (flammable) limit, %LEL. For a
mixture of flammable gases, Le Chatelier's mixing rule gives the lower limit of the mixture,
``LFL_mix = 1 / sum(y_i / LFL_i)`` with y_i the fraction of gas i among the fuels, so the
mixture in air stands at ``100 * sum(x_i / LFL_i)`` %LEL, x_i the volume fraction of gas i
in air.
"""

import numpy as np


def percent_lel(volume_fractions, lfl_fractions, response_factors=1.0):
    """%LEL of a mixture of flammable gases in air (Le Chatelier), as a detector reads it.

    ``reading = 100 * sum_i RF_i x_i / LFL_i`` over the last axis. A response factor RF_i
    is the detector's reading per %LEL of gas i relative to its calibration gas; 1 reads
    every gas at its true %LEL.

    Parameters
    ----------
    volume_fractions : array_like
        Volume (mole) fraction of each flammable gas in air, last axis over the gases. [-]
    lfl_fractions : array_like
        Lower flammable limit of each gas as a volume fraction, > 0. [-]
    response_factors : array_like, optional
        Detector response to each gas relative to its calibration, > 0. [-]

    Returns
    -------
    numpy.ndarray
        Reading. [%LEL]

    References
    ----------
    Le Chatelier (1891), Ann. Mines 19, 388-395, as derived and discussed by Mashuga &
    Crowl (2000) "Derivation of Le Chatelier's mixing rule for flammable limits", Process
    Safety Progress 19(2), 112-117; Crowl & Louvar, Chemical Process Safety, ch. 6.
    """
    x = np.asarray(volume_fractions, dtype=float)
    lfl = np.asarray(lfl_fractions, dtype=float)
    rf = np.asarray(response_factors, dtype=float)
    if np.any(~np.isfinite(lfl)) or np.any(lfl <= 0):
        raise ValueError(f"lfl_fractions must be > 0, got {lfl_fractions}")
    if np.any(~np.isfinite(rf)) or np.any(rf <= 0):
        raise ValueError(f"response_factors must be > 0, got {response_factors}")
    if np.any(x < 0):
        raise ValueError("volume_fractions must be >= 0")
    return 100.0 * np.sum(rf * x / lfl, axis=-1)
