"""`python -m reconciler.sandbox serve ...`: the sandbox CLI on its own."""

from reconciler.sandbox.cli import sandbox

if __name__ == "__main__":
    sandbox(prog_name="calendly-reconciler sandbox")
