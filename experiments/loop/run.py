"""The co-production loop, measured link by link (docs/loop.md).

Two pushes on the same cities (paired seeds), each against the untouched baseline:
  - trust +0.1: right after burn-in every resident's trust, anchor and socialised
    prior rise by 0.1 (clipped to 1), so the shift is permanent;
  - officers -10%: a budget cut of 10% of officers on day 0.
For each, the paired difference (push - baseline) of every link of the loop over
the run, with a 95% interval over replicates: reporting, information (resident
participation), clearance, perceived certainty, offending, and back on trust. A
second pair of runs switches the deterrence link off (crime.certainty_elasticity
= 0), so the share of the crime change that runs through certainty can be read.

    python experiments/loop/run.py [--replicates 20] [--days 730] [--out results/loop] [--doc docs/loop.md]
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

from coprod_sim.compare import mean_interval
from coprod_sim.config import load_config, with_overrides
from coprod_sim.experiment_cli import experiment_folder, experiment_parser
from coprod_sim.parallel import default_workers, run_tasks
from coprod_sim.runs import simulate

SHIFT = 0.1

# (label, how to read the difference): relative differences for counts, absolute for shares
LINKS = [
    ("reporting_rate", "victims' reporting rate", "pp"),
    ("participation_rate", "information: resident participation", "pp"),
    ("crimes_recorded", "recorded crime", "pct"),
    ("clearance_rate", "clearance rate of reported crime", "pp"),
    ("crimes_cleared", "crimes cleared", "pct"),
    ("perceived_certainty", "perceived certainty (cleared / all incidents)", "pp"),
    ("committed_time_share", "share of on-duty time committed to calls", "pp"),
    ("crimes", "offending (all incidents)", "pct"),
    ("mean_trust", "mean trust (the push itself subtracted)", "abs"),
    ("confidence_share", "confidence in police (survey share)", "pp"),
]


def shift_trust(model) -> None:
    """A permanent +0.1: current trust, the slow anchor and the prior it returns to."""
    for values in (model.trust, model.anchor, model.pop.initial_trust):
        np.clip(values + SHIFT, 0.0, 1.0, out=values)


def run_values(result) -> dict:
    ts = result.timeseries
    ratio = lambda num, den: ts[num].sum() / ts[den].sum()  # noqa: E731 - period rule: sum / sum
    return {
        "reporting_rate": ratio("crimes_reported", "crimes"),
        "participation_rate": ts["participation_rate"].mean(),
        "crimes_recorded": ts["crimes_recorded"].sum(),
        "clearance_rate": ratio("crimes_cleared", "crimes_reported"),
        "crimes_cleared": ts["crimes_cleared"].sum(),
        "perceived_certainty": ts["perceived_certainty"].mean(),
        "committed_time_share": ratio("hours_committed", "hours_on_duty"),
        "crimes": ts["crimes"].sum(),
        "mean_trust": ts["mean_trust"].mean(),
        "confidence_share": ts["confidence_share"].mean(),
    }


def task(args) -> dict:
    config, seed, replicate, days, push = args
    prepare = shift_trust if push == "trust" else None
    return run_values(simulate(config, seed, replicate, days, prepare=prepare))


def differences(base: list[dict], pushed: list[dict], push: str) -> list[dict]:
    rows = []
    for key, label, how in LINKS:
        b = np.array([r[key] for r in base])
        p = np.array([r[key] for r in pushed])
        d = p - b - (SHIFT if (key == "mean_trust" and push == "trust") else 0.0)
        if how == "pct":
            d = 100.0 * d / b
        elif how == "pp":
            d = 100.0 * d
        mean, lo, hi = mean_interval(d)
        rows.append(
            {
                "link": label,
                "metric": key,
                "unit": {"pct": "%", "pp": "pp", "abs": "trust"}[how],
                "baseline": float(np.mean(b)),
                "diff": mean,
                "low": lo,
                "high": hi,
            }
        )
    return rows


def fmt(x: float, unit: str) -> str:
    return f"{x:+.3f}" if unit == "trust" else f"{x:+.2f}"


def markdown(tables: dict[str, pd.DataFrame], args) -> str:
    lines = [
        "<!-- written by experiments/loop/run.py; do not edit by hand -->",
        "",
        f"Measured with `python experiments/loop/run.py --replicates {args.replicates} --days {args.days} "
        f"--seed {args.seed}`: the default city (10,000 residents), {args.replicates} paired replicates, "
        f"{args.days} days after the 180-day burn-in. Each cell is the mean paired difference (push minus the "
        "same city untouched) over the whole run, with its 95% interval over replicates. `%` is relative to the "
        "baseline, `pp` percentage points, `trust` the 0-1 scale (for the trust push, the push itself is "
        "subtracted: what is left is the loop's feedback on trust).",
        "",
    ]
    titles = {
        "trust": "Every resident's trust +0.1, permanently",
        "trust_no_deterrence": "Trust +0.1, with the deterrence link off (`crime.certainty_elasticity = 0`)",
        "officers": "10% fewer officers (a budget cut on day 0)",
        "officers_no_deterrence": "10% fewer officers, with the deterrence link off",
    }
    for name, table in tables.items():
        lines += [f"## {titles[name]}", "", "| link | baseline | difference | 95% interval |", "|---|---|---|---|"]
        for r in table.itertuples():
            interval = f"{fmt(r.low, r.unit)} to {fmt(r.high, r.unit)}"
            lines.append(f"| {r.link} | {r.baseline:.4g} | {fmt(r.diff, r.unit)} {r.unit} | {interval} |")
        lines.append("")
    return "\n".join(lines)


BEGIN, END = "<!-- loop tables: begin -->", "<!-- loop tables: end -->"


def write_between_markers(path: Path, text: str) -> None:
    """Put the tables between the page's markers (the prose around them is kept);
    a page without markers gets them around the whole text."""
    block = f"{BEGIN}\n{text}\n{END}"
    page = path.read_text() if path.exists() else ""
    if BEGIN in page and END in page:
        page = page[: page.index(BEGIN)] + block + page[page.index(END) + len(END) :]
    else:
        page = block + "\n"
    path.write_text(page)


def measure(args, out: Path) -> str:
    """Run every push and its baseline on paired seeds; write loop.csv and loop.md into `out`."""
    base_config = load_config(overrides={"output.neighbourhood_metrics": False, "output.figures": False})
    cut = {"events": [{"day": 0, "kind": "budget_cut", "fraction": 0.1}]}
    variants = {
        "trust": (base_config, "trust"),
        "officers": (with_overrides(base_config, cut), None),
    }
    no_deterrence = with_overrides(base_config, {"crime.certainty_elasticity": 0.0})
    variants["trust_no_deterrence"] = (no_deterrence, "trust")
    variants["officers_no_deterrence"] = (with_overrides(no_deterrence, cut), None)
    baselines = {"full": (base_config, None), "no_deterrence": (no_deterrence, None)}
    runs = {**{f"base_{k}": v for k, v in baselines.items()}, **variants}
    tasks = [(cfg, args.seed, r, args.days, push) for cfg, push in runs.values() for r in range(args.replicates)]
    workers = args.workers or default_workers(len(tasks))
    flat = run_tasks(task, tasks, workers=workers, desc="loop runs")
    by_name = {name: flat[i * args.replicates : (i + 1) * args.replicates] for i, name in enumerate(runs)}
    tables = {}
    for name, (_, push) in variants.items():
        base = by_name["base_no_deterrence" if name.endswith("no_deterrence") else "base_full"]
        tables[name] = pd.DataFrame(differences(base, by_name[name], "trust" if push == "trust" else "officers"))
    order = ["trust", "trust_no_deterrence", "officers", "officers_no_deterrence"]
    tables = {k: tables[k] for k in order}
    pd.concat([t.assign(push=k) for k, t in tables.items()]).to_csv(out / "loop.csv", index=False)
    text = markdown(tables, args)
    (out / "loop.md").write_text(text)
    return text


def main() -> int:
    ap = experiment_parser(__doc__, replicates=20, out="results/loop", days=730)
    ap.add_argument("--doc", default="docs/loop.md", help="Markdown page to write the tables to ('' to skip)")
    ap.add_argument("--workers", type=int, default=None, help="worker processes (default: all cores)")
    args = ap.parse_args()
    with experiment_folder(args) as out:
        text = measure(args, out)
    if args.doc:
        write_between_markers(Path(args.doc), text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
