"""calendly-reconciler: Terraform-style config-as-code for a Calendly organization."""

__version__ = "0.1.0.dev0"
