"""`coprod-sim analyze DIR`: results table, sensitivity indices and figures.

Writes DIR/analysis/:
- results.parquet (and .csv with --csv): the design joined with every run's
  period values (tidy: run_id, point, parameters, replicate, seed, [policy,]
  period, metric, group, value).
- indices.parquet and .csv: outcome, policy, contrast, parameter, index, value,
  conf_low, conf_high, for the main outcomes over period `all` (indices.py
  says which index each design gives). `contrast` is `level` (that policy's
  outcome) or, in a sweep with `[sweep] policies`, `difference` (that policy
  minus the baseline, the first policy, paired per replicate before each point
  is averaged over its replicates). Without policies `policy` is null and every
  row is a level.
- notes.txt: the warnings and notes printed on the console (checks.py: design
  columns that correlate, parameters with no effect by construction; outcomes
  without indices, missing runs).
- figures/ (figures.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .. import metric_registry as reg
from ..metrics import period_values
from ..output_folder import MANIFEST, is_known_output, read_manifest
from . import store
from .checks import correlated_columns, idle_policies
from .indices import COLUMNS, sensitivity
from .spec import SweepError, SweepSpec, read_spec

MAIN_OUTCOMES = tuple(reg.shown_in(reg.SENSITIVITY))
LEVEL, DIFFERENCE = "level", "difference"
INDEX_COLUMNS = ["outcome", "policy", "contrast", *COLUMNS[1:]]


@dataclass(frozen=True)
class Contrast:
    """One table the indices are computed for: a policy's outcome, or its difference from the baseline."""

    policy: str | None
    contrast: str
    baseline: str | None = None

    def label(self) -> str:
        if self.contrast == DIFFERENCE:
            return f"{self.policy} - {self.baseline} (difference)"
        return f"{self.policy} (level)" if self.policy is not None else "level"


@dataclass
class AnalysisReport:
    out: Path
    runs: int
    expected: int
    indices: pd.DataFrame
    spec: SweepSpec | None = None
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # per (policy, contrast): swept knobs of a policy that spent no hours -> that policy
    idle: dict[tuple[str | None, str], dict[str, str]] = field(default_factory=dict)
    figures: list[Path] = field(default_factory=list)
    written: list[str] = field(default_factory=list)  # files in analysis/, relative to it


def analyze(
    out: str | Path, *, outcomes: tuple[str, ...] = MAIN_OUTCOMES, figures: bool = True, csv: bool = False
) -> AnalysisReport:
    out = Path(out)
    design = store.read_design(out)
    if not (out / "sweep.toml").is_file():
        raise SweepError(f"{out}/sweep.toml is missing; cannot tell the design")
    spec = read_spec(out / "sweep.toml")
    seed = int(design["seed"].iloc[0])
    outputs = store.read_metadata(out).get("outputs", spec.sweep.outputs)
    adir = out / "analysis"
    (adir / "figures").mkdir(parents=True, exist_ok=True)

    values = collect(out, design, outputs, bool(spec.policies))
    results = design.merge(values, on="run_id", how="inner")
    report = AnalysisReport(out, 0, len(design), pd.DataFrame(columns=INDEX_COLUMNS), spec)
    report.written = _write_table(results, adir / "results.parquet", csv)
    report.runs = int(values["run_id"].nunique()) if len(values) else 0
    if report.runs < len(design):
        report.notes.append(
            f"{len(design) - report.runs} of {len(design)} runs have no results "
            "(failed or not run yet; see failures.jsonl, finish with `coprod-sim sweep ... --resume`)"
        )

    points = design.drop_duplicates("point").sort_values("point").set_index("point")[spec.names]
    tables = outcome_tables(results, outcomes, spec.policies)
    used = sorted({p for t in tables.values() for p in t.dropna(how="all").index.get_level_values("point")})
    report.warnings = correlated_columns(points.loc[used], spec.sweep.design)
    report.idle = idle_knobs(results, spec)
    rows = []
    for contrast, table in tables.items():
        found = sensitivity(spec, seed, points, table, lambda o, c=contrast: _name(o, c), report.notes)
        rows += [(r[0], contrast.policy, contrast.contrast, *r[1:]) for r in found]
    report.notes += idle_notes(report.idle, tables)
    report.indices = pd.DataFrame(rows, columns=INDEX_COLUMNS)
    unbounded = report.indices["value"].notna() & report.indices["conf_low"].isna()
    if unbounded.any():
        report.notes.append(
            f"{int(unbounded.sum())} index value(s) have no interval"
            " (eta2 resamples replicates: it needs 2 or more at 3 or more points)"
        )
    report.indices.to_parquet(adir / "indices.parquet", index=False)
    report.indices.to_csv(adir / "indices.csv", index=False)
    lines = [f"warning: {w}" for w in report.warnings] + [f"note: {n}" for n in report.notes]
    (adir / "notes.txt").write_text("".join(line + "\n" for line in lines))
    report.written += ["indices.parquet", "indices.csv", "notes.txt"]
    if figures and len(values):
        from .figures import plot_all  # matplotlib is loaded only when figures are drawn

        report.figures = plot_all(adir / "figures", spec, points, tables, report.indices, report.idle)
        report.written += [p.relative_to(adir).as_posix() for p in report.figures]
    return report


def idle_notes(idle: dict, tables: dict[Contrast, pd.DataFrame]) -> list[str]:
    """One note per swept knob whose policy spent no hours, naming where."""
    where: dict[tuple[str, str], list[str]] = {}
    for contrast in tables:
        for name, policy in idle.get((contrast.policy, contrast.contrast), {}).items():
            where.setdefault((name, policy), []).append(contrast.label())
    return [
        f"{name}: no effect by construction ({policy} spent no hours in the runs"
        + ("" if labels == ["level"] else f" of {'; '.join(labels)}")
        + "); its index there is chance alone"
        for (name, policy), labels in where.items()
    ]


def clear_previous(adir: Path) -> None:
    """Remove the files an earlier analysis listed in its manifest, then the manifest
    (a figure or CSV copy it wrote and this one does not must not stay behind)."""
    manifest = read_manifest(adir) if adir.is_dir() else None
    for rel in manifest["files"] if manifest else ():
        if is_known_output(f"{adir.name}/{rel}"):  # never a name the tool does not write there
            (adir / rel).unlink(missing_ok=True)
    (adir / MANIFEST).unlink(missing_ok=True)


def _name(outcome: str, contrast: Contrast) -> str:
    return outcome if contrast.policy is None else f"{outcome}, {contrast.label()}"


def _write_table(table: pd.DataFrame, path: Path, csv: bool) -> list[str]:
    table.to_parquet(path, index=False)
    if not csv:
        return [path.name]
    table.to_csv(path.with_suffix(".csv"), index=False)
    return [path.name, path.with_suffix(".csv").name]


# --------------------------------------------------------------------------- outcomes
def collect(out: Path, design: pd.DataFrame, outputs: str, policies: bool = False) -> pd.DataFrame:
    """Every finished run's period values: run_id, [policy,] period, metric, group, value."""
    ids = sorted(store.finished(out) & set(design["run_id"]))
    paths = [str(store.run_path(out, i)) for i in ids]
    schema = store.summary_schema(policies)
    if not paths:
        return schema.empty_table().to_pandas()
    if outputs == "summary":
        import pyarrow.dataset as ds

        return ds.dataset(paths, format="parquet", schema=schema).to_table().to_pandas()
    frames = []
    for run_id, path in zip(ids, paths, strict=True):
        ts = pd.read_parquet(path)
        for policy, daily in ts.groupby("policy", sort=False) if policies else [(None, ts)]:
            pv = period_values(daily.drop(columns="policy", errors="ignore")).drop(columns="replicate")
            if policies:
                pv.insert(0, "policy", policy)
            pv.insert(0, "run_id", run_id)
            frames.append(pv)
    return pd.concat(frames, ignore_index=True)


def citywide(results: pd.DataFrame, metrics: list[str], policy: str | None = None) -> pd.DataFrame:
    """Period `all`, citywide values of `metrics` (of `policy`'s runs): index (point, replicate),
    one column per metric, NaN where a run or a metric is missing."""
    sel = results[(results["period"] == "all") & results["group"].isna() & results["metric"].isin(metrics)]
    if policy is not None:
        sel = sel[sel["policy"] == policy]
    index = pd.MultiIndex.from_frame(sel[["point", "replicate"]].drop_duplicates().sort_values(["point", "replicate"]))
    wide = sel.pivot_table(
        index=["point", "replicate"], columns="metric", values="value", aggfunc="first", dropna=False
    )
    return wide.reindex(index=index, columns=metrics)


def outcome_tables(results: pd.DataFrame, outcomes, policies: tuple[str, ...]) -> dict[Contrast, pd.DataFrame]:
    """Per contrast, the outcomes of every run: index (point, replicate), one column per outcome.
    A difference pairs the two policies' runs of one replicate (NaN where either is missing)."""
    outcomes = list(outcomes)
    if not policies:
        return {Contrast(None, LEVEL): citywide(results, outcomes)}
    levels = {p: citywide(results, outcomes, p) for p in policies}
    baseline = policies[0]
    tables = {Contrast(p, DIFFERENCE, baseline): levels[p] - levels[baseline] for p in policies[1:]}
    tables.update({Contrast(p, LEVEL): levels[p] for p in policies})
    return tables


def idle_knobs(results: pd.DataFrame, spec: SweepSpec) -> dict[tuple[str | None, str], dict[str, str]]:
    """Per (policy, contrast), the swept policy knobs whose policy spent no hours in those runs
    (for a difference: in the runs of both policies)."""
    hours = sorted(m for m in results["metric"].unique() if isinstance(m, str) and m.startswith("hours_"))
    if not spec.policies:
        return {(None, LEVEL): idle_policies(citywide(results, hours).sum(), spec.names)}
    idle = {(p, LEVEL): idle_policies(citywide(results, hours, p).sum(), spec.names) for p in spec.policies}
    baseline = idle[spec.policies[0], LEVEL]
    for p in spec.policies[1:]:
        idle[p, DIFFERENCE] = {k: v for k, v in idle[p, LEVEL].items() if k in baseline}
    return idle
