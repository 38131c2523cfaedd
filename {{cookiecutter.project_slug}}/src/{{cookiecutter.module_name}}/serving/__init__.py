"""The prediction service: FastAPI app, request schema, form page, HTTP smoke test.

Imports from core and registry only: it serves what the registry holds.
"""
