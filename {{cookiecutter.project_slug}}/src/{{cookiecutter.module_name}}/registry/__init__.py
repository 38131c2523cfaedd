"""The model registry: the protocol, its backend, deployable bundles.

Imports from core only.
"""
