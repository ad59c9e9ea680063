"""The dashboard without a browser: model factory, presets, actions, caption, views, CLI."""

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("solara", reason="the dashboard extra is not installed (make test installs it)")

import ipyvuetify as v  # noqa: E402
import ipywidgets  # noqa: E402
import solara  # noqa: E402

from coprod_sim.cli import main  # noqa: E402
from coprod_sim.config import BudgetCutEvent, MisconductEvent, load_config  # noqa: E402
from coprod_sim.dashboard import actions, server  # noqa: E402
from coprod_sim.dashboard.caption import caption  # noqa: E402
from coprod_sim.dashboard.network_view import draw_network, network_sample  # noqa: E402
from coprod_sim.dashboard.plots import draw_timeseries  # noqa: E402
from coprod_sim.dashboard.session import AS_SCENARIO, DashboardModel, Settings, build_config, presets, resolve_preset  # noqa: E402
from coprod_sim.events import apply_event  # noqa: E402

SMALL = {"population.residents": 1500, "population.neighbourhoods": 5, "run.burn_in_days": 20}


def small(**extra):
    return DashboardModel(config=load_config(overrides={**SMALL, **extra}), seed=3)


def run(model, days):
    for _ in range(days):
        model.step()
    return model


# --------------------------------------------------------------------------- app and components
def test_app_builds_its_page_and_components():
    from coprod_sim.dashboard import app
    from coprod_sim.dashboard.controls import ActionsPanel
    from coprod_sim.dashboard.opening import open_page

    params = open_page("", app.SETTINGS).params()
    assert callable(app.Page) and set(params) - {"overrides"} <= set(DashboardModel.__init__.__code__.co_varnames)
    box, rc = solara.render(app.Page(), handle_error=False)
    assert len(rc.find(ipywidgets.Image).widgets) == 2  # network and plots (A/B is off)
    rc.find(v.Btn, children=["Misconduct incident"]).assert_single()
    rc.find(v.Btn, children=["Start A/B"]).assert_single()
    rc.find(ipywidgets.FileUpload).assert_single()
    rc.close()

    model = run(small(), 3)
    box, rc = solara.render(ActionsPanel(model), handle_error=False)
    before = model.trust.copy()
    rc.find(v.Btn, children=["Misconduct incident"]).widget.click()
    assert model.actions == [(3, "misconduct incident (0.30)")] and (model.trust < before).any()
    rc.find(v.Btn, children=["Start door-to-door campaign"]).widget.click()
    assert model.policy_config.name == "door_to_door"
    rc.find(v.Btn, children=["Stop door-to-door campaign"]).wait_for().widget.click()
    assert model.policy_config.name == "reactive"
    rc.close()


def test_model_day_is_mesa_time():
    model = small()
    assert model.day == 0 and model.time == 0
    run(model, 4)
    assert model.day == model.time == 4 and model.timeseries()["day"].tolist() == [0, 1, 2, 3]


# --------------------------------------------------------------------------- presets
@pytest.mark.parametrize("name", list(presets()))
def test_every_preset_loads_into_the_factory(name):
    model = DashboardModel(preset=name, residents=1000, seed=1)
    assert model.preset == name and model.pop.n == 1000 and model.day == 0
    run(model, 3)
    assert len(model.timeseries()) == 3


def test_presets_cover_the_scenario_folder_and_files_by_path(tmp_path):
    names = set(presets())
    assert {"baseline", "misconduct_shock", "budget_cut", "door_to_door_campaign"} <= names
    f = tmp_path / "mine.toml"
    f.write_text('[population]\nresidents = 3000\n[policy]\nname = "hot_spots"\n')
    assert resolve_preset(str(f)) == (str(f), f)
    kwargs = Settings(preset=str(f), overrides=["trust.vicarious_fraction=0.5"]).initial_kwargs()
    assert kwargs["residents"] == 3000 and kwargs["vicarious_fraction"] == 0.5  # the sidebar starts from the file
    config = build_config(f)
    assert (
        config.population.residents == 3000
        and config.population.neighbourhoods == 20
        and config.run.burn_in_days == 120
        and config.policy.name == "hot_spots"
    )
    assert build_config(None, controls={"officers_per_1000": 3.0}, policy="mix").policy.mix  # a mix, with shares
    assert build_config(f, policy=AS_SCENARIO).policy.name == "hot_spots"
    with pytest.raises(ValueError, match="no scenario preset"):
        resolve_preset("no_such_scenario")


# --------------------------------------------------------------------------- actions = scenario events
def test_incident_button_equals_the_scenario_event():
    a, b = run(small(), 6), run(small(), 6)
    actions.trigger_misconduct(a, 0.4, ["minority"])
    apply_event(
        b,
        MisconductEvent(
            day=b.day,
            salience=0.4,
            groups=["minority"],
            neighbourhoods=[],
            reach=actions.MISCONDUCT_REACH,
            anchor_share=actions.MISCONDUCT_ANCHOR_SHARE,
        ),
    )
    np.testing.assert_array_equal(a.trust, b.trust)
    np.testing.assert_array_equal(a.anchor, b.anchor)
    # and the same as the event given in a scenario file for that day, through the following days
    c = small(
        events=[
            {"day": 6, "kind": "misconduct", "salience": 0.4, "groups": ["minority"], "reach": 0.7, "anchor_share": 0.3}
        ]
    )
    run(a, 10), run(c, 16)
    np.testing.assert_array_equal(a.trust, c.trust)
    pd.testing.assert_frame_equal(a.timeseries(), c.timeseries())
    assert actions.marks(a) == [(6, "misconduct incident (0.40, minority)")]
    assert actions.marks(c) == [(6, "misconduct incident")]


def test_campaign_and_budget_buttons_equal_the_scenario_schedule_and_event():
    a = run(small(), 5)
    actions.start_door_to_door(a)
    run(a, 5)
    actions.stop_door_to_door(a)
    assert actions.cut_budget(a, 0.25) == BudgetCutEvent(day=10, fraction=0.25)
    run(a, 5)
    b = small(
        **{"policy.schedule": [{"day": 5, "name": "door_to_door"}, {"day": 10, "name": "reactive"}]},
        events=[{"day": 10, "kind": "budget_cut", "fraction": 0.25}],
    )
    run(b, 15)
    pd.testing.assert_frame_equal(a.timeseries(), b.timeseries())
    assert [label for _, label in actions.marks(a)] == [
        "start of door-to-door",
        "end of door-to-door",
        "25% budget cut",
    ]
    assert len(a.officer_list) == len(b.officer_list) < 3


# --------------------------------------------------------------------------- caption
def series(days, trust, crimes, reported, start=0):
    n = len(trust)
    return pd.DataFrame(
        {
            "day": np.arange(start, start + n),
            "crimes": crimes,
            "crimes_reported": reported,
            "mean_trust": trust,
            "mean_trust_majority": np.asarray(trust) + 0.1,
            "mean_trust_minority": np.asarray(trust) - 0.1,
            "participation_rate": np.full(n, 0.25),
            "collective_efficacy": np.full(n, 0.4),
        }
    )


def test_caption_on_hand_made_series():
    empty = series(0, [], [], [])
    assert "press Step" in caption(empty).replace("Press", "press")
    assert "press Step" in caption(empty, [(0, "misconduct incident")])

    n = 150
    trust = np.where(np.arange(n) < 90, 0.5, 0.4)
    crimes = np.full(n, 10)
    reported = np.where(np.arange(n) < 90, 4, 3)
    text = caption(series(n, trust, crimes, reported), [(90, "misconduct incident")])
    assert text.startswith("Trust has fallen 20% since the misconduct incident on day 90 (0.50 → 0.40")
    assert "reporting has fallen 25% (40% → 30% of crimes reported)" in text
    assert "crime has" not in text  # crime did not change

    flat = series(n, np.full(n, 0.5), crimes, np.full(n, 4))
    assert caption(flat, [(90, "20% budget cut")]).startswith(
        "No clear change yet since the 20% budget cut on day 90 (60 days ago)"
    )
    assert caption(flat, [(160, "start of door-to-door")]).startswith("The start of door-to-door happens on day 160")
    summary = caption(flat)
    assert summary.startswith("Day 149: mean trust 0.50 (majority 0.60, minority 0.40), 40% of crimes reported")
    assert caption(flat, groups=["majority"]).startswith("Day 149: mean trust 0.50, 40%")  # one group: no breakdown

    # a few crimes a day: chance ups and downs are not reported as changes
    rng = np.random.default_rng(1)
    noisy_crimes = rng.poisson(1.5, n)
    noisy = series(n, np.full(n, 0.5), noisy_crimes, rng.binomial(noisy_crimes, 0.4))
    assert caption(noisy, [(120, "misconduct incident")]).startswith("No clear change yet")


# --------------------------------------------------------------------------- views
def test_network_view_samples_large_models_and_lays_out_once():
    model = DashboardModel(
        config=load_config(
            overrides={"population.residents": 30_000, "population.neighbourhoods": 12, "run.burn_in_days": 0}
        )
    )
    sample = network_sample(model)
    assert len(sample.residents) <= 600 and len(sample.neighbourhoods) == 4
    assert sample.note.startswith("Sample: 4 of 12 neighbourhoods")
    run(model, 2)
    assert network_sample(model) is sample  # computed once per model
    fig = draw_network(model)
    assert sample.note in fig.axes[0].get_title()

    smallest = DashboardModel(
        config=load_config(
            overrides={"population.residents": 200, "population.neighbourhoods": 2, "run.burn_in_days": 0}
        )
    )
    assert network_sample(smallest).note.startswith("All 200 residents")


def test_plots_mark_each_action():
    model = run(small(), 5)
    actions.trigger_misconduct(model, 0.3)
    run(model, 5)
    fig = draw_timeseries(model.timeseries(), actions.marks(model), model.pop.group_names)
    assert len(fig.axes) == 6
    for ax in fig.axes:
        assert any(list(line.get_xdata()) == [5, 5] for line in ax.get_lines())
    assert any("misconduct incident" in t.get_text() for t in fig.axes[0].texts)


# --------------------------------------------------------------------------- command line and offline set-up
def test_cli_binds_localhost_and_warns_for_other_hosts(monkeypatch, capsys):
    calls = []
    monkeypatch.setattr(server.os, "execve", lambda path, argv, env: calls.append((argv, env)))
    monkeypatch.setattr(server, "port_free", lambda host, port: True)
    assert (
        main(["dashboard", "--port", "8799", "--config", "misconduct_shock", "--set", "trust.vicarious_fraction=0.4"])
        == 0
    )
    out, err = capsys.readouterr()
    assert "http://127.0.0.1:8799/" in out and "no login" not in err
    argv, env = calls[-1]
    assert argv[argv.index("--host") + 1] == "127.0.0.1" and "--production" in argv and "--no-check-version" in argv
    assert env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "False" and env["COPROD_DASHBOARD_CONFIG"] == "misconduct_shock"
    assert Settings.from_env(env).overrides == ["trust.vicarious_fraction=0.4"]

    assert main(["dashboard", "--host", "0.0.0.0"]) == 0
    out, err = capsys.readouterr()
    assert "no login" in err and "http://0.0.0.0:8765/" in out
    assert main(["dashboard", "--config", "nowhere.toml"]) == 2
    assert "no scenario preset or config file" in capsys.readouterr().err


def test_offline_assets_are_installed():
    """The `dashboard` extra fills Solara's CDN cache and pins Vue 2 widgets (else the page is blank offline)."""
    assert server.setup_problems() == []


def test_the_sidebar_moves_a_budget_split():
    from coprod_sim.dashboard.session import POLICY_CHOICES, DashboardModel

    assert "split" in POLICY_CHOICES
    m = DashboardModel(policy="split", split_share=0.8, residents=2000)
    m.run(5)
    ts = m.timeseries()
    d2d, hot = ts["allocated_hours_door_to_door"].sum(), ts["allocated_hours_hot_spots"].sum()
    assert d2d / (d2d + hot) == pytest.approx(0.8, abs=0.02)
