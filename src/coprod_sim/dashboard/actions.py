"""What the dashboard's mid-run buttons do, through the model's public API only,
and the (day, label) marks drawn on the plots.

Each action happens "at the start of day `model.day`" (the next day to run),
exactly as a scenario event or schedule entry for that day would: the
misconduct and budget-cut buttons build the same event objects a scenario file
does and pass them to `events.apply_event`; the door-to-door buttons apply a
`ScheduleEntry` to the model's policy, as `[[policy.schedule]]` does.
"""

from __future__ import annotations

from ..config import BudgetCutEvent, Config, MisconductEvent, ScheduleEntry
from ..events import apply_event

Mark = tuple[int, str]

# The button's incident is the misconduct_shock preset's, with the salience from
# the slider: 70% of the residents it concerns hear of it directly, and 30% of
# the trust they lose also lowers their anchors (a lasting scar, so recovery is slow).
MISCONDUCT_REACH = 0.7
MISCONDUCT_ANCHOR_SHARE = 0.3
DOOR_TO_DOOR = "door_to_door"


def _record(model, label: str, entry) -> None:
    """Mark the action on the plots, and keep it as the scenario entry it equals (for a saved set-up)."""
    model.actions.append((int(model.day), label))
    if hasattr(model, "action_entries"):
        model.action_entries.append(entry)


def misconduct_event(model, salience: float, groups: list[str] | None = None) -> MisconductEvent:
    """The incident the button triggers today (the same object a scenario file gives)."""
    return MisconductEvent(
        day=model.day,
        salience=salience,
        groups=list(groups or []),
        neighbourhoods=[],
        reach=MISCONDUCT_REACH,
        anchor_share=MISCONDUCT_ANCHOR_SHARE,
    )


def trigger_misconduct(model, salience: float = 0.3, groups: list[str] | None = None) -> MisconductEvent:
    """A publicized misconduct incident today; `groups` hear of it (empty: everyone)."""
    event = misconduct_event(model, salience, groups)
    apply_event(model, event)
    who = f", {'/'.join(event.groups)}" if event.groups else ""
    _record(model, f"misconduct incident ({event.salience:.2f}{who})", event)
    return event


def campaign_running(model) -> bool:
    return model.policy_config.name == DOOR_TO_DOOR


def start_door_to_door(model) -> None:
    """From today, officers' discretionary hours go to door-to-door visits."""
    if campaign_running(model):
        return
    model.policy_before_campaign = model.policy_config.name
    entry = ScheduleEntry(day=model.day, name=DOOR_TO_DOOR)
    model.policy_config = model.policy_config.at(entry)
    _record(model, "start of door-to-door", entry)


def stop_door_to_door(model) -> None:
    """From today, back to the policy that ran before the campaign (reactive if none)."""
    if not campaign_running(model):
        return
    before = getattr(model, "policy_before_campaign", None) or "reactive"
    entry = ScheduleEntry(day=model.day, name=before)
    model.policy_config = model.policy_config.at(entry)
    _record(model, "end of door-to-door", entry)


def cut_budget(model, fraction: float = 0.2) -> BudgetCutEvent:
    """A share of officers leaves today (the scenario event `budget_cut`)."""
    event = BudgetCutEvent(day=model.day, fraction=fraction)
    apply_event(model, event)
    _record(model, f"{event.fraction:.0%} budget cut", event)
    return event


def _policy_label(name: str | None) -> str:
    return (name or "").replace("_", "-").replace("procedural-justice-training", "procedural-justice training")


def scenario_marks(config: Config) -> list[Mark]:
    """(day, label) of the scenario's own events and policy switches."""
    marks: list[Mark] = []
    for ev in config.events:
        if ev.kind == "misconduct":
            marks.append((ev.day, "misconduct incident"))
        elif ev.kind == "budget_cut":
            marks.append((ev.day, f"{ev.fraction:.0%} budget cut"))
        elif ev.kind == "turnover":
            marks.append((ev.day, "turnover wave"))
        elif ev.kind == "crime_surge":
            marks.append((ev.day, "start of crime surge"))
            marks.append((ev.day + ev.duration_days, "end of crime surge"))
        else:
            marks.append((ev.day, ev.kind.replace("_", " ")))
    for entry in config.policy.schedule:
        if entry.name:
            marks.append((entry.day, f"switch to {_policy_label(entry.name)}"))
    return marks


def marks(model) -> list[Mark]:
    """Everything to mark on the plots so far: the scenario's events that have
    happened, and the class's actions (including one just made for today)."""
    done = [(d, label) for d, label in scenario_marks(model.config) if d < model.day]
    return sorted(done + list(getattr(model, "actions", [])), key=lambda m: m[0])
