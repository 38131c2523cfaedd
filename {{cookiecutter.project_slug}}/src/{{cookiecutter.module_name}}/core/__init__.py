"""The core: config, paths, dataset schema, goal, metrics, models, model files, errors.

Imports nothing from the other layers of this package.
"""
