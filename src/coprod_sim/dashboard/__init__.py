"""The interactive dashboard (Mesa's SolaraViz): `coprod-sim dashboard`.

Modules, one concern each (no model logic here: only the package's public API):

- `session`: the dashboard's model factory (`DashboardModel`), scenario presets,
  start-up settings passed from the command line;
- `actions`: what the mid-run buttons do (misconduct, door-to-door, budget cut)
  and the (day, label) marks drawn on the plots;
- `caption`: the plain-language caption, a pure function of the daily series;
- `network_view`, `plots`: the two figures (matplotlib, no Solara);
- `views` (the figures as components), `controls` (caption and action buttons),
  `layout` (where they sit on Mesa's grid): the page's components;
- `params`: the sidebar's model parameters;
- `setup`: a set-up (with its mid-run actions) as a config file and as a link;
  the daily data as CSV and Parquet;
- `lessons`: the three lessons of docs/training.md as guided presets;
- `ab`: A/B mode, a second set-up on the same seed and the A minus B plot;
- `opening`: what a page opens with (start-up settings, or a link's set-up);
- `classroom`: the class's panel (lesson, save, load, link, downloads) and the
  A/B panel, as components;
- `app`: the Solara page (thin); `cli` and `server`: the `dashboard` subcommand.

Importing this package does not import Solara: the model-side modules work
without the optional `dashboard` extra.
"""
