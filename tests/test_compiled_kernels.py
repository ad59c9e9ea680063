"""The numba kernels beside the numpy submodels give the same numbers, bit for bit."""

from __future__ import annotations

import threading

import numpy as np
import pytest
import scipy.sparse as sp

from coprod_sim import kernels
from coprod_sim.config import load_config
from coprod_sim.model import CoProductionModel
from coprod_sim.runs import simulate_each
from coprod_sim.submodels import coproduction, trust


def _network(n: int, rng: np.random.Generator, weighted: bool) -> sp.csr_array:
    rows, cols = rng.integers(0, n, 8 * n), rng.integers(0, n, 8 * n)
    keep = (rows != cols) & (rows > 4)  # residents 0-4 have no ties: their own trust is the neighbour mean
    adj = sp.csr_array((np.ones(keep.sum(), np.float32), (rows[keep], cols[keep])), shape=(n, n))
    adj.sum_duplicates()
    adj.data = rng.random(adj.nnz).astype(np.float32) + 0.5 if weighted else np.ones(adj.nnz, np.float32)
    adj.indices = adj.indices.astype(np.int32)
    adj.indptr = adj.indptr.astype(np.int32)
    return adj


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("threads", [False, True])
def test_base_change_is_identical_to_numpy(weighted, threads):
    rng = np.random.default_rng(7)
    n = 5000
    adj = _network(n, rng, weighted)
    degree = np.diff(adj.indptr).astype(np.float64)
    assert (degree == 0).any()
    t, a = rng.random(n), rng.random(n)
    rates = {"anchor_rate_per_day": 0.013, "social_rate_per_day": 0.021}
    plain = trust.base_change(t, a, adj, degree, **rates)
    fast = trust.base_change(t, a, adj, degree, **rates, compiled=True, threads=threads, weighted=weighted)
    assert np.array_equal(plain, fast)
    if weighted:  # the promise of unit weights matters: breaking it must show
        wrong = trust.base_change(t, a, adj, degree, **rates, compiled=True, weighted=False)
        assert not np.array_equal(plain, wrong)


def test_rows_by_degree_sorts_each_chunk_of_residents_by_ties():
    adj = _network(1000, np.random.default_rng(1), weighted=False)
    order = trust.rows_by_degree(adj)
    ties = np.diff(adj.indptr)
    assert sorted(order.tolist()) == list(range(1000))  # every resident once
    for start in range(0, 1000, 256):
        chunk = order[start : start + 256]
        assert set(chunk.tolist()) == set(range(start, min(start + 256, 1000)))  # residents stay in their chunk
        # by ties, and (stable) by id among equals
        assert np.array_equal(chunk, start + np.argsort(ties[start : start + 256], kind="stable"))
    assert not np.array_equal(order, np.arange(1000))


@pytest.mark.parametrize("threads", [False, True])
@pytest.mark.parametrize(("drift", "pull"), [(0.0, 0.0), (5.0, 0.0), (5.0, 20.0)])
def test_apply_and_drift_is_identical_to_numpy(threads, drift, pull):
    rng = np.random.default_rng(3)
    n = 4000
    t, a, prior = rng.random(n), rng.random(n), rng.random(n)
    delta = rng.normal(0.0, 0.4, n)  # large enough that clipping at 0 and 1 happens
    years = {"anchor_drift_years": drift, "prior_pull_years": pull}
    t1, a1 = t.copy(), a.copy()
    trust.apply_and_drift(t1, delta, a1, prior, **years)
    t2, a2 = t.copy(), a.copy()
    trust.apply_and_drift(t2, delta, a2, prior, **years, compiled=True, threads=threads)
    assert ((t1 == 0) | (t1 == 1)).any()
    assert np.array_equal(t1, t2) and np.array_equal(a1, a2)


@pytest.mark.parametrize(("vicarious", "talk"), [(0.3, 0.4), (0.0, 0.4), (0.3, 0.0)])
def test_shocks_are_identical_to_numpy(vicarious, talk):
    rng = np.random.default_rng(9)
    n = 3000
    adj = _network(n, rng, weighted=False)
    degree = np.diff(adj.indptr).astype(np.float64)
    t, a = rng.random(n), rng.random(n)
    shocks = trust.Shocks()
    for kind in ("negative", "positive", "designed", "victim_uncleared", "victim_cleared", "unanswered", "feedback"):
        getattr(shocks, kind).extend([rng.integers(0, n, 40), rng.integers(0, n, 7)])  # repeats: added twice
    shocks.designed_partial += [(rng.integers(0, n, 30), rng.random(30) + 0.5), (np.arange(3), np.zeros(3))]
    shocks.feedback.append(np.arange(5))  # residents without ties: nobody hears
    effects = {
        "negative_contact_effect": 0.1,
        "positive_contact_effect": 0.015,
        "designed_contact_effect": 0.1,
        "victimization_effect": 0.04,
        "clearance_effect": 0.0,  # a kind with no effect: skipped, drawing nothing
        "unanswered_call_effect": 0.02,
        "feedback_effect": 0.03,
    }
    out, streams = {}, {}
    for compiled in (False, True):
        streams[compiled] = np.random.default_rng(4)
        out[compiled] = trust.trust_change(
            t, a, adj, degree, shocks, streams[compiled],
            anchor_rate_per_day=0.01, social_rate_per_day=0.02,
            vicarious_fraction=vicarious, talk_probability=talk, compiled=compiled, **effects,
        )  # fmt: skip
    base = trust.base_change(t, a, adj, degree, anchor_rate_per_day=0.01, social_rate_per_day=0.02)
    assert not np.array_equal(out[False], base)  # the shocks did something
    assert np.array_equal(out[False], out[True])
    assert streams[False].random() == streams[True].random()  # the same number of talk draws


@pytest.mark.parametrize("fear", [False, True])
def test_participation_is_identical_to_numpy(fear):
    rng = np.random.default_rng(5)
    nb_size = np.array([700, 0, 1300, 1000])  # an empty neighbourhood too
    nb_start = np.cumsum(nb_size) - nb_size
    n = int(nb_size.sum())
    args = (rng.random(n), rng.random(len(nb_size)), nb_start, nb_size)
    knobs = {"intercept": -2.1, "trust_coef": 2.3, "efficacy_coef": 1.7}
    cost = rng.random(n) if fear else None
    plain = coproduction.participation(*args, **knobs, extra_cost=cost)
    fast = coproduction.participation(*args, **knobs, extra_cost=cost, compiled=True)
    assert np.array_equal(plain, fast)
    assert np.ptp(plain) > 0.3  # a real spread of values, not one number


def test_a_run_gives_the_same_numbers_with_either_kernels(monkeypatch):
    config = load_config(None, {"population.residents": 2000, "run.burn_in_days": 20, "policy.name": "door_to_door"})
    runs = {}
    for choice in ("numpy", "compiled"):
        monkeypatch.setenv(kernels.ENV_VAR, choice)
        model = CoProductionModel(config, rng=11)
        assert model.compiled == (choice == "compiled")
        model.run(40)
        runs[choice] = model
    a, b = runs["numpy"], runs["compiled"]
    assert np.array_equal(a.trust, b.trust) and np.array_equal(a.anchor, b.anchor)
    assert a.timeseries().equals(b.timeseries())


def test_a_process_switches_to_compiled_kernels_mid_run_with_the_same_numbers(monkeypatch):
    config = load_config(None, {"population.residents": 2000, "run.burn_in_days": 0, "policy.name": "door_to_door"})
    monkeypatch.setenv(kernels.ENV_VAR, "numpy")
    plain = CoProductionModel(config, rng=5)
    plain.run(60)
    monkeypatch.delenv(kernels.ENV_VAR)
    monkeypatch.setattr(kernels, "LOAD_S", 24.5 * (kernels.SAVING_PER_DAY_S + 2000 * kernels.SAVING_PER_RESIDENT_DAY_S))
    monkeypatch.setattr(kernels, "_forgone_s", 0.0)
    switching = CoProductionModel(config, rng=5)
    assert not switching.compiled
    switching.run(24)
    assert not switching.compiled
    switching.run(36)
    assert switching.compiled  # switched on day 25, mid-run
    assert np.array_equal(plain.trust, switching.trust) and np.array_equal(plain.anchor, switching.anchor)
    assert plain.timeseries().equals(switching.timeseries())
    assert CoProductionModel(config, rng=5).compiled  # the process's later models start compiled
    monkeypatch.setenv(kernels.ENV_VAR, "numpy")
    assert not CoProductionModel(config, rng=5).compiled and not kernels.numpy_day(2000)


def test_the_choice_follows_size_and_the_environment(monkeypatch):
    monkeypatch.delenv(kernels.ENV_VAR, raising=False)
    monkeypatch.setattr(kernels, "_forgone_s", 0.0)
    assert not kernels.use_compiled(1000)
    assert kernels.use_compiled(kernels.COMPILED_MIN_RESIDENTS)
    monkeypatch.setenv(kernels.ENV_VAR, "numpy")
    assert not kernels.use_compiled(10**7)
    monkeypatch.setenv(kernels.ENV_VAR, "fast")
    with pytest.raises(ValueError, match="COPROD_SIM_KERNELS='fast' is not allowed; use one of auto, numpy, compiled"):
        kernels.use_compiled(1000)


def test_work_known_to_lie_ahead_switches_before_it_starts(monkeypatch):
    monkeypatch.delenv(kernels.ENV_VAR, raising=False)
    monkeypatch.setattr(kernels, "_forgone_s", 0.0)
    monkeypatch.setattr(kernels, "_planned", False)
    # one 10^4-resident run of 180 + 730 days does not repay numba's load; a comparison's
    # task of four such runs sharing their burn-in does
    kernels.plan(910, 910 * 10_000)
    assert not kernels.use_compiled(10_000)
    kernels.plan(3100, 3100 * 10_000)
    assert kernels.use_compiled(10_000) and kernels.use_compiled(300)
    monkeypatch.setenv(kernels.ENV_VAR, "numpy")
    assert not kernels.use_compiled(10_000)


def test_a_comparison_task_plans_its_runs_before_building_them(monkeypatch):
    monkeypatch.delenv(kernels.ENV_VAR, raising=False)
    monkeypatch.setattr(kernels, "_forgone_s", 0.0)
    monkeypatch.setattr(kernels, "_planned", False)
    configs = [
        load_config(None, {"population.residents": 300, "run.burn_in_days": 5, "policy.name": name})
        for name in ("reactive", "door_to_door")
    ]
    planned = []
    monkeypatch.setattr(kernels, "plan", lambda days, resident_days: planned.append((days, resident_days)))
    simulate_each(configs, seed=1, replicate=0, days=4)
    assert planned == [(4 + 4 + 5, 300 * (4 + 4 + 5))]  # two runs and their one shared burn-in


def test_threads_only_for_large_cities_in_the_main_thread():
    assert not kernels.use_threads(kernels.THREADS_MIN_RESIDENTS - 1)
    assert kernels.use_threads(kernels.THREADS_MIN_RESIDENTS)
    seen = []
    worker = threading.Thread(target=lambda: seen.append(kernels.use_threads(10**7)))
    worker.start()
    worker.join()
    assert seen == [False]
