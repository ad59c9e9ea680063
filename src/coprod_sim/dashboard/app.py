"""The dashboard page: `solara run coprod_sim/dashboard/app.py` (or `coprod-sim dashboard`).

Thin: start-up settings come from the environment (set by `coprod-sim dashboard`), a
link's set-up, A/B comparison and lesson from the query string (`opening`), the model
from `session`, the components from `views`, `controls` and `classroom`.
"""

import solara
from mesa.visualization import SolaraViz

from coprod_sim.dashboard.classroom import make_ab_view, make_class_panel
from coprod_sim.dashboard.controls import ActionsPanel
from coprod_sim.dashboard.layout import use_dashboard_layout
from coprod_sim.dashboard.opening import open_page
from coprod_sim.dashboard.session import Settings
from coprod_sim.dashboard.views import NetworkView, TimeSeriesView

SETTINGS = Settings.from_env()
use_dashboard_layout()


@solara.component
def Page():
    router = solara.use_router()
    search = router.search or ""
    opening = solara.use_memo(lambda: open_page(search, SETTINGS), [search])
    # one model per browser session (not shared between tabs); Reset replaces it
    model = solara.use_memo(lambda: solara.reactive(opening.new_model()), [search])
    b_config = solara.use_memo(lambda: solara.reactive(opening.b_config), [search])
    components = solara.use_memo(
        lambda: [
            ActionsPanel,
            NetworkView,
            TimeSeriesView,
            make_class_panel(opening, router, b_config),
            make_ab_view(b_config),
        ],
        [search],
    )
    params = solara.use_memo(opening.params, [search])
    SolaraViz(
        model, components=components, model_params=params, name="Co-production of public safety", play_interval=150
    )
