"""coprod_sim: an agent-based model of the co-production of public safety.

The public names below are imported on first use (PEP 562), so that importing the
package, e.g. for `coprod-sim --help` or `validate`, does not pay for Mesa,
pandas and the model until a command needs them.
"""

import importlib
import importlib.metadata as _m

__version__ = _m.version("coprod_sim")

_LAZY = {
    "Config": ".config",
    "ConfigError": ".config",
    "load_config": ".config",
    "CoProductionModel": ".model",
    "replicate_seed": ".streams",
}
__all__ = [*_LAZY, "__version__"]


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
