"""The project's ML lifecycle: one module per stage, wired together by `pipeline` and `cli`."""

__version__ = "0.1.0"
