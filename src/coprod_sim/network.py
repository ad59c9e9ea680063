"""The social network as an immutable CSR adjacency (scipy.sparse).

Two generators of the same neighbourhood-clustered stochastic block model:
`direct_network` samples edges straight into arrays (fast at any N, ~1 s at
10^6) and `networkx_network` uses networkx (small N, and a yardstick for the
direct one). `load_graph_file` reads a user's edge list or GraphML.
Every resident initiates on average k/2 ties: a share `within_neighbourhood_share`
inside the own neighbourhood (of which `group_homophily` inside the own group),
the rest with anyone in the city.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import scipy.sparse as sp

from .config import Config, ConfigError
from .population import Population


def pair_keys(n: int, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Sorted unique keys min*n + max of undirected edges, loops dropped."""
    keep = u != v
    a, b = np.minimum(u[keep], v[keep]).astype(np.int64), np.maximum(u[keep], v[keep]).astype(np.int64)
    key = a * n + b
    key.sort()
    # sort + neighbour compare: numpy 2.5's hash-based np.unique is ~15x slower here
    return key[np.concatenate([[True], key[1:] != key[:-1]])] if len(key) else key


def csr_from_keys(n: int, key: np.ndarray) -> sp.csr_array:
    """Symmetric 0/1 CSR straight from sorted pair keys (no COO detour): int32
    indices and float32 data halve the memory and the daily matrix-vector cost."""
    both = np.concatenate([key, (key % n) * n + key // n])
    both.sort()
    indptr = np.zeros(n + 1, dtype=np.int32 if len(both) < 2**31 else np.int64)
    np.cumsum(np.bincount(both // n, minlength=n), out=indptr[1:])
    indices = (both % n).astype(np.int32)
    return sp.csr_array((np.ones(len(indices), np.float32), indices, indptr), shape=(n, n))


def csr_from_edges(n: int, u: np.ndarray, v: np.ndarray) -> sp.csr_array:
    """Symmetric 0/1 CSR from an undirected edge list, dropping loops and duplicates."""
    return csr_from_keys(n, pair_keys(n, np.asarray(u), np.asarray(v)))


def as_adjacency(adj) -> sp.csr_array:
    """Any scipy sparse graph as the model's adjacency: symmetric 0/1, no loops,
    int32 indices, float32 data, sorted."""
    coo = sp.coo_array(adj)
    return csr_from_edges(adj.shape[0], coo.row.astype(np.int64), coo.col.astype(np.int64))


def _partner_draws(
    rng: np.random.Generator, pop: Population, u: np.ndarray, within: float, homophily: float
) -> np.ndarray:
    n = pop.n
    r = rng.random(len(u))
    pick = rng.random(len(u))
    nb = pop.neighbourhood[u].astype(np.int64)
    grp = pop.group[u].astype(np.int64)
    same_block = r < within * homophily
    same_nb = (r >= within * homophily) & (r < within)
    v = (pick * n).astype(np.int64)  # anyone in the city
    bs, bz = pop.block_start[nb[same_block], grp[same_block]], pop.block_size[nb[same_block], grp[same_block]]
    v[same_block] = bs + (pick[same_block] * bz).astype(np.int64)
    v[same_nb] = pop.nb_start[nb[same_nb]] + (pick[same_nb] * pop.nb_size[nb[same_nb]]).astype(np.int64)
    return v


def direct_network(config: Config, pop: Population, rng: np.random.Generator) -> sp.csr_array:
    nc = config.network
    n = pop.n
    target = int(round(n * nc.mean_degree / 2))
    if target == 0 or n < 2:
        return csr_from_keys(n, np.empty(0, dtype=np.int64))
    u = (rng.random(target) * n).astype(np.int64)
    key = pair_keys(n, u, _partner_draws(rng, pop, u, nc.within_neighbourhood_share, nc.group_homophily))
    del u
    # Loops and duplicates fall out above; top up once so the mean degree holds.
    missing = target - len(key)
    if missing > 0:
        u2 = (rng.random(int(missing * 1.1) + 1) * n).astype(np.int64)
        key = pair_keys(
            n,
            np.concatenate([key // n, u2]),
            np.concatenate([key % n, _partner_draws(rng, pop, u2, nc.within_neighbourhood_share, nc.group_homophily)]),
        )
    return csr_from_keys(n, key)


def block_probabilities(config: Config, pop: Population) -> np.ndarray:
    """Tie probability between blocks (neighbourhood x group) implied by the initiation model."""
    nc = config.network
    sizes = pop.block_size.ravel().astype(float)
    k_nb, g = pop.block_size.shape
    nb_of = np.repeat(np.arange(k_nb), g)
    n = pop.n
    nb_sizes = pop.nb_size[nb_of].astype(float)
    same_nb = nb_of[:, None] == nb_of[None, :]
    same_block = np.eye(len(sizes), dtype=bool)
    with np.errstate(divide="ignore", invalid="ignore"):
        q = np.full((len(sizes), len(sizes)), (1 - nc.within_neighbourhood_share) / n)
        q += np.where(same_nb, nc.within_neighbourhood_share * (1 - nc.group_homophily) / nb_sizes[:, None], 0)
        q += np.where(same_block, nc.within_neighbourhood_share * nc.group_homophily / np.maximum(sizes[:, None], 1), 0)
    p = nc.mean_degree / 2 * (q + q.T)
    return np.clip(p, 0, 1)


def networkx_network(config: Config, pop: Population, rng: np.random.Generator) -> sp.csr_array:
    import networkx as nx

    sizes = [int(s) for s in pop.block_size.ravel()]
    p = block_probabilities(config, pop)
    keep = [i for i, s in enumerate(sizes) if s > 0]
    seed = int(rng.integers(2**31))
    graph = nx.stochastic_block_model([sizes[i] for i in keep], p[np.ix_(keep, keep)].tolist(), seed=seed, sparse=True)
    return as_adjacency(nx.to_scipy_sparse_array(graph, nodelist=range(pop.n), format="csr", dtype=float))


def build_network(config: Config, pop: Population, rng: np.random.Generator) -> sp.csr_array:
    if config.network.builder == "networkx":
        return networkx_network(config, pop, rng)
    return direct_network(config, pop, rng)


# --------------------------------------------------------------------------- user graphs
def load_graph_file(path: str | Path):
    """Read a user graph: GraphML (with optional node attributes) or a whitespace or
    comma separated edge list."""
    import networkx as nx

    path = Path(path)
    if not path.exists():
        raise ConfigError(f"network.path: file not found: {path}")
    try:
        if path.suffix.lower() == ".graphml":
            graph = nx.read_graphml(path)
        else:
            delimiter = "," if path.suffix.lower() == ".csv" else None
            graph = nx.read_edgelist(path, delimiter=delimiter, nodetype=str, data=False, comments="#")
    except Exception as e:  # networkx raises many types for malformed files
        raise ConfigError(f"network.path: cannot read {path}: {e}") from None
    return nx.Graph(graph)


def order_user_graph(graph, config: Config) -> tuple[list, np.ndarray, np.ndarray | None]:
    """Order a user graph's nodes by (neighbourhood, group) and count blocks.

    Returns the node order, the [K, G] counts, and initial trust per resident
    (None unless every node has a 'trust' attribute)."""
    pc = config.population
    names = list(pc.groups)
    nodes = list(graph.nodes)
    if len(nodes) != pc.residents:
        raise ConfigError(
            f"network.path has {len(nodes)} nodes but population.residents = {pc.residents}; "
            f"set population.residents = {len(nodes)}"
        )
    attrs = graph.nodes
    has_nb = all("neighbourhood" in attrs[v] for v in nodes)
    has_group = all("group" in attrs[v] for v in nodes)
    k = pc.neighbourhoods
    if has_nb:
        nb = np.array([int(attrs[v]["neighbourhood"]) for v in nodes])
        if nb.min() < 0 or nb.max() >= k:
            raise ConfigError(
                f"network.path: node attribute 'neighbourhood' must be 0..{k - 1} (population.neighbourhoods), "
                f"found {nb.min()}..{nb.max()}"
            )
    else:
        nb = np.repeat(np.arange(k), np.diff(np.linspace(0, len(nodes), k + 1).astype(int)))
    if has_group:
        labels = [str(attrs[v]["group"]) for v in nodes]
        unknown = sorted(set(labels) - set(names))
        if unknown:
            raise ConfigError(f"network.path: group {unknown[0]!r} is not in population.groups ({', '.join(names)})")
        grp = np.array([names.index(x) for x in labels])
    else:
        shares = np.array([g.share for g in pc.groups.values()])
        grp = np.concatenate(
            [np.repeat(np.arange(len(names)), _counts(shares, int((nb == i).sum()))) for i in range(k)]
        )
        grp = grp[np.argsort(np.argsort(nb, kind="stable"), kind="stable")]
    order = np.lexsort((grp, nb))
    counts = np.zeros((k, len(names)), dtype=np.int64)
    np.add.at(counts, (nb, grp), 1)
    empty = np.flatnonzero(counts.sum(axis=1) == 0)
    if len(empty):
        raise ConfigError(
            f"network.path: neighbourhood(s) {', '.join(map(str, empty[:10]))} have no nodes; "
            f"every neighbourhood 0..{k - 1} needs residents (or lower population.neighbourhoods)"
        )
    trust = None
    if all("trust" in attrs[v] for v in nodes):
        trust = np.clip(np.array([float(attrs[v]["trust"]) for v in nodes])[order], 0, 1)
    return [nodes[i] for i in order], counts, trust


def _counts(shares, total):
    from .population import round_preserving_sum

    return round_preserving_sum(shares, total)


def user_network(graph, node_order: list) -> sp.csr_array:
    import networkx as nx

    return as_adjacency(nx.to_scipy_sparse_array(graph, nodelist=node_order, format="csr", dtype=float))
