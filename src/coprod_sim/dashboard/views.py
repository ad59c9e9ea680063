"""The page's two figures as Solara components (drawing lives in network_view and plots).

Each figure is redrawn only when the model's day, officers or marks change,
not on every render; both are PNG images (matplotlib Figures, no pyplot:
Play steps the model from a background thread).
"""

from __future__ import annotations

import io

import reacton.ipywidgets as rw
import solara
from matplotlib.figure import Figure
from mesa.visualization.utils import update_counter

from .actions import marks
from .network_view import draw_network
from .plots import draw_timeseries


def png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def image(data: bytes, max_width: str):
    return rw.Image(value=data, format="png", layout={"width": "100%", "max_width": max_width})


def _state_key(model) -> list:
    return [id(model), model.day, len(model.officer_list), len(getattr(model, "actions", [])), model.policy_config.name]


@solara.component
def NetworkView(model):
    update_counter.get()
    picture = solara.use_memo(lambda: png(draw_network(model)), _state_key(model))
    image(picture, max_width="720px")  # at most ~670 px high: fits its grid cell


@solara.component
def TimeSeriesView(model):
    update_counter.get()
    picture = solara.use_memo(
        lambda: png(draw_timeseries(model.timeseries(), marks(model), model.pop.group_names)), _state_key(model)
    )
    image(picture, max_width="1300px")  # at most ~750 px high
