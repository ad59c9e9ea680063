"""Render report.html from the comparison (Jinja2 template, figures as base64)."""

from __future__ import annotations

import base64
import datetime as dt
from pathlib import Path

import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape

from .. import __version__
from .. import metric_registry as reg
from .headline import has_posterior, headline_table, lead_sentences, strategy_sentence
from .numbers import level, plain
from .summary import benefit_sentences, fmt_change, group_sentences, is_clear, policy_sentences

OVER_TIME_FIGURE = "effects_over_time"  # shown beside the first screen, not with the other figures


def _env() -> Environment:
    env = Environment(loader=PackageLoader("coprod_sim.report", "templates"), autoescape=select_autoescape(["html"]))
    env.filters["num"] = plain
    return env


def _img(path: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(Path(path).read_bytes()).decode()


def _rows(table: pd.DataFrame, policy: str, period: str) -> list[dict]:
    t = table[
        (table["policy"] == policy)
        & (table["period"] == period)
        & table["group"].isna()
        & table["neighbourhood"].isna()
    ].set_index("metric")
    rows = []
    for m in reg.shown_in(reg.REPORT_TABLE):
        if m not in t.index:
            continue
        r, display = t.loc[m], reg.metric(m).display
        change, interval = fmt_change(r, display)
        rows.append(
            {
                "metric": m,
                "label": _capital(reg.metric(m).label),
                "baseline": level(r["baseline_mean"], display),
                "policy": level(r["policy_mean"], display),
                "change": change,
                "interval": interval.replace("95% interval ", ""),
                "clear": is_clear(r),
            }
        )
    return rows


def _group_rows(table: pd.DataFrame, policy: str) -> list[dict]:
    t = table[(table["policy"] == policy) & (table["period"] == "all") & table["group"].notna()]
    out = []
    for _, r in t.iterrows():
        display = reg.metric(r["metric"]).display
        change, interval = fmt_change(r, display)
        out.append(
            {
                "group": r["group"],
                "metric": r["metric"],
                "label": _capital(reg.metric(r["metric"]).label),
                "baseline": level(r["baseline_mean"], display),
                "policy": level(r["policy_mean"], display),
                "change": change,
                "interval": interval.replace("95% interval ", ""),
                "clear": is_clear(r),
            }
        )
    return out


def _split_rows(table: pd.DataFrame, policy: str) -> list[dict]:
    t = table[
        (table["policy"] == policy) & (table["period"] == "all") & table["group"].isna() & table["neighbourhood"].isna()
    ]
    splits = reg.split_columns()
    t = t[t["metric"].isin(list(splits))]
    out = []
    for _, r in t.iterrows():
        metric, side = splits[r["metric"]]
        change, interval = fmt_change(r, metric.display)
        out.append(
            {
                "metric": r["metric"],
                "label": f"{_capital(metric.label)} ({side.replace('_', '-')})",
                "baseline": level(r["baseline_mean"], metric.display),
                "policy": level(r["policy_mean"], metric.display),
                "change": change,
                "interval": interval.replace("95% interval ", ""),
                "clear": is_clear(r),
            }
        )
    return out


def _hours(results: dict) -> list[dict]:
    out = []
    for name, runs in results.items():
        ts = pd.concat([r.timeseries for r in runs])
        columns = reg.activity_columns(ts.columns)
        means = ts[list(columns.values())].mean()
        used = {a: h for a, h in zip(columns, means.tolist(), strict=True) if h > 0}
        allocated = {a: float(ts[c].mean()) for a, c in reg.allocated_columns(ts.columns).items() if a in used}
        out.append({"policy": name, "hours": used, "allocated": allocated, "total": float(means.sum())})
    return out


def _smallest_text(o, overrides: dict[str, float]) -> str:
    x = reg.smallest_effect(o.effect_key, overrides)
    if x is None:
        return ""
    return f"{100 * x:g}%" if o.display == reg.PCT else f"{100 * x:g} pp"


def _smallest_legend(cols, overrides: dict[str, float]) -> dict[str, str]:
    """One entry per smallest effect, named by the first outcome it applies to (not each group's)."""
    out: dict[str, str] = {}
    for o in cols:
        if o.effect_key not in out and (text := _smallest_text(o, overrides)):
            out[o.effect_key] = f"{o.phrase} {text}"
    return out


def _capital(label: str) -> str:
    return label[0].upper() + label[1:]


def _assumptions(config) -> list[str]:
    t, c, r, p = config.trust, config.crime, config.reporting, config.policing
    asymmetry = t.negative_contact_effect / max(t.positive_contact_effect, 1e-12)
    return [
        f"{config.population.residents:,} residents in {config.population.neighbourhoods} neighbourhoods; "
        f"{config.population.officers_per_1000} officers per 1,000 residents, {p.on_duty_fraction:.0%} on duty at a "
        "time.",
        f"A bad police contact lowers trust by {t.negative_contact_effect:.0%} of its level, a good routine contact "
        f"raises it by {t.positive_contact_effect:.1%} of the distance to full trust (bad contacts weigh "
        f"{asymmetry:.1f}x more, Skogan 2006); a designed, non-enforcement contact (door-to-door, meetings) raises it "
        f"by {t.designed_contact_effect:.0%} of that distance (Peyton et al. 2019).",
        f"Experiences are talked about: each friend or neighbour hears of one with a chance of "
        f"{t.talk_probability:.0%}, and it then counts {t.vicarious_fraction:.0%} as much as one's own. Trust moves "
        f"fast around a slow anchor that drifts over years ({t.anchor_drift_years:g}-year time constant).",
        f"Victims report with a probability that rises with seriousness and trust (trust coefficient {r.trust_coef} "
        "on the logit scale); most non-reporting is not about distrust (calibration C3).",
        f"Offending falls with visible police presence (elasticity {c.presence_elasticity}; it scales with officer "
        "numbers, and time off the street lowers it) and with the certainty of being caught, cleared crimes / all "
        f"crimes (elasticity {c.certainty_elasticity}): more reporting and more information mean more clearances "
        "and so more deterrence.",
        f"Calls for service ({p.other_calls_per_1000_per_year:g} a year per 1,000 residents besides crime reports) "
        "take officer time first; the busier officers are, the lower the quality of response and investigation.",
        "Clearance needs both police effort and residents' information (a Cobb-Douglas product).",
        "All strategies spend the same officer-hours: hours for engagement come out of random patrol; what deters is "
        "visible presence, which engagement keeps in part (by each activity's visibility), and directed patrol at "
        "the places it covers.",
        "Hot-spot policing targets the places with the most recorded crime, not true crime.",
    ]


def write_report(
    path: Path,
    table: pd.DataFrame,
    results: dict,
    configs: dict,
    figures: list[Path],
    *,
    command: str,
    posterior: dict | None = None,
) -> Path:
    names = list(results)
    baseline = names[0]
    first = next(iter(configs.values()))
    runs0 = results[baseline]
    days = int(runs0[0].timeseries["day"].nunique())
    periods = [p for p in dict.fromkeys(table["period"]) if p != "all"] if len(table) else []
    cols, cells = headline_table(table, results, first.report.smallest_effect) if len(table) else ([], {})
    over_time = [f for f in figures if f.stem == OVER_TIME_FIGURE]
    context = {
        "headline_columns": cols,
        "headline_cells": cells,
        "strategy_sentences": {p: strategy_sentence(p, cols, cells[p]) for p in cells},
        "lead_sentences": lead_sentences(cols, cells, baseline) if cells else [],
        "smallest": _smallest_legend(cols, first.report.smallest_effect),
        "over_time": [{"name": f.stem.replace("_", " "), "src": _img(f)} for f in over_time],
        "title": "Policy comparison",
        "baseline": baseline,
        "policies": names[1:],
        "replicates": len(runs0),
        "days": days,
        "years": days / 365,
        "seed": runs0[0].seed,
        "residents": first.population.residents,
        "version": __version__,
        "date": dt.date.today().isoformat(),
        "command": command,
        "summaries": {p: policy_sentences(table, p, baseline) for p in names[1:]},
        "group_summaries": {p: group_sentences(table, p) for p in names[1:]},
        "benefits": {p: benefit_sentences(table, p) for p in names[1:]},
        "split_tables": {p: _split_rows(table, p) for p in names[1:]},
        "tables": {p: _rows(table, p, "all") for p in names[1:]},
        "period_tables": {p: {per: _rows(table, p, per) for per in periods} for p in names[1:]},
        "group_tables": {p: _group_rows(table, p) for p in names[1:]},
        "hours": _hours(results),
        "assumptions": _assumptions(first),
        "figures": [{"name": f.stem.replace("_", " "), "src": _img(f)} for f in figures if f not in over_time],
        "single_replicate": len(runs0) < 2,
        "posterior": posterior or has_posterior(table),  # the calibration's folder when compare gave it
        "share_better": _share_better_sentences(table, names[1:]) if posterior else {},
    }
    html = _env().get_template("report.html").render(**context)
    path = Path(path)
    tmp = path.with_suffix(".html.tmp")
    tmp.write_text(html)
    tmp.replace(path)
    return path


POSTERIOR_HEADLINES = ("crimes", "mean_trust", "confidence_share", "reporting_rate")


def _share_better_sentences(table: pd.DataFrame, policies: list[str]) -> dict[str, list[str]]:
    """Per policy: how often it beat the baseline across posterior draws, on the headline metrics."""
    from .. import metric_registry as reg

    rows = table[(table["period"] == "all") & table["group"].isna() & table["neighbourhood"].isna()]
    out = {}
    for p in policies:
        sel = rows[(rows["policy"] == p) & rows["metric"].isin(POSTERIOR_HEADLINES)]
        out[p] = [
            f"in {r.share_better:.0%} of plausible versions of this city, {p} did better than the baseline on "
            f"{reg.metric(r.metric).label}"
            for r in sel.itertuples()
            if pd.notna(r.share_better)
        ]
    return out
