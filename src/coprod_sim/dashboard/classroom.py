"""The class's panels (Solara components): save and load a set-up, a link to it, the
day's data and plots as downloads, the guided lessons; and the A/B comparison.

Both are made per page (`make_class_panel`, `make_ab_view`): they need the page's
router (a link or a loaded file opens a new set-up by changing the query string) and
the page's B set-up (a `solara.reactive`). The work is in `setup`, `lessons` and `ab`.
"""

from __future__ import annotations

import reacton.ipywidgets as rw
import solara
from mesa.visualization.utils import update_counter

from ..config import POLICY_NAMES, ConfigError, load_config, with_overrides
from . import ab, setup
from .actions import marks
from .lessons import LESSONS
from .network_view import draw_network
from .opening import Opening
from .plots import draw_timeseries
from .session import AS_SCENARIO, presets, resolve_preset
from .views import image, png

SAME_AS_A = "same as A"
NO_LESSON = "no lesson"
SMALL = {"font-size": "15px"}
HEADING = {"font-weight": "bold", "font-size": "17px", "margin-top": "6px"}


def make_class_panel(opening: Opening, router, b_config):
    lesson_titles = {lesson.title: name for name, lesson in LESSONS.items()}

    @solara.component
    def ClassPanel(model):
        update_counter.get()
        problem = solara.use_reactive(opening.problem)
        day = model.day

        def on_upload(files):
            if not files:
                return
            try:
                path = setup.store(bytes(files[0]["content"]).decode())
                router.push("/" + setup.query(load_config(path)))
            except (ConfigError, UnicodeDecodeError) as e:
                problem.value = f"{files[0]['name']}: {e}"

        def choose_lesson(title):
            if title in lesson_titles:
                router.push(f"/?{setup.LESSON}={lesson_titles[title]}")

        link = "/" + setup.query(setup.saved_config(model), b_config.value, opening.lesson and opening.lesson.name)
        with solara.Column(gap="6px", style={"padding": "6px 10px", **SMALL}):
            if problem.value:
                solara.Error(problem.value)
            if opening.lesson:
                solara.Text(opening.lesson.title, style=HEADING)
                with solara.Column(gap="2px", classes=["coprod-lesson"]):
                    for i, step in enumerate(opening.lesson.steps, 1):
                        solara.Text(f"{i}. {step}", style=SMALL)
            solara.Select(
                "Guided lesson",
                value=opening.lesson.title if opening.lesson else NO_LESSON,
                values=[NO_LESSON, *lesson_titles],
                on_value=choose_lesson,
                style={"max-width": "420px"},
            )
            solara.Text("This set-up", style=HEADING)
            with solara.Row(style={"flex-wrap": "wrap", "align-items": "center"}):
                solara.FileDownload(
                    lambda: setup.setup_toml(model),
                    filename=f"coprod_setup_day{day}.toml",
                    label="Save set-up (.toml)",
                )
                solara.Text("Load a set-up:", style=SMALL)
                _upload(on_upload)
            solara.HTML(
                tag="a",
                unsafe_innerHTML="Link to this set-up (opens it, actions included, from day 0)",
                attributes={"href": link, "id": "coprod-setup-link", "target": "_blank"},
            )
            solara.Text(
                "Saved files and links hold the scenario, the sidebar, the seed and each action on its day; "
                "`coprod-sim run FILE` reproduces the plots.",
                style={"color": "#555", "font-size": "13px"},
            )
            solara.Text(f"Downloads (day {day})", style=HEADING)
            ts = model.timeseries()
            with solara.Row(style={"flex-wrap": "wrap"}):
                solara.FileDownload(lambda: setup.daily_csv(ts), filename="daily.csv", label="Daily data (CSV)")
                solara.FileDownload(
                    lambda: setup.daily_parquet(ts), filename="daily.parquet", label="Daily data (Parquet)"
                )
                solara.FileDownload(
                    lambda: png(draw_timeseries(ts, marks(model), model.pop.group_names)),
                    filename=f"plots_day{day}.png",
                    label="Plots (PNG)",
                    mime_type="image/png",
                )
                solara.FileDownload(
                    lambda: png(draw_network(model)),
                    filename=f"network_day{day}.png",
                    label="Network (PNG)",
                    mime_type="image/png",
                )

    return ClassPanel


def _upload(on_upload):
    # ipywidgets' upload is a real <input type=file> (Solara's FileDrop takes drag and drop only)
    rw.FileUpload(accept=".toml", multiple=False, description="Load set-up", on_value=on_upload)


def make_ab_view(b_config):
    @solara.component
    def ABView(model):
        update_counter.get()
        b_preset = solara.use_reactive(SAME_AS_A)
        b_policy = solara.use_reactive(AS_SCENARIO)
        holder = solara.use_ref(None)

        def start():
            if b_preset.value == SAME_AS_A:
                cfg = model.config
            else:
                cfg = with_overrides(
                    load_config(resolve_preset(b_preset.value)[1]),
                    {"population.residents": model.config.population.residents,
                     "run.burn_in_days": model.config.run.burn_in_days},
                )  # fmt: skip
            if b_policy.value != AS_SCENARIO:
                cfg = with_overrides(cfg, {"policy.name": b_policy.value})
            holder.current = None
            b_config.value = cfg

        def stop():
            holder.current = None
            b_config.value = None

        with solara.Column(gap="6px", style={"padding": "6px 10px", **SMALL}):
            solara.Text("A/B: the same seed under two set-ups", style=HEADING)
            if b_config.value is None:
                solara.Text(
                    "A is the model above (the class's actions act on A). Choose B and press Start A/B: B runs "
                    "beside A on the same seed, and the plot shows A minus B as you play.",
                    style=SMALL,
                )
                with solara.Row(style={"flex-wrap": "wrap", "align-items": "center"}):
                    solara.Select("B: scenario", value=b_preset, values=[SAME_AS_A, *presets()])
                    solara.Select("B: policy", value=b_policy, values=[AS_SCENARIO, *POLICY_NAMES, "mix", "split"])
                    solara.Button("Start A/B", on_click=start, color="primary")
                return
            b = ab.keep_up(model, b_config.value, holder.current)
            holder.current = b
            diff = ab.difference(model.timeseries(), b.timeseries(), model.pop.group_names)
            figure = png(ab.draw_difference(diff, marks(model)))
            solara.Text(
                f"B: policy {b.policy_config.name.replace('_', '-')}, {len(b.officer_list)} officers "
                f"(A: {model.policy_config.name.replace('_', '-')}, {len(model.officer_list)}).",
                style=SMALL,
            )
            solara.Text(ab.summary_line(diff), classes=["coprod-ab-summary"], style=SMALL)
            image(figure, max_width="1000px")
            with solara.Row():
                solara.FileDownload(figure, filename=f"a_minus_b_day{model.day}.png", label="A/B plot (PNG)",
                                    mime_type="image/png")  # fmt: skip
                solara.Button("Stop A/B", on_click=stop)

    return ABView
