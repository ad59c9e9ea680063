"""`coprod-sim calibrate PROFILE --out DIR`: the folder, the resume check, the
engine and the results (docs/calibration.md, "Calibrating a city")."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from ..output_folder import OutputError, OutputFolder, write_json_atomic, write_text_atomic
from ..runs import metadata
from .engine import DATABASE, Simulator, population_size, read_posterior, run_abc
from .outputs import FIGURES, fit_rows, parameter_rows, posterior_frame, write_results
from .priors import calibration_priors
from .profile import city_config, load_profile
from .targets import observed_targets

SETTINGS = "calibration.json"  # what --resume must find unchanged
WRITES = (
    "profile.toml",
    SETTINGS,
    "metadata.json",
    DATABASE,
    "posterior.parquet",
    "calibrated.toml",
    "fit.json",
    "fit.html",
    "parameters.json",
    "figures",
)


@dataclass
class CalibrationRun:
    out: Path
    summary: dict
    fit: list[dict]
    parameters: list[dict]


def calibrate(
    profile_path: str | Path,
    out: str | Path,
    *,
    budget: int,
    seed: int = 0,
    population: int | None = None,
    resume: bool = False,
    force: bool = False,
    engine: str = "local",
    scheduler: str | None = None,
    workers: int = 1,
    command: str = "coprod-sim calibrate",
    progress: bool = True,
) -> CalibrationRun:
    import pyabc

    if budget < 1:
        raise ValueError(f"--budget {budget}: needs at least 1 simulation")
    if population is not None and population < 2:
        raise ValueError(f"--population {population}: needs at least 2 particles")
    if force and resume:
        raise ValueError("--force and --resume exclude each other: --resume continues DIR, --force starts over")
    profile = load_profile(profile_path)
    text = Path(profile_path).read_text(encoding="utf-8")
    city = city_config(profile)
    priors = calibration_priors(profile, city)
    targets = observed_targets(profile)
    out = Path(out)
    settings = {
        "profile_sha256": hashlib.sha256(text.encode()).hexdigest(),
        "seed": seed,
        "population": population if population is not None else population_size(budget),
        "parameters": list(priors),
    }
    if resume:
        settings = _resumable(out, settings)
    # The engine's own stopping rule (engine.run_abc): generation 0 spends one population on
    # pyabc's prior sample, then needs at least one more population of simulations.
    if budget < 2 * settings["population"]:
        raise ValueError(
            f"--budget {budget}: too small for {settings['population']} particles; generation 0 alone needs at "
            f"least {2 * settings['population']} simulations (a prior sample of one population, then one accepted "
            "population); raise --budget or lower --population"
        )
    folder = OutputFolder(
        out, kind="calibration", command=command, force=force, resume=resume, writes=WRITES, in_place=True
    )
    with folder:
        folder.changing()
        if not resume:
            write_text_atomic(out / "profile.toml", text)
            write_json_atomic(out / SETTINGS, settings)
            write_json_atomic(out / "metadata.json", metadata(city, seed, [0], command))
        bar = tqdm(total=budget, desc="calibration", unit="sim", disable=True if not progress else None, leave=False)

        def on_generation(t: int, done: int) -> None:
            bar.set_postfix_str(f"generation {t}")
            bar.update(min(done, budget) - bar.n)

        try:
            result = run_abc(
                out,
                simulator=Simulator(city, list(priors), profile),
                priors=priors,
                targets=targets,
                budget=budget,
                seed=seed,
                population=settings["population"],
                resume=resume,
                engine=engine,
                workers=workers,
                scheduler=scheduler,
                on_generation=on_generation,
            )
        finally:
            bar.close()
        params, weights, stat_weights, stats = read_posterior(out)
        posterior = posterior_frame(params, weights, list(priors))
        fit = fit_rows(targets, stat_weights / stat_weights.sum(), stats)
        parameters = parameter_rows(posterior, priors)
        w = posterior["weight"].to_numpy()
        summary = {
            "city": profile.city.name,
            "label": _label(profile),
            "residents": profile.residents,
            "sample_residents": profile.sample.residents,
            "scale": profile.scale,
            "days": profile.sample.days,
            "burn_in_days": profile.sample.burn_in_days,
            "budget": budget,
            "simulations": result.simulations,
            "generations": result.generations,
            "population": result.population,
            "ess": float(1.0 / (w**2).sum()),
            "stopped": result.stopped,
            "seed": seed,
            "engine": engine,
            "engine_version": pyabc.__version__,
            "national_defaults_used": sorted({r["name"] for r in fit if r["source"].startswith("national default")}),
        }
        write_results(
            out, city=city, posterior=posterior, priors=priors, fit=fit, parameters=parameters, summary=summary
        )
        files = [*WRITES[:-1], *FIGURES]
        folder.complete(seed=seed, config_hash=city.hash(), files=files, simulations=result.simulations)
    return CalibrationRun(out, summary, fit, parameters)


def _label(profile) -> str:
    if profile.city.synthetic:
        return "A SYNTHETIC example city: its figures are made up to show the format, not a real place."
    if profile.city.example:
        return f"An example built from published figures ({profile.city.source or 'sources in the profile'})."
    return profile.city.description


def _resumable(out: Path, settings: dict) -> dict:
    """The folder's settings, if it holds a calibration of the same profile, seed and parameters."""
    path = out / SETTINGS
    if not (out / DATABASE).is_file() or not path.is_file():
        raise OutputError(f"--resume: {out} holds no calibration ({DATABASE} missing); run without --resume")
    stored = json.loads(path.read_text())
    for key in ("profile_sha256", "seed", "parameters"):
        if stored.get(key) != settings[key]:
            what = {"profile_sha256": "the profile file changed", "seed": "--seed differs"}.get(
                key, "the priors differ"
            )
            raise OutputError(f"--resume: {out} holds a different calibration ({what}); use the same profile and seed")
    return stored
