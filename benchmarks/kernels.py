"""Micro-benchmarks behind the speed-up suggestions in benchmarks/README.md.

Times the core's hot kernels at N = 10^6 on the arrays of a real model, against
drop-in alternatives that give the same numbers (checked). Not part of `make
bench`; run `python benchmarks/kernels.py [N]` (kernels) and
`python benchmarks/kernels.py network [N]` (network build: the core's builder vs
a leaner prototype of the same graph, peak memory each in a fresh process).
"""

from __future__ import annotations

import sys
import time

import numpy as np
import scipy.sparse as sp

from coprod_sim.config import load_config
from coprod_sim.model import CoProductionModel


def best(fn, k: int = 7) -> float:
    fn()
    times = []
    for _ in range(k):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main(n: int) -> None:
    m = CoProductionModel(load_config(overrides={"population.residents": n, "run.burn_in_days": 0}), rng=1)
    m.step()
    adj, trust, pop = m.adj, m.trust, m.pop
    rows = []

    def row(kernel, current, alternative, t_cur, t_alt):
        rows.append((kernel, current, alternative, t_cur * 1e3, t_alt * 1e3))

    # 1. neighbour sum (trust: social pull)
    indptr, indices = adj.indptr, adj.indices
    adj32 = sp.csr_array(
        (adj.data.astype(np.float32), indices.astype(np.int32), indptr.astype(np.int32)), shape=adj.shape
    )
    starts = indptr[:-1]
    nonempty = np.diff(indptr) > 0

    def reduceat():
        out = np.zeros(len(trust))
        out[nonempty] = np.add.reduceat(trust[indices], starts[nonempty])
        return out

    assert np.allclose(reduceat(), adj @ trust)
    assert np.allclose(adj32 @ trust.astype(np.float32), adj @ trust, atol=1e-4)
    t_base = best(lambda: adj @ trust)
    row(
        "neighbour trust sum",
        f"adj @ trust (float64 data, {adj.indices.dtype} indices)",
        "float32 data, int32 indices, adj @ trust.astype(float32)",
        t_base,
        best(lambda: adj32 @ trust.astype(np.float32)),
    )
    row("neighbour trust sum", "adj @ trust", "np.add.reduceat(trust[indices], indptr[:-1])", t_base, best(reduceat))

    # 2. means by neighbourhood (participation_nb, per-neighbourhood trust)
    nb, k = pop.neighbourhood, pop.n_neighbourhoods
    size = np.maximum(pop.nb_size, 1)

    def by_bincount():
        return np.bincount(nb, weights=m.participation, minlength=k) / size

    def by_reduceat():  # residents are numbered so each neighbourhood is a contiguous block
        return np.add.reduceat(m.participation, pop.nb_start) / size

    assert np.allclose(by_bincount(), by_reduceat())
    row(
        "mean by neighbourhood",
        "np.bincount(neighbourhood, weights=x)",
        "np.add.reduceat(x, nb_start) (contiguous blocks)",
        best(by_bincount),
        best(by_reduceat),
    )

    # 3. participation (co-production), per resident each day
    cc = m.config.coproduction

    def part_now():
        return 1.0 / (
            1.0
            + np.exp(
                -(
                    cc.participation_intercept
                    + cc.participation_trust_coef * trust
                    + cc.participation_efficacy_coef * m.efficacy[nb]
                )
            )
        )

    buf = np.empty_like(trust)

    def part_inplace():
        np.multiply(trust, -cc.participation_trust_coef, out=buf)
        np.subtract(
            buf,
            np.repeat(cc.participation_intercept + cc.participation_efficacy_coef * m.efficacy, pop.nb_size),
            out=buf,
        )
        np.exp(buf, out=buf)
        np.add(buf, 1.0, out=buf)
        return np.reciprocal(buf, out=buf)

    assert np.allclose(part_now(), part_inplace())
    row(
        "participation",
        "1/(1+exp(-z)) with efficacy[neighbourhood] gather",
        "in place (out=), np.repeat(efficacy, nb_size)",
        best(part_now),
        best(part_inplace),
    )

    # 4. mean trust by group (metrics)
    g = len(pop.group_names)
    gs = np.maximum(m.group_sizes, 1)

    def group_bincount():
        return np.bincount(pop.group, weights=trust, minlength=g) / gs

    flat_start = pop.block_start.ravel()
    nonempty_b = pop.block_size.ravel() > 0

    def group_reduceat():
        sums = np.zeros(flat_start.size)
        sums[nonempty_b] = np.add.reduceat(trust, flat_start[nonempty_b])
        return sums.reshape(pop.block_size.shape).sum(axis=0) / gs

    assert np.allclose(group_bincount(), group_reduceat())
    row(
        "mean trust by group",
        "np.bincount(group int8, weights=trust)",
        "np.add.reduceat over (neighbourhood, group) blocks",
        best(group_bincount),
        best(group_reduceat),
    )

    # 5. whole trust update vs its matvec
    t_trust = best(lambda: m._trust(), k=5)  # noqa: SLF001 (times the model's own trust step as a whole)

    print(f"N = {n:,}, nnz = {adj.nnz:,}; best of 7, ms")
    print("| kernel | current | alternative | current (ms) | alternative (ms) | speed-up |")
    print("|---|---|---|---:|---:|---:|")
    for kernel, cur, alt, a, b in rows:
        print(f"| {kernel} | {cur} | {alt} | {a:.2f} | {b:.2f} | {a / b:.1f}x |")
    print(f"\n(whole `_trust` on a day without shocks: {t_trust * 1e3:.1f} ms, most of it the neighbour sum)")


# --------------------------------------------------------------------------- network build
def _unique_pair_keys(u: np.ndarray, v: np.ndarray, n: int) -> np.ndarray:
    keep = u != v
    key = np.minimum(u, v)[keep] * n + np.maximum(u, v)[keep]
    key.sort()
    return key[np.concatenate([[True], key[1:] != key[:-1]])]


def lean_network(config, pop, rng) -> sp.csr_array:
    """The core's direct_network (same draws, same graph) without the COO detour:
    sorted int64 pair keys -> CSR with int32 indices and float32 data."""
    from coprod_sim.network import _partner_draws

    nc, n = config.network, pop.n
    target = int(round(n * nc.mean_degree / 2))
    u = (rng.random(target) * n).astype(np.int64)
    key = _unique_pair_keys(u, _partner_draws(rng, pop, u, nc.within_neighbourhood_share, nc.group_homophily), n)
    del u
    missing = target - len(key)
    if missing > 0:
        u2 = (rng.random(int(missing * 1.1) + 1) * n).astype(np.int64)
        key = np.concatenate(
            [
                key,
                _unique_pair_keys(
                    u2, _partner_draws(rng, pop, u2, nc.within_neighbourhood_share, nc.group_homophily), n
                ),
            ]
        )
        key.sort()
        key = key[np.concatenate([[True], key[1:] != key[:-1]])]
    both = np.concatenate([key, (key % n) * n + key // n])
    del key
    both.sort()
    indptr = np.zeros(n + 1, dtype=np.int32 if len(both) < 2**31 else np.int64)
    np.cumsum(np.bincount(both // n, minlength=n), out=indptr[1:])
    indices = (both % n).astype(np.int32)
    del both
    return sp.csr_array((np.ones(len(indices), np.float32), indices, indptr), shape=(n, n))


def _status_mb(field: str) -> float:
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith(field + ":")) / 1024


def network_child(which: str, n: int) -> None:
    from coprod_sim.network import build_network
    from coprod_sim.population import build_population
    from coprod_sim.streams import as_seed_sequence, stream

    cfg = load_config(overrides={"population.residents": n, "run.burn_in_days": 0})
    seq = as_seed_sequence(1)
    pop = build_population(cfg, stream(seq, "population"))
    before = _status_mb("VmRSS")
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
    t0 = time.perf_counter()
    adj = (build_network if which == "core" else lean_network)(cfg, pop, stream(seq, "network"))
    secs = time.perf_counter() - t0
    held = sum(a.nbytes for a in (adj.data, adj.indices, adj.indptr)) / 2**20
    import hashlib

    digest = hashlib.sha1(adj.indptr.astype(np.int64).tobytes() + adj.indices.astype(np.int64).tobytes()).hexdigest()[
        :12
    ]
    print(
        f"{which}: {secs:.2f} s, peak +{_status_mb('VmHWM') - before:.0f} MB, adjacency {held:.0f} MB "
        f"({adj.indices.dtype} indices, {adj.data.dtype} data), graph digest {digest}"
    )


def network_compare(n: int) -> None:
    import subprocess

    print(f"network build at N = {n:,} (each in a fresh process; the same digest = the same graph)")
    for which in ("core", "lean"):
        subprocess.run([sys.executable, __file__, "network-child", which, str(n)], check=True)


if __name__ == "__main__":
    args = sys.argv[1:]
    if args[:1] == ["network-child"]:
        network_child(args[1], int(args[2]))
    elif args[:1] == ["network"]:
        network_compare(int(float(args[1])) if len(args) > 1 else 10**6)
    else:
        main(int(float(args[0])) if args else 10**6)
