"""Which gains outlast the policy, and why? Each engagement policy runs for two
years, then the force goes back to reactive policing for three (a
[[policy.schedule]] entry at day 730 setting name = "reactive"), paired against
reactive policing throughout on the same seeds. Reports trust (confidence
share), the reporting rate, collective efficacy and crime in year 2 (the
policy's last) and in each later year, with 95% intervals over replicates.

Variants (--variants): `no_turnover` (policing.annual_turnover_rate = 0) and
`fidelity` (every policy's fidelity halves each year), each run the same way.

    python experiments/sustainability/run.py [--replicates 4] [--days 1825] [--out results/sustainability]
"""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd
from scipy import stats

from coprod_sim.compare import run_comparison, write_comparison
from coprod_sim.config import DAYS_PER_YEAR, POLICY_KNOBS, load_config, with_overrides
from coprod_sim.experiment_cli import experiment_folder, experiment_parser
from coprod_sim.policies import REGISTRY

POLICY_DAYS = 2 * DAYS_PER_YEAR
#: registered policies that are not engagement strategies of a whole city: the
#: baseline itself, and liaisons (they act only on communication barriers, 0 by default)
NOT_ENGAGEMENT = ("reactive", "liaison")
VARIANTS = {
    "default": {},
    "no_turnover": {"policing.annual_turnover_rate": 0.0},
    "fidelity": {f"policy.{name}.fidelity_half_life_years": 1.0 for name in POLICY_KNOBS},
}
OUTCOMES = {  # label -> (how to compute a window's value from the daily series, how to show a difference)
    "confidence, pp": (lambda t: t["confidence_share"].mean(), 100.0),
    "reporting rate, pp": (lambda t: t["crimes_reported"].sum() / t["crimes"].sum(), 100.0),
    "collective efficacy": (lambda t: t["collective_efficacy"].mean(), 1.0),
    "crime, %": (lambda t: t["crimes"].sum(), None),  # relative to the baseline's
}


def engagement_policies() -> list[str]:
    return [name for name in REGISTRY if name not in NOT_ENGAGEMENT]


def windows(days: int) -> dict[str, tuple[int, int]]:
    """Year 2 (the policy's last year), then each whole later year."""
    out = {"year 2 (policy)": (DAYS_PER_YEAR, POLICY_DAYS)}
    start = POLICY_DAYS
    while start + DAYS_PER_YEAR <= days:
        out[f"year {start // DAYS_PER_YEAR + 1}"] = (start, start + DAYS_PER_YEAR)
        start += DAYS_PER_YEAR
    return out


def configs_for(base, policies: list[str]) -> dict:
    out = {"reactive": with_overrides(base, {"policy.name": "reactive"})}
    for name in policies:
        out[name] = with_overrides(
            base, {"policy.name": name, "policy.schedule": [{"day": POLICY_DAYS, "name": "reactive"}]}
        )
    return out


def interval(values: np.ndarray) -> tuple[float, float, float]:
    mean = float(np.mean(values))
    if len(values) < 2:
        return mean, float("nan"), float("nan")
    half = float(stats.t.ppf(0.975, len(values) - 1) * stats.sem(values))
    return mean, mean - half, mean + half


def persistence_table(results: dict, days: int) -> pd.DataFrame:
    rows = []
    base = results["reactive"]
    for name in results:
        if name == "reactive":
            continue
        for window, (lo, hi) in windows(days).items():
            for label, (value, scale) in OUTCOMES.items():
                diffs = []
                for b, p in zip(base, results[name], strict=True):
                    tb = b.timeseries[(b.timeseries["day"] >= lo) & (b.timeseries["day"] < hi)]
                    tp = p.timeseries[(p.timeseries["day"] >= lo) & (p.timeseries["day"] < hi)]
                    vb, vp = value(tb), value(tp)
                    diffs.append((vp - vb) * (100.0 / vb if scale is None else scale))
                mean, low, high = interval(np.array(diffs))
                rows.append(
                    {"policy": name, "window": window, "outcome": label, "diff": mean, "low": low, "high": high}
                )
    return pd.DataFrame(rows)


def markdown(table: pd.DataFrame) -> str:
    """One table per outcome: policies down, windows across, 'diff (low to high)'."""
    parts = []
    for label in OUTCOMES:
        sel = table[table["outcome"] == label]
        d = 3 if label == "collective efficacy" else 2
        cells = sel.assign(
            cell=[f"{r.diff:+.{d}f} ({r.low:+.{d}f} to {r.high:+.{d}f})" for r in sel.itertuples()]
        ).pivot(index="policy", columns="window", values="cell")
        cells = cells[list(dict.fromkeys(sel["window"]))].reindex(list(dict.fromkeys(sel["policy"])))
        header = "| policy | " + " | ".join(cells.columns) + " |"
        rule = "|---" * (len(cells.columns) + 1) + "|"
        body = [f"| {name} | " + " | ".join(row) + " |" for name, row in cells.iterrows()]
        parts.append(f"**{label}** (policy minus reactive)\n\n" + "\n".join([header, rule, *body]))
    return "\n\n".join(parts)


def main() -> int:
    ap = experiment_parser(__doc__, replicates=4, out="results/sustainability", days=5 * DAYS_PER_YEAR)
    ap.add_argument("--config", default=None, help="TOML config (changes to the defaults)")
    ap.add_argument("--policies", default=",".join(engagement_policies()), help="comma-separated policies")
    ap.add_argument("--variants", default="default", help=f"comma-separated, of: {', '.join(VARIANTS)}")
    ap.add_argument("--residents", type=int, default=None, help="city size (default: the config's)")
    args = ap.parse_args()
    unknown = [v for v in args.variants.split(",") if v not in VARIANTS]
    if unknown:
        ap.error(f"unknown variant(s) {unknown}; allowed: {', '.join(VARIANTS)}")
    policies = [p for p in args.policies.split(",") if p]
    bad = [p for p in policies if p not in REGISTRY or p == "reactive"]
    if bad:
        ap.error(f"unknown or baseline policies {bad}; allowed: {', '.join(engagement_policies())}")
    if args.days <= POLICY_DAYS:
        ap.error(f"--days must exceed {POLICY_DAYS} (the policy runs for two years), got {args.days}")
    base = load_config(args.config) if args.config else load_config()
    if args.residents:
        base = with_overrides(base, {"population.residents": args.residents})
    tables = []
    with experiment_folder(args) as out:
        for variant in args.variants.split(","):
            configs = configs_for(with_overrides(base, VARIANTS[variant]), policies)
            results = run_comparison(configs, seed=args.seed, replicates=args.replicates, days=args.days)
            folder = out / variant
            folder.mkdir()
            write_comparison(folder, configs, results, command=" ".join(sys.argv))
            table = persistence_table(results, args.days).assign(variant=variant)
            tables.append(table)
            text = markdown(table)
            (folder / "persistence.md").write_text(text + "\n")
            print(f"\n## {variant}\n\n{text}")
        pd.concat(tables).to_csv(out / "persistence.csv", index=False)
    print(f"wrote {args.out}/ (persistence.csv; per variant: persistence.md, report.html)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
