"""The place map: adjacency of places and residents' home places."""

import numpy as np

from coprod_sim.config import Config
from coprod_sim.places import build_place_map
from coprod_sim.population import build_population


def _map(**population):
    cfg = Config.model_validate({"population": {"residents": 2000, "neighbourhoods": 4, **population}})
    pop = build_population(cfg, np.random.default_rng(0))
    pm = build_place_map(
        pop,
        np.random.default_rng(1),
        neighbours_per_place=cfg.population.place_neighbours,
        cross_neighbourhood_share=cfg.population.place_cross_neighbourhood_share,
    )
    return pop, pm


def test_adjacency_is_symmetric_without_self_loops_and_mostly_within_neighbourhood():
    pop, pm = _map()
    a = pm.adjacency
    assert (a != a.T).nnz == 0
    assert a.diagonal().sum() == 0
    rows = np.repeat(np.arange(pm.n_places), np.diff(a.indptr))
    same = pop.place_neighbourhood[rows] == pop.place_neighbourhood[a.indices]
    assert 0.8 < same.mean() < 1.0  # some links cross a beat boundary, most do not
    assert np.diff(a.indptr).min() >= 4


def test_no_cross_links_when_share_is_zero():
    pop, pm = _map(place_cross_neighbourhood_share=0.0)
    rows = np.repeat(np.arange(pm.n_places), np.diff(pm.adjacency.indptr))
    assert (pop.place_neighbourhood[rows] == pop.place_neighbourhood[pm.adjacency.indices]).all()


def test_every_resident_lives_at_a_place_of_their_neighbourhood_and_places_mix_groups():
    pop, pm = _map()
    assert (pop.place_neighbourhood[pm.home_place] == pop.neighbourhood).all()
    counts = np.diff(pm.resident_indptr)
    assert counts.sum() == pop.n and counts.min() >= 1
    place = int(pop.place_start[1])
    residents = pm.residents_at([place])
    assert (pm.home_place[residents] == place).all()
    assert len(set(pop.group[residents].tolist())) == len(pop.group_names)  # not all of one group


def test_spread_to_neighbours_is_the_mean_over_neighbours():
    _, pm = _map()
    values = np.zeros(pm.n_places)
    values[5] = 1.0
    spread = pm.spread_to_neighbours(values)
    nbrs = pm.neighbours(5)
    assert np.allclose(spread[nbrs], 1.0 / np.diff(pm.adjacency.indptr)[nbrs])
    assert spread[5] == 0.0
