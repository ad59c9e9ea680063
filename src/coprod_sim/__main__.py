"""The `coprod-sim` command (also `python -m coprod_sim`): the command line module, and
once the arguments are parsed the chosen command's modules, are imported with the
garbage collector paused (startup.py says why)."""

import sys

from .startup import collector_paused


def main() -> int:
    with collector_paused():
        from .cli import main as cli_main
    return cli_main(quick_start=True)


if __name__ == "__main__":
    sys.exit(main())
