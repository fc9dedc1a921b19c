"""Helpers for tests that run `nepscript-keras` in subprocesses (chief, workers, killed searches)."""

import os
import re
import signal
import socket
import subprocess
import sys
import time

import numpy as np
import pytest


def free_port() -> int:
    """Returns a TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def digits_npz(small_digits, tmp_path_factory) -> str:
    """`small_digits` as an .npz for `--data`, with the evaluation classifier already cached for them.

    Import it into a test module to use it (subprocesses share the test session's cache).
    """
    from nepscript_keras.evaluation import evaluate

    evaluate(small_digits.images[:200], small_digits, num_samples=200)  # Trains and caches the classifier.
    path = tmp_path_factory.mktemp("data") / "digits.npz"
    np.savez(path, images=small_digits.images, labels=small_digits.labels)
    return str(path)


class CliProcesses:
    """Starts `python -m nepscript_keras.cli ...` subprocesses, each logging to a file; kills leftovers."""

    def __init__(self, log_dir):
        self.log_dir = log_dir
        self.processes = {}

    def start(self, name: str, *argv: str) -> subprocess.Popen:
        log = open(os.path.join(self.log_dir, f"{name}.log"), "w", encoding="utf-8")  # pylint: disable=consider-using-with
        process = subprocess.Popen(  # pylint: disable=consider-using-with
            [sys.executable, "-m", "nepscript_keras.cli", *argv], stdout=log, stderr=subprocess.STDOUT,
            env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONUNBUFFERED": "1"},
        )
        log.close()
        self.processes[name] = process
        return process

    def log(self, name: str) -> str:
        with open(os.path.join(self.log_dir, f"{name}.log"), encoding="utf-8") as f:
            return f.read()

    def wait_for(self, name: str, pattern: str, timeout: float) -> re.Match:
        """Waits until `pattern` appears in the process's log (fails if it exits or times out first)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            match = re.search(pattern, self.log(name))
            if match:
                return match
            if self.processes[name].poll() is not None:
                raise AssertionError(f"{name} exited ({self.processes[name].returncode}) before {pattern!r}:\n{self.log(name)}")
            time.sleep(0.5)
        raise AssertionError(f"{name}: no {pattern!r} within {timeout} s:\n{self.log(name)}")

    def wait(self, name: str, timeout: float) -> int:
        """Waits for the process to exit; returns its exit status (fails with its log on timeout)."""
        try:
            return self.processes[name].wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"{name} still running after {timeout} s:\n{self.log(name)}") from None

    def kill(self, name: str) -> None:
        """Kills the process at once (SIGKILL: no cleanup, like a crashed machine)."""
        self.processes[name].send_signal(signal.SIGKILL)
        self.processes[name].wait()

    def kill_all(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.kill()
                process.wait()


def started_trials(log: str) -> list[int]:
    """Trial numbers (1-based start order) a search printed `[trial k/N] start` for, in order."""
    return [int(k) for k in re.findall(r"\[trial (\d+)/\d+\] start", log)]


@pytest.fixture
def cli(tmp_path):
    """A `CliProcesses` logging under `tmp_path`; every process still running afterwards is killed."""
    processes = CliProcesses(tmp_path)
    yield processes
    processes.kill_all()
