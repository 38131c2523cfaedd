"""MLflow's failures as one line each, and bounded retries of the passing ones.

A tracking server that restarts, rate-limits or answers with an internal error, or a
SQLite store busy with another process, fails a request now and then and answers the
next. Reads and writes that can be repeated without effect are tried ATTEMPTS times with
growing waits (tenacity); creating runs and model versions is not repeated, because a
request that failed on the way back may have done its work. Whatever still fails reaches
the user as a PipelineError naming the store and the operation, not as a traceback.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

from mlflow.exceptions import MlflowException
from sqlalchemy.exc import SQLAlchemyError
from tenacity import RetryCallState, retry, retry_if_exception, stop_after_attempt

from ..core.errors import PipelineError

ATTEMPTS = 3
FIRST_WAIT_SECONDS = 0.5
# MLflow's error codes for a server that may well answer the next request.
PASSING_CODES = frozenset({"INTERNAL_ERROR", "TEMPORARILY_UNAVAILABLE", "REQUEST_LIMIT_EXCEEDED"})

Arguments = ParamSpec("Arguments")
Result = TypeVar("Result")


# What MLflow raises, or lets through from its SQLite store and the network.
MLFLOW_ERRORS = (MlflowException, SQLAlchemyError, ConnectionError, TimeoutError)


def passing(error: BaseException) -> bool:
    """Whether trying again may succeed: a server-side or busy-store failure."""
    if "database is locked" in str(error):
        return True
    if isinstance(error, MlflowException):
        return error.error_code in PASSING_CODES
    return isinstance(error, ConnectionError | TimeoutError)


def innermost(error: BaseException) -> BaseException:
    """The exception at the bottom of the chain: the database's or the socket's own
    ("attempt to write a readonly database"), under MLflow's and SQLAlchemy's wrappers."""
    found = error
    while True:
        below = getattr(found, "orig", None) or found.__cause__
        if not isinstance(below, BaseException) or below is found:
            return found
        found = below


def growing_wait(state: RetryCallState) -> float:
    """FIRST_WAIT_SECONDS before the second attempt, twice as long before each next."""
    return FIRST_WAIT_SECONDS * 2.0 ** (state.attempt_number - 1)


def store() -> str:
    return os.environ.get("MLFLOW_TRACKING_URI") or "models/registry/mlflow.db"


def one_line(error: BaseException, action: str, repeatable: bool) -> str:
    """The store, the operation, whether it was retried, and the error's first line."""
    message = str(innermost(error)).strip() or str(error).strip()
    reason = message.splitlines()[0] if message else repr(error)
    tried = f" (tried {ATTEMPTS} times)" if repeatable and passing(error) else ""
    return f"MLflow at {store()}: {action} failed{tried}: {reason}"


def mlflow_operation(
    action: str, *, repeatable: bool = True
) -> Callable[[Callable[Arguments, Result]], Callable[Arguments, Result]]:
    """Run the decorated function as `action` ("reading the model versions"): retried
    when `repeatable`, and failing with one line that names the store and the action."""

    def decorate(function: Callable[Arguments, Result]) -> Callable[Arguments, Result]:
        attempt = function
        if repeatable:
            attempt = retry(
                stop=stop_after_attempt(ATTEMPTS),
                wait=growing_wait,
                retry=retry_if_exception(passing),
                reraise=True,
            )(function)

        @wraps(function)
        def run(*args: Arguments.args, **kwargs: Arguments.kwargs) -> Result:
            try:
                return attempt(*args, **kwargs)
            except MLFLOW_ERRORS as error:
                raise PipelineError(one_line(error, action, repeatable)) from error

        return run

    return decorate
