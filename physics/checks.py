"""Checks of physical inputs shared by the models: each returns the input as a float array or
raises ValueError with one line naming the quantity and what was expected."""

import numpy as np


def finite(x, name: str) -> np.ndarray:
    x = np.asarray(x, dtype=float)
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{name} must be finite (got NaN or inf)")
    return x


def non_negative(x, name: str, unit: str) -> np.ndarray:
    x = finite(x, name)
    if np.any(x < 0):
        raise ValueError(f"{name} must be >= 0 {unit}")
    return x


def positive(x, name: str, unit: str) -> np.ndarray:
    x = finite(x, name)
    if np.any(x <= 0):
        raise ValueError(f"{name} must be > 0 {unit}")
    return x


def fraction(x, name: str) -> np.ndarray:
    x = finite(x, name)
    if np.any((x < 0) | (x > 1)):
        raise ValueError(f"{name} must lie in [0, 1]")
    return x


def choice(value: str, valid: tuple[str, ...], what: str) -> str:
    if value not in valid:
        raise ValueError(f"unknown {what} {value!r}; valid: {', '.join(valid)}")
    return value
