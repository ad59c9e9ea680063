"""The network view: residents coloured by trust, shaped by group; officers on their beats.

A classroom can read a few hundred points, not 10^4: the view draws a sample of
up to `MAX_NEIGHBOURHOODS` neighbourhoods (spread from the lowest- to the
highest-trust one) and, in each, a connected sample of at most
`MAX_PER_NEIGHBOURHOOD` residents grown along network ties, and says so on
screen. The layout (a networkx spring layout of each small sampled subgraph, in
a grid of neighbourhood cells) is computed once per model and cached; each step
only re-colours the points. The sample is drawn from its own generator, never
from the model's random streams.
"""

from __future__ import annotations

import math
import weakref
from collections import deque
from dataclasses import dataclass

import networkx as nx
import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

MAX_NEIGHBOURHOODS = 4
MAX_PER_NEIGHBOURHOOD = 150
RECENT_CONTACT_DAYS = 7
GROUP_MARKERS = ["o", "^", "s", "D", "v", "P", "X", "h"]
CMAP = "RdYlBu"
FONT = 13


@dataclass
class NetworkSample:
    residents: np.ndarray  # resident ids drawn, grouped by neighbourhood
    pos: np.ndarray  # (m, 2) positions of those residents
    segments: np.ndarray  # (e, 2, 2) ties among them
    neighbourhoods: list[int]  # the neighbourhoods drawn, one cell each
    cells: dict[int, tuple[float, float]]  # cell centre per neighbourhood
    note: str  # what is shown, for the screen


_CACHE: weakref.WeakKeyDictionary[object, NetworkSample] = weakref.WeakKeyDictionary()


def network_sample(model) -> NetworkSample:
    """The model's sample and layout, computed on first use and cached for the model's life."""
    sample = _CACHE.get(model)
    if sample is None:
        sample = _CACHE[model] = build_sample(model)
    return sample


def build_sample(
    model,
    max_neighbourhoods: int = MAX_NEIGHBOURHOODS,
    max_per_neighbourhood: int = MAX_PER_NEIGHBOURHOOD,
    seed: int = 0,
) -> NetworkSample:
    pop, adj = model.pop, model.adj
    rng = np.random.default_rng(seed)
    k = pop.n_neighbourhoods
    members = [np.flatnonzero(pop.neighbourhood == nb) for nb in range(k)]
    nb_trust = np.array([model.trust[m].mean() if len(m) else np.nan for m in members])
    order = [int(nb) for nb in np.argsort(nb_trust, kind="stable") if len(members[nb])]
    if len(order) > max_neighbourhoods:
        picks = np.unique(np.linspace(0, len(order) - 1, max_neighbourhoods).round().astype(int))
        order = [order[i] for i in picks]
    chosen = sorted(order)

    drawn: list[np.ndarray] = []
    for nb in chosen:
        m = members[nb]
        drawn.append(m if len(m) <= max_per_neighbourhood else _snowball(adj, m, max_per_neighbourhood, rng))
    residents = np.concatenate(drawn) if drawn else np.empty(0, dtype=np.int64)

    ncols = max(1, math.ceil(math.sqrt(len(chosen))))
    cells: dict[int, tuple[float, float]] = {}
    pos = np.zeros((len(residents), 2))
    start = 0
    for i, (nb, ids) in enumerate(zip(chosen, drawn, strict=True)):
        cx, cy = float(i % ncols) * 1.1, -float(i // ncols) * 1.5
        cells[nb] = (cx, cy)
        pos[start : start + len(ids)] = _cell_layout(adj, ids, seed) * 0.42 + (cx, cy)
        start += len(ids)

    index = {int(r): j for j, r in enumerate(residents)}
    segs = []
    for j, r in enumerate(residents):
        for other in adj.indices[adj.indptr[r] : adj.indptr[r + 1]]:
            jj = index.get(int(other))
            if jj is not None and jj > j:
                segs.append((pos[j], pos[jj]))
    segments = np.array(segs).reshape(-1, 2, 2)

    if len(residents) == pop.n:
        note = f"All {pop.n:,} residents, {k} neighbourhoods"
    else:
        note = f"Sample: {len(chosen)} of {k} neighbourhoods, {len(residents):,} of {pop.n:,} residents"
    return NetworkSample(residents, pos, segments, chosen, cells, note)


def _snowball(adj, members: np.ndarray, size: int, rng: np.random.Generator) -> np.ndarray:
    """A connected sample of `size` residents of one neighbourhood, grown along ties."""
    inside = set(int(x) for x in members)
    taken: list[int] = []
    seen: set[int] = set()
    pool = rng.permutation(members)
    p = 0
    while len(taken) < size and p < len(pool):
        start = int(pool[p])
        p += 1
        if start in seen:
            continue
        queue = deque([start])
        seen.add(start)
        while queue and len(taken) < size:
            r = queue.popleft()
            taken.append(r)
            nbrs = adj.indices[adj.indptr[r] : adj.indptr[r + 1]]
            for other in rng.permutation(nbrs):
                o = int(other)
                if o in inside and o not in seen:
                    seen.add(o)
                    queue.append(o)
    return np.array(sorted(taken), dtype=np.int64)


def _cell_layout(adj, ids: np.ndarray, seed: int) -> np.ndarray:
    """Spring layout of one neighbourhood's sampled subgraph, scaled into [-1, 1]^2."""
    if len(ids) == 0:
        return np.zeros((0, 2))
    g = nx.Graph()
    g.add_nodes_from(range(len(ids)))
    local = {int(r): j for j, r in enumerate(ids)}
    for j, r in enumerate(ids):
        for other in adj.indices[adj.indptr[r] : adj.indptr[r + 1]]:
            jj = local.get(int(other))
            if jj is not None and jj > j:
                g.add_edge(j, jj)
    layout = nx.spring_layout(g, seed=seed, k=1.8 / math.sqrt(len(ids)), iterations=60)
    xy = np.array([layout[j] for j in range(len(ids))])
    xy -= xy.mean(axis=0)
    span = np.abs(xy).max() or 1.0
    return xy / span


def draw_network(model, sample: NetworkSample | None = None) -> Figure:
    """The view for the model's current day (a matplotlib Figure, no pyplot)."""
    sample = sample or network_sample(model)
    pop = model.pop
    fig = Figure(figsize=(8.2, 7.6), dpi=90, layout="constrained")
    ax = fig.add_subplot()
    ax.set_axis_off()
    ax.set_aspect("equal")
    if len(sample.segments):
        ax.add_collection(LineCollection(sample.segments, colors="#9a9a9a", linewidths=0.5, alpha=0.45, zorder=1))

    ids = sample.residents
    trust = model.trust[ids]
    recent = model.last_contact_day[ids] >= model.day - RECENT_CONTACT_DAYS
    groups = pop.group[ids]
    scatter = None
    handles = []
    for g, name in enumerate(pop.group_names):
        sel = groups == g
        marker = GROUP_MARKERS[g % len(GROUP_MARKERS)]
        if sel.any():
            scatter = ax.scatter(
                sample.pos[sel, 0],
                sample.pos[sel, 1],
                c=trust[sel],
                cmap=CMAP,
                vmin=0,
                vmax=1,
                marker=marker,
                s=46,
                edgecolors=np.where(recent[sel], "black", "none"),
                linewidths=np.where(recent[sel], 1.6, 0.0),
                zorder=2,
            )
        handles.append(
            Line2D(
                [],
                [],
                marker=marker,
                linestyle="",
                markerfacecolor="#bbbbbb",
                markeredgecolor="#555555",
                markersize=10,
                label=name,
            )
        )
    handles.append(
        Line2D(
            [],
            [],
            marker="o",
            linestyle="",
            markerfacecolor="white",
            markeredgecolor="black",
            markeredgewidth=1.6,
            markersize=10,
            label=f"police contact in last {RECENT_CONTACT_DAYS} days",
        )
    )
    handles.append(
        Line2D(
            [],
            [],
            marker="*",
            linestyle="",
            markerfacecolor="black",
            markeredgecolor="black",
            markersize=15,
            label="officer (on own beat)",
        )
    )

    for nb, (cx, cy) in sample.cells.items():
        in_nb = pop.neighbourhood == nb
        mean_trust = float(model.trust[in_nb].mean()) if in_nb.any() else float("nan")
        ax.text(
            cx,
            cy + 0.47,
            f"Neighbourhood {nb}\nmean trust {mean_trust:.2f}",
            ha="center",
            va="bottom",
            fontsize=FONT - 1,
            linespacing=1.1,
        )
        beat = [o for o in model.officer_list if o.beat == nb]
        if beat:
            half = min(0.4, 0.07 * (len(beat) - 1))
            xs = cx + np.linspace(-half, half, len(beat))
            ax.scatter(xs, np.full(len(xs), cy - 0.52), marker="*", s=190, c="black", zorder=3)
        ax.text(
            cx,
            cy - 0.6,
            f"{len(beat)} officer{'s' if len(beat) != 1 else ''} on this beat",
            ha="center",
            va="top",
            fontsize=FONT - 3,
            color="#333333",
        )

    xs = [c[0] for c in sample.cells.values()] or [0.0]
    ys = [c[1] for c in sample.cells.values()] or [0.0]
    ax.set_xlim(min(xs) - 0.5, max(xs) + 0.5)
    ax.set_ylim(min(ys) - 0.75, max(ys) + 0.7)
    if scatter is not None:
        cbar = fig.colorbar(scatter, ax=ax, shrink=0.7, pad=0.01)
        cbar.set_label("trust in the police", fontsize=FONT)
        cbar.ax.tick_params(labelsize=FONT - 2)
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=2, fontsize=FONT - 2, frameon=False)
    ax.set_title(f"Residents and officers, day {model.day}\n{sample.note}", fontsize=FONT)
    return fig
