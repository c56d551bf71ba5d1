"""Benchmarks (not tests: they print figures): `python -m benchmarks --help`, or `make bench`.

See benchmarks/README.md for what is measured, how the floors are computed, and results.
"""
