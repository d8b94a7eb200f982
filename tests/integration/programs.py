"""Programs from Debian that some tests run for real (nginx, promtool): where one is
missing the test is skipped, unless .ci/run, having installed it, requires it to run."""

from __future__ import annotations

import os
import shutil

import pytest


def program(name: str, package: str, required: str) -> str:
    """The program's path; without it, a skip naming `package`, or a failure where the
    environment variable `required` is 1."""
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin")
    if found is None:
        reason = f"no {name} here (apt-get install {package}; .ci/run does)"
        if os.environ.get(required) == "1":
            pytest.fail(f"required by {required}: {reason}")
        pytest.skip(reason)
    return found
