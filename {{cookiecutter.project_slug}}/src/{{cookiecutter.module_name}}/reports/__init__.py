"""The reports the stages write: analysis and test reports, figures, their texts.

Imports from core only.
"""
