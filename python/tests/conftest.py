"""Shared fixtures: the `dnn` command-line binary, for the tests that compare with it."""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[2]


def _build_dnn_binary():
    """Builds `dnn` with cargo in the repository; returns its path, or why there is none."""
    if not (REPOSITORY / "Cargo.toml").is_file():
        return None, f"no Cargo.toml in {REPOSITORY}: not inside the dnn repository"
    if shutil.which("cargo") is None:
        return None, "cargo is not on PATH to build the dnn binary (or set DNN_BIN)"
    build = subprocess.run(
        ["cargo", "build", "--release", "--bin", "dnn", "--message-format=json-render-diagnostics"],
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
    )
    if build.returncode != 0:
        return None, f"cargo build --release --bin dnn failed:\n{build.stderr[-2000:]}"
    for line in build.stdout.splitlines():
        message = json.loads(line)
        if message.get("reason") == "compiler-artifact" and message.get("executable"):
            return message["executable"], None
    return None, "cargo build --release --bin dnn named no executable"


@pytest.fixture(scope="session")
def dnn_bin():
    """The path of the `dnn` binary: $DNN_BIN, or else built by cargo from this repository.
    Tests that need it are skipped, saying why, when there is none."""
    given = os.environ.get("DNN_BIN")
    if given:
        if not os.access(given, os.X_OK):
            pytest.skip(f"DNN_BIN={given} is not an executable file")
        return given
    path, reason = _build_dnn_binary()
    if path is None:
        print(f"skipped: {reason}")
        pytest.skip(reason)
    return path
