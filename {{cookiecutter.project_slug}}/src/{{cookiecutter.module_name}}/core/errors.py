"""The one exception type that means "the user's input is wrong", not "the code is"."""


class PipelineError(Exception):
    """A problem with the user's data, params or files.

    The CLI prints its message as a single line and exits with status 1, without a
    traceback. The message names the file and the field or column at fault.
    """
