"""Co-production's whole-population pass, participation, compiled with numba.

The logistic's argument is made in one loop over residents, neighbourhood by
neighbourhood (residents are numbered so), instead of numpy's repeat of the
efficacies and five array passes; the exponential stays numpy's, whose last bits
can differ from LLVM's. The operations and their order are `coproduction.py`'s, so
the numbers are identical (tests/test_compiled_kernels.py)."""

from __future__ import annotations

import numba


@numba.njit(cache=True, nogil=True)
def negative_logit(trust, efficacy_nb, nb_start, nb_size, intercept, trust_coef, efficacy_coef, cost, out):
    """out = -(trust * trust_coef + intercept + efficacy * efficacy_coef - cost), `cost` one per
    resident or empty for none."""
    has_cost = cost.shape[0] > 0
    for k in range(nb_start.shape[0]):
        e = efficacy_nb[k] * efficacy_coef
        for i in range(nb_start[k], nb_start[k] + nb_size[k]):
            z = trust[i] * trust_coef
            z += intercept
            z += e
            if has_cost:
                z -= cost[i]
            out[i] = -z


@numba.njit(cache=True, nogil=True)
def reciprocal_of_one_plus(z):
    """z = 1 / (1 + z), in place."""
    for i in range(z.shape[0]):
        z[i] = 1.0 / (z[i] + 1.0)
