"""The local stage: DynamoDB Local plus an API Gateway stand-in calling the real handler.

Run it with `python -m infra.local` (or `make dev`); `--help` lists the options.
"""
