"""A dashboard set-up saved as a config file and as a link (issue 16): the file re-opens
to the same set-up, and `coprod-sim run` on it reproduces the dashboard's series."""

import io

import pandas as pd
import pytest

from coprod_sim.cli import main
from coprod_sim.config import ConfigError, load_config
from coprod_sim.dashboard import actions, setup
from coprod_sim.dashboard.session import DashboardModel, Settings

SMALL = ["population.residents=1500", "population.neighbourhoods=5", "run.burn_in_days=20"]


def played(seed=4):
    """A small dashboard model with every kind of mid-run action, on a scenario with its own event."""
    model = DashboardModel(**Settings(preset="misconduct_shock", overrides=SMALL, seed=seed).initial_kwargs(),
                           overrides={k: v for k, v in (i.split("=") for i in SMALL)})  # fmt: skip
    for day in range(40):
        if day == 5:
            actions.trigger_misconduct(model, 0.4, ["minority"])
        if day == 12:
            actions.start_door_to_door(model)
        if day == 20:
            actions.cut_budget(model, 0.25)
        if day == 30:
            actions.stop_door_to_door(model)
        model.step()
    return model


def test_the_saved_file_reruns_the_dashboards_series_with_the_cli(tmp_path):
    model = played()
    saved = tmp_path / "class.toml"
    saved.write_text(setup.setup_toml(model))
    cfg = load_config(saved)
    assert cfg.run.seed == 4 and cfg.run.days == 40
    assert [(e.day, e.kind) for e in cfg.events] == [(5, "misconduct"), (20, "budget_cut"), (90, "misconduct")]
    assert [(e.day, e.name) for e in cfg.policy.schedule] == [(12, "door_to_door"), (30, "reactive")]
    assert main(["run", str(saved), "--out", str(tmp_path / "out")]) == 0
    ran = pd.read_parquet(tmp_path / "out" / "timeseries.parquet")
    shown = model.timeseries()
    pd.testing.assert_frame_equal(ran[shown.columns].reset_index(drop=True), shown, check_dtype=False)


def test_the_saved_file_reopens_to_the_same_set_up():
    model = played()
    path = setup.store(setup.setup_toml(model))
    again = DashboardModel(**Settings(preset=str(path), seed=load_config(path).run.seed).initial_kwargs())
    for _ in range(40):
        again.step()
    pd.testing.assert_frame_equal(again.timeseries(), model.timeseries())
    assert [d for d, _ in actions.marks(again)] == [5, 12, 20, 30]  # the actions, now scheduled, are marked


def test_a_link_carries_the_set_up_and_the_ab_set_up():
    model = played()
    cfg, b_cfg = setup.saved_config(model), load_config(overrides={"policy.name": "hot_spots"})
    params = setup.parse_query(setup.query(cfg, b_cfg, lesson="misconduct"))
    assert params["lesson"] == "misconduct"
    assert load_config(setup.store(setup.decode(params["setup"]))) == cfg
    assert load_config(setup.store(setup.decode(params["b"]))).policy.name == "hot_spots"
    assert len(setup.query(cfg)) < 1500  # a link a trainer can paste
    assert setup.changes(load_config()) == {}


def test_damaged_links_and_files_get_one_clear_line():
    with pytest.raises(ConfigError, match="damaged"):
        setup.decode("not-a-token!")
    with pytest.raises(ConfigError, match="not a TOML config file"):
        setup.store("[run\nseed = 1")
    with pytest.raises(ConfigError, match="n_agnets|population"):
        setup.store("[population]\nn_agnets = 5\n")


def test_daily_data_downloads_read_back():
    ts = played().timeseries()
    pd.testing.assert_frame_equal(pd.read_parquet(io.BytesIO(setup.daily_parquet(ts))), ts)
    assert pd.read_csv(io.BytesIO(setup.daily_csv(ts))).shape == ts.shape


def test_every_lesson_opens_its_a_and_b_set_ups():
    from coprod_sim.dashboard.lessons import LESSONS
    from coprod_sim.dashboard.opening import open_page

    assert len(LESSONS) == 3
    for name, lesson in LESSONS.items():
        opening = open_page(f"lesson={name}", Settings())
        assert opening.lesson is lesson and opening.b_config is not None and not opening.problem
        assert opening.initial()["residents"] == opening.b_config.population.residents
    cut = open_page("?lesson=budget_cut", Settings())
    a = load_config(cut.settings.preset)
    assert [(e.day, e.kind) for e in a.events] == [(180, "budget_cut")] and cut.b_config.events == []
    assert a.policy.schedule == cut.b_config.policy.schedule  # both run the campaign from day 30
    loop = open_page("?lesson=loop", Settings())
    assert load_config(loop.settings.preset).population.groups["minority"].initial_trust_mean < (
        loop.b_config.population.groups["minority"].initial_trust_mean
    )


def test_a_bad_link_opens_the_start_up_set_up_and_says_why():
    from coprod_sim.dashboard.opening import open_page

    start = Settings(preset="misconduct_shock")
    for search, why in (("?lesson=nope", "no lesson 'nope'"), ("?setup=garbage!", "damaged")):
        opening = open_page(search, start)
        assert opening.settings is start and why in opening.problem


def test_ab_keeps_b_on_as_day_and_the_difference_is_the_action():
    from coprod_sim.dashboard import ab

    overrides = {k: v for k, v in (i.split("=") for i in SMALL)}
    a = DashboardModel(**Settings(overrides=SMALL, seed=2).initial_kwargs(), overrides=overrides)
    for _ in range(10):
        a.step()
    b = ab.keep_up(a, a.config, None)
    assert b.day == a.day == 10
    same = ab.difference(a.timeseries(), b.timeseries(), a.pop.group_names)
    assert (same.drop(columns="day").fillna(0) == 0).all().all()  # same set-up, same seed: no difference
    actions.trigger_misconduct(a, 0.4, ["minority"])
    for _ in range(5):
        a.step()
        b = ab.keep_up(a, a.config, b)
    diff = ab.difference(a.timeseries(), b.timeseries(), a.pop.group_names)
    assert diff["confident, minority (%)"].iloc[-1] < 0 and b.day == a.day
    assert "A minus B" in ab.summary_line(diff)
    assert ab.keep_up(DashboardModel(config=a.config, seed=2), a.config, b) is not b  # A was reset: B is rebuilt
