"""`python -m reconciler` and the `calendly-reconciler` console script start here.

The CLI is imported inside `run()`, so a Ctrl-C that lands while it is still loading ends the
process quietly (exit 130, as the shell reports an interrupted command) instead of printing an
import traceback. The console script points here rather than at `reconciler.cli:main` for the
same reason: its wrapper imports its target before any handler of ours exists.
"""

import sys


def run() -> None:
    try:
        from reconciler.cli import main
    except KeyboardInterrupt:
        sys.exit(130)
    main()


if __name__ == "__main__":
    run()
