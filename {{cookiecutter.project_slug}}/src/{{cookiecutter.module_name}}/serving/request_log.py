"""What the service was asked and what it answered, one JSON line per record, for the
`monitor` stage to compare with the training data.

A line holds the record's request id (returned to the client, which sends it back with
the true outcome once known), the time (UTC), the model version, the record's features
as received (missing ones as null), the prediction and, for two classes, the positive
class's probability. See monitoring/README.md for what this means for personal data.

A request only puts its lines on a queue: a background thread writes them (logging's
QueueHandler and QueueListener). Each process writes its own file, since uvicorn's
workers share nothing, rotated by size with a bounded number of older files (logging's
RotatingFileHandler), so the store cannot fill the disk.
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import queue
import uuid
from datetime import UTC, datetime
from logging.handlers import QueueHandler, QueueListener, RotatingFileHandler
from pathlib import Path
from typing import Any

from ..core.request_records import file_name

# Where `serve` records (a folder), or "off": how worker processes and the image are told.
LOG_VARIABLE = "{{ cookiecutter.module_name | upper }}_REQUEST_LOG"
OFF = "off"
MAX_FILE_BYTES = 50 * 2**20
KEPT_FILES = 20  # rotated copies kept per process: about 1 GB of requests at most


class RequestLog:
    """Appends the lines of each answered request to `folder`, in this process's file."""

    def __init__(
        self, folder: Path, max_bytes: int = MAX_FILE_BYTES, kept_files: int = KEPT_FILES
    ) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        started = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        self.path = folder / file_name(started, os.getpid())
        writer = RotatingFileHandler(
            self.path, maxBytes=max_bytes, backupCount=kept_files, encoding="utf-8", delay=True
        )
        lines: queue.SimpleQueue[logging.LogRecord] = queue.SimpleQueue()
        # A logger of its own, not the root's: the lines go to this file and nowhere else.
        self.logger = logging.getLogger(f"{__name__}.{id(self)}")
        self.logger.propagate = False
        self.logger.setLevel(logging.INFO)
        self.queued = QueueHandler(lines)
        self.logger.addHandler(self.queued)
        self.listener = QueueListener(lines, writer)
        self.listener.start()
        self.open = True
        atexit.register(self.close)  # a worker stopped without the app's shutdown

    def record(
        self,
        model_version: int,
        records: list[dict[str, Any]],
        predictions: list[Any],
        probabilities: list[float] | None,
    ) -> list[str]:
        """Queue one line per record; returns the records' request ids, in order."""
        time = datetime.now(UTC).isoformat(timespec="milliseconds")
        ids = [uuid.uuid4().hex for _ in records]
        for index, (request_id, features) in enumerate(zip(ids, records, strict=True)):
            line = {
                "request_id": request_id,
                "time": time,
                "model_version": model_version,
                "features": features,
                "prediction": predictions[index],
                "probability": None if probabilities is None else probabilities[index],
            }
            self.logger.info(json.dumps(line, ensure_ascii=False, default=str))
        return ids

    def close(self) -> None:
        """Write what is queued and stop the writer; a second call does nothing."""
        if not self.open:
            return
        self.open = False
        self.logger.removeHandler(self.queued)
        self.listener.stop()  # after every line queued so far is written
        for handler in self.listener.handlers:
            handler.close()


def folder_from_environment(default: Path | None) -> Path | None:
    """The folder LOG_VARIABLE names, `default` when it is unset, None when it is "off"."""
    setting = os.environ.get(LOG_VARIABLE)
    if setting is None:
        return default
    return None if setting.strip().lower() == OFF else Path(setting)
