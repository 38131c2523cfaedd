"""The command line (typer). Each command imports what it runs when it runs, so `--help`
and `models list` start without loading the scientific stack.

May import every other layer; nothing imports it.
"""
