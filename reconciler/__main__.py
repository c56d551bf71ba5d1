"""`python -m reconciler` runs the command-line interface."""

from reconciler.cli import main

if __name__ == "__main__":
    main()
