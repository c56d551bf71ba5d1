"""A local emulator of the Calendly API v2 (the sandbox)."""
