"""The dashboard page: `solara run coprod_sim/dashboard/app.py` (or `coprod-sim dashboard`).

Thin: start-up settings come from the environment (set by `coprod-sim dashboard`),
the model from `session`, the components from `views` and `controls`.
"""

import solara
from mesa.visualization import SolaraViz

from coprod_sim.dashboard.controls import ActionsPanel
from coprod_sim.dashboard.layout import use_dashboard_layout
from coprod_sim.dashboard.params import model_params
from coprod_sim.dashboard.session import DashboardModel, Settings, parse_overrides
from coprod_sim.dashboard.views import NetworkView, TimeSeriesView

SETTINGS = Settings.from_env()
INITIAL = SETTINGS.initial_kwargs()
PARAMS = model_params(SETTINGS, INITIAL)
COMPONENTS = [ActionsPanel, NetworkView, TimeSeriesView]
use_dashboard_layout()


def new_model() -> DashboardModel:
    return DashboardModel(**INITIAL, overrides=parse_overrides(SETTINGS.overrides))


@solara.component
def Page():
    # one model per browser session (not shared between tabs); Reset replaces it
    model = solara.use_memo(lambda: solara.reactive(new_model()), [])
    SolaraViz(
        model, components=COMPONENTS, model_params=PARAMS, name="Co-production of public safety", play_interval=150
    )
