"""The caption and the buttons that act mid-run (a Solara component).

The buttons call the functions in `actions` (which use the model's public API),
then `force_update()` so that the plots, the network and the caption redraw.
"""

from __future__ import annotations

import solara
from mesa.visualization.utils import force_update, update_counter

from . import actions
from .caption import caption

EVERYONE = "everyone"


@solara.component
def ActionsPanel(model):
    update_counter.get()
    salience = solara.use_reactive(0.3)
    who = solara.use_reactive(EVERYONE)
    cut = solara.use_reactive(0.2)
    groups = list(model.pop.group_names)

    def incident():
        actions.trigger_misconduct(model, salience.value, [] if who.value == EVERYONE else [who.value])
        force_update()

    def campaign():
        if actions.campaign_running(model):
            actions.stop_door_to_door(model)
        else:
            actions.start_door_to_door(model)
        force_update()

    def budget():
        actions.cut_budget(model, cut.value)
        force_update()

    text = caption(model.timeseries(), actions.marks(model), groups)
    with solara.Column(gap="10px", style={"padding": "6px 10px", "font-size": "16px"}):
        solara.Text("What is happening", style={"font-weight": "bold", "font-size": "18px"})
        solara.Text(text, classes=["coprod-caption"], style={"font-size": "17px", "line-height": "1.4"})
        policy = model.policy_config.name.replace("_", "-")
        solara.Text(
            f"Policy now: {policy}; {len(model.officer_list)} officers; {model.pop.n:,} residents. "
            "Sidebar changes take effect on Reset.",
            style={"color": "#555"},
        )
        solara.Text(
            "Act today (each action is marked on the plots)",
            style={"font-weight": "bold", "font-size": "18px", "margin-top": "8px"},
        )
        with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
            solara.Button("Misconduct incident", on_click=incident, color="error")
            solara.Select("Who hears of it", value=who, values=[EVERYONE, *groups], style={"max-width": "160px"})
        solara.SliderFloat("Salience", value=salience, min=0.05, max=0.8, step=0.05)
        solara.Text(
            "(the share of their trust lost by residents who hear of the incident directly)",
            style={"color": "#555", "font-size": "14px"},
        )
        solara.Button(
            "Stop door-to-door campaign" if actions.campaign_running(model) else "Start door-to-door campaign",
            on_click=campaign,
            color="success",
        )
        with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
            solara.Button("Cut the budget", on_click=budget, color="warning")
            solara.SliderFloat("Share of officers cut", value=cut, min=0.05, max=0.5, step=0.05)
