"""coprod_sim: an agent-based model of the co-production of public safety."""

import importlib.metadata as _m

__version__ = _m.version("coprod_sim")

from .config import Config, ConfigError, load_config  # noqa: E402
from .model import CoProductionModel  # noqa: E402
from .streams import replicate_seed  # noqa: E402

__all__ = ["Config", "ConfigError", "CoProductionModel", "load_config", "replicate_seed", "__version__"]
