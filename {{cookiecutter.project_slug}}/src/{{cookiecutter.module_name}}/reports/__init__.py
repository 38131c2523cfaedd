"""The reports the stages write: analysis and test reports and their figures.

Their sentences are in messages/<language>.toml, their layouts in templates/.

Imports from core only.
"""
