"""City profiles and their calibration: profile.py (the format), priors.py and targets.py (what is fitted),
engine.py (ABC-SMC with pyabc), outputs.py (the result files), calibrate.py (the command), cli.py."""
