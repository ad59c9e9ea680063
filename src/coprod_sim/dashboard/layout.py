"""Where the three components sit on Mesa's draggable grid (12 columns, 40 px rows).

Mesa 3.5.1's SolaraViz gives every component a half-width, 390 px cell, too
small for a class to read a network and six plots. SolaraViz takes no layout
argument, so `use_dashboard_layout()` replaces its initial-layout function
(`mesa.visualization.solara_viz.make_initial_grid_layout`, looked up at each
page build): caption and buttons beside the network, the plots full width below, then
the class's panel beside the A/B comparison.
The cells stay draggable and resizable. Checked by the browser test; re-check
when upgrading Mesa.
"""

from __future__ import annotations

import mesa.visualization.solara_viz as solara_viz

_original = solara_viz.make_initial_grid_layout

# (x, y, w, h) for: the caption and buttons, the network, the plots; below them the class's
# panel (lesson, save, load, link, downloads) and the A/B comparison
CELLS = [(0, 0, 5, 17), (5, 0, 7, 17), (0, 17, 12, 19), (0, 36, 5, 17), (5, 36, 7, 17)]


def dashboard_grid_layout(num_components: int) -> list[dict]:
    if num_components != len(CELLS):
        return _original(num_components)
    return [{"i": i, "x": x, "y": y, "w": w, "h": h, "moved": False} for i, (x, y, w, h) in enumerate(CELLS)]


def use_dashboard_layout() -> None:
    solara_viz.make_initial_grid_layout = dashboard_grid_layout
