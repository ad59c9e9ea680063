import networkx as nx
import numpy as np
import pytest

from coprod_sim.config import ConfigError, load_config
from coprod_sim.model import CoProductionModel
from coprod_sim.network import direct_network, networkx_network
from coprod_sim.population import build_population, group_mix_by_neighbourhood, round_preserving_sum


def structure(adj, pop):
    rows, cols = adj.nonzero()
    same_nb = pop.neighbourhood[rows] == pop.neighbourhood[cols]
    same_group = pop.group[rows] == pop.group[cols]
    return adj.nnz / pop.n, same_nb.mean(), same_group[same_nb].mean()


def test_csr_is_symmetric_simple_and_sorted_by_block():
    cfg = load_config(overrides={"population.residents": 4000, "population.neighbourhoods": 8})
    pop = build_population(cfg, np.random.default_rng(0))
    assert (np.diff(pop.neighbourhood) >= 0).all()  # contiguous neighbourhoods
    adj = direct_network(cfg, pop, np.random.default_rng(1))
    assert (adj != adj.T).nnz == 0
    assert adj.diagonal().sum() == 0
    assert set(np.unique(adj.data)) == {1.0}


def test_direct_and_networkx_builders_sample_the_same_model():
    cfg = load_config(overrides={"population.residents": 3000, "population.neighbourhoods": 6})
    pop = build_population(cfg, np.random.default_rng(0))
    d = structure(direct_network(cfg, pop, np.random.default_rng(1)), pop)
    x = structure(networkx_network(cfg, pop, np.random.default_rng(2)), pop)
    assert d[0] == pytest.approx(10.0, rel=0.03) and x[0] == pytest.approx(10.0, rel=0.05)
    assert d[1] == pytest.approx(x[1], abs=0.02)  # within-neighbourhood share
    assert d[2] == pytest.approx(x[2], abs=0.03)  # within-group share inside neighbourhoods
    assert d[1] > 0.8  # mostly inside the neighbourhood, a few ties across


def test_group_composition_follows_segregation():
    shares = np.array([0.7, 0.3])
    even = group_mix_by_neighbourhood(shares, 10, 0.0)
    np.testing.assert_allclose(even, np.tile(shares, (10, 1)))
    full = group_mix_by_neighbourhood(shares, 10, 1.0)
    np.testing.assert_allclose(full[:, 1], [0] * 7 + [1] * 3, atol=1e-12)
    assert round_preserving_sum(np.array([1, 1, 1]), 10).sum() == 10


def test_user_graphml_with_attributes(tmp_path):
    g = nx.karate_club_graph()
    for v in g.nodes:
        g.nodes[v]["neighbourhood"] = v % 3
        g.nodes[v]["group"] = "minority" if v % 4 == 0 else "majority"
        g.nodes[v]["trust"] = 0.2 if v % 4 == 0 else 0.7
    path = tmp_path / "g.graphml"
    nx.write_graphml(g, path)
    cfg = load_config(
        overrides={
            "network.path": str(path),
            "population.residents": 34,
            "population.neighbourhoods": 3,
            "run.burn_in_days": 0,
        }
    )
    m = CoProductionModel(cfg, rng=0)
    assert m.adj.nnz == 2 * g.number_of_edges()
    minority = m.pop.group == m.pop.group_names.index("minority")
    assert minority.sum() == 9
    np.testing.assert_allclose(m.trust[minority], 0.2)
    m.run(5)


def test_user_edge_list_and_errors(tmp_path):
    path = tmp_path / "edges.txt"
    path.write_text("# a ring\n" + "\n".join(f"{i} {(i + 1) % 50}" for i in range(50)))
    cfg = load_config(
        overrides={
            "network.path": str(path),
            "population.residents": 50,
            "population.neighbourhoods": 2,
            "run.burn_in_days": 0,
        }
    )
    m = CoProductionModel(cfg, rng=0)
    assert m.adj.nnz == 100 and m.pop.n == 50
    with pytest.raises(ConfigError, match="has 50 nodes but population.residents = 60"):
        CoProductionModel(load_config(overrides={"network.path": str(path), "population.residents": 60}), rng=0)
    with pytest.raises(ConfigError, match="file not found"):
        CoProductionModel(load_config(overrides={"network.path": str(tmp_path / "nope.txt")}), rng=0)


def test_user_graph_leaving_a_neighbourhood_empty_is_refused(tmp_path):
    g = nx.path_graph(30)
    for v in g.nodes:
        g.nodes[v]["neighbourhood"] = 0 if v < 15 else 2
    path = tmp_path / "g.graphml"
    nx.write_graphml(g, path)
    with pytest.raises(ConfigError, match=r"neighbourhood\(s\) 1 have no nodes"):
        CoProductionModel(
            load_config(
                overrides={"network.path": str(path), "population.residents": 30, "population.neighbourhoods": 3}
            ),
            rng=0,
        )
