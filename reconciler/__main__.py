"""`python -m reconciler` runs the command-line interface."""

import sys

try:
    from reconciler.cli import main
except KeyboardInterrupt:  # Ctrl-C while starting up: no traceback
    sys.exit(130)

if __name__ == "__main__":
    main()
