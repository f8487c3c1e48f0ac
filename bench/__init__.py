"""Benchmarks for the sign-up service: `python -m bench` (or `make bench`) writes bench/results.md.

Every figure that matters is a ratio against a baseline measured in the same
run (a bare bcrypt hash, `import boto3, bcrypt`, the machine's bcrypt limit),
because absolute timings on a shared machine drift from minute to minute.
"""
