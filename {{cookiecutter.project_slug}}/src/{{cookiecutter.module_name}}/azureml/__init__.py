"""Azure Machine Learning: the local job runner, spec checks, scoring and rollout.

Imports from core, registry and stages.
"""
