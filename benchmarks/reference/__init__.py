"""A per-agent reference implementation of coprod_sim, written the idiomatic Mesa way.

It is a yardstick for the columnar core (benchmarks/run.py times both) and a second
implementation of the same rules (tests/test_equivalence.py checks that the two
agree statistically). See README.md in this folder for what differs and why.
"""

from .agents import Neighbourhood, Officer, Resident
from .model import ReferenceModel

__all__ = ["ReferenceModel", "Resident", "Officer", "Neighbourhood"]
