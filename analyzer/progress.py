"""Progress on standard error, for scans long enough to wonder about.

Shown only on a terminal, never in CI logs or when standard error is piped,
and only once a scan has taken more than a second; the line is cleared at
the end so it never mixes with the report.
"""

from __future__ import annotations

import os
import sys
import time


class Progress:
    DELAY = 1.0

    def __init__(self, stream=None, clock=time.monotonic):
        self.stream = stream or sys.stderr
        self.clock = clock
        self.start = clock()
        self.shown = False

    @staticmethod
    def wanted(stream=None) -> bool:
        stream = stream or sys.stderr
        return stream.isatty() and os.environ.get("CI", "").lower() not in ("true", "1")

    def __call__(self, message: str) -> None:
        if self.clock() - self.start < self.DELAY:
            return
        width = 79
        self.stream.write("\r" + f"sesguard: {message}"[:width].ljust(width))
        self.stream.flush()
        self.shown = True

    def done(self) -> None:
        if self.shown:
            self.stream.write("\r" + " " * 79 + "\r")
            self.stream.flush()
