"""The three lessons of docs/training.md as guided presets: each opens the set-up its
lesson needs (A, and B for the A/B comparison: the plots show A minus B) and shows the
steps to take and what to ask. The figures the lessons quote are in docs/training.md."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..config import Config
from .session import build_config, resolve_preset


@dataclass(frozen=True)
class Lesson:
    name: str  # the link's `lesson=` value
    title: str
    a_preset: str
    b_preset: str
    steps: tuple[str, ...]
    a_changes: dict = field(default_factory=dict)
    b_changes: dict = field(default_factory=dict)

    def configs(self) -> tuple[Config, Config]:
        """A's and B's set-ups (the dashboard's city size, the lesson's presets and changes)."""
        return (
            build_config(resolve_preset(self.a_preset)[1], self.a_changes),
            build_config(resolve_preset(self.b_preset)[1], self.b_changes),
        )


DOOR_TO_DOOR_DAY_30 = {"policy.schedule": [{"day": 30, "name": "door_to_door"}]}

LESSONS = {
    lesson.name: lesson
    for lesson in (
        Lesson(
            "loop",
            "Lesson 1: the co-production loop",
            a_preset="low_trust_city",
            b_preset="baseline",
            steps=(
                "A is the low-trust city, B the baseline city: the same officers, hours and patrol; only the "
                "residents' trust differs. The A/B plot shows A minus B.",
                "Set Render Interval to 11 and press ▶; pause near day 365.",
                "Read the A/B plot: less reporting, less participation, lower efficacy and more crime in A, with the "
                "same police effort. Ask: which arrow of the loop would you change first?",
                "Optional: at day 180 press 'Start door-to-door campaign' (it acts on A only) and play on to day "
                "365: trust rises slowly; crime does not fall in that half-year.",
            ),
        ),
        Lesson(
            "misconduct",
            "Lesson 2: a misconduct shock and slow recovery",
            a_preset="baseline",
            b_preset="baseline",
            steps=(
                "A and B are the same city on the same seed; the class acts on A only, so the A/B plot (A minus B) "
                "shows what the action did.",
                "Render Interval 11, press ▶, pause at about day 60.",
                "Who hears of it: minority; Salience: 0.40; press 'Misconduct incident'.",
                "Render Interval 1, press Step once: the minority's confidence falls overnight in A; the majority's "
                "falls a little, second-hand.",
                "Render Interval 11, ▶ to day 365: recovery is slow and incomplete. Ask: why could a force miss the "
                "damage in its own statistics (the reporting line hardly moves)?",
            ),
        ),
        Lesson(
            "budget_cut",
            "Lesson 3: engagement under a budget cut",
            a_preset="baseline",
            b_preset="baseline",
            a_changes={**DOOR_TO_DOOR_DAY_30, "events": [{"day": 180, "kind": "budget_cut", "fraction": 0.25}]},
            b_changes=DOOR_TO_DOOR_DAY_30,
            steps=(
                "Both A and B start a door-to-door campaign on day 30; A loses 25% of its officers on day 180, B "
                "does not. The A/B plot shows A minus B.",
                "Render Interval 11, ▶ to day 180: A and B are the same so far (the difference is zero).",
                "Play on to day 365: response hours stay (calls come first); patrol and door-to-door shrink with "
                "the force; crime is somewhat higher in A, and the trust built so far holds but stops growing.",
                "Ask: if the budget falls, which hours would you protect: patrol, engagement, or neither?",
            ),
        ),
    )
}
