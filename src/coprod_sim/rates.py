"""Expected daily counts per cell (neighbourhood, beat) that are fixed for a run, and their
Poisson draw.

numpy's Poisson draws cell after cell, so when every cell has the same rate (neighbourhoods
of equal size, the default city) the scalar form of the call draws exactly the same numbers
as the array form, at a fraction of its fixed cost (the array form checks its rates on every
call). Small cities pay per call, not per count, so this is worth a class.
"""

from __future__ import annotations

import numpy as np


class DailyRates:
    def __init__(self, rates: np.ndarray):
        self.rates = np.asarray(rates, dtype=np.float64)
        same = len(self.rates) > 0 and bool(np.all(self.rates == self.rates[0]))
        self.common = self.rates[0] if same else None  # the one rate every cell has, if so

    def __len__(self) -> int:
        return len(self.rates)

    def draw(self, rng: np.random.Generator) -> np.ndarray:
        """Counts per cell: the same draws as `rng.poisson(self.rates)`."""
        if self.common is not None:
            return rng.poisson(self.common, len(self.rates))
        return rng.poisson(self.rates)
