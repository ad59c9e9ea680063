"""What a page opens with: the start-up settings (`coprod-sim dashboard --config ...`),
or the set-up, A/B comparison and lesson its link names (`setup`)."""

from __future__ import annotations

from dataclasses import dataclass

from ..config import Config, ConfigError, load_config
from . import setup
from .lessons import LESSONS, Lesson
from .params import model_params
from .session import DashboardModel, Settings, parse_overrides


@dataclass
class Opening:
    settings: Settings
    b_config: Config | None = None
    lesson: Lesson | None = None
    problem: str = ""  # a link that could not be opened: why (the page opens the start-up set-up instead)

    def initial(self) -> dict:
        return self.settings.initial_kwargs()

    def params(self) -> dict:
        return model_params(self.settings, self.initial())

    def new_model(self) -> DashboardModel:
        return DashboardModel(**self.initial(), overrides=parse_overrides(self.settings.overrides))


def open_page(search: str | None, startup: Settings) -> Opening:
    params = setup.parse_query(search or "")
    try:
        lesson = LESSONS.get(params[setup.LESSON]) if setup.LESSON in params else None
        if setup.LESSON in params and lesson is None:
            raise ConfigError(f"no lesson {params[setup.LESSON]!r}; lessons: {', '.join(LESSONS)}")
        a_config, b_config = lesson.configs() if lesson else (None, None)
        a_path = setup.store_config(a_config) if a_config is not None else None
        if setup.SETUP in params:
            a_path = setup.store(setup.decode(params[setup.SETUP]))
        if setup.B_SETUP in params:
            b_config = load_config(setup.store(setup.decode(params[setup.B_SETUP])))
        settings = startup if a_path is None else Settings(preset=str(a_path), seed=load_config(a_path).run.seed)
        settings.initial_kwargs()  # a set-up the dashboard cannot build fails here, with the config's message
    except (ConfigError, ValueError) as e:
        return Opening(startup, problem=f"This link could not be opened: {e}. Showing the start-up set-up.")
    return Opening(settings, b_config, lesson)
