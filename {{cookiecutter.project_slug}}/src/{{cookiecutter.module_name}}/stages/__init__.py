"""One module per lifecycle stage, each a function over explicit inputs and outputs, and
`pipeline`, which runs them in order over a project's paths.

Imports from core, registry and reports.
"""
