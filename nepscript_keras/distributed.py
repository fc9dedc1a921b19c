"""One search on several processes, machines and GPUs.

Two independent levels, usable together:

- Across processes/machines: KerasTuner's chief/worker mode. The chief holds the one oracle and serves
  it over gRPC; each worker asks it for a trial, trains and evaluates it, and reports back. KerasTuner
  reads three environment variables, which `cluster()` sets from the CLI's `--chief HOST:PORT` and
  `--worker ID` flags: `KERASTUNER_TUNER_ID` (`chief`, or `worker<ID>`), `KERASTUNER_ORACLE_IP` and
  `KERASTUNER_ORACLE_PORT`. Chief and workers must see the same `--output-dir` (a shared filesystem):
  the chief copies the best trial's generator that some worker wrote, and multi-fidelity trials reload
  their parent trial's weights, which another worker may have written.
- Inside one trial: a `tf.distribute` strategy (`distribution_strategy("mirrored")`) in whose scope the
  trial's GAN is built, so `fit` splits each batch across the local GPUs.

When the chief has handed out every trial and all of them ended, it exits; a worker still asking for a
trial then gets gRPC `UNAVAILABLE`, which `WorkerOracleClient` treats as the normal end of the search.
A worker killed mid-trial leaves its trial running in the oracle: start a worker with the same ID and it
is given that trial again (or restart the chief, whose reloaded oracle queues the trial for a retry).

Example:

>>> with cluster(chief="10.0.0.1:8000", worker="1"):  # on each worker machine
...     run_search("random", budget="quick", data="digits.npz", output_dir="/shared/runs/random")
"""

import contextlib
import os
import time
from typing import Iterator

import keras_tuner

from nepscript_keras.errors import ConfigError

ENV_TUNER_ID = "KERASTUNER_TUNER_ID"
ENV_ORACLE_IP = "KERASTUNER_ORACLE_IP"
ENV_ORACLE_PORT = "KERASTUNER_ORACLE_PORT"
ENV_VARS = (ENV_TUNER_ID, ENV_ORACLE_IP, ENV_ORACLE_PORT)

NOT_DISTRIBUTED = {
    "adversarial": "its supernet search is one joint training run inside the chief's oracle, not a set of "
    "independent trials; run it in one process (--distribution mirrored spreads each trial over local GPUs)",
}
"""Strategies that cannot run with a chief and workers, and why."""

DISTRIBUTIONS = ("none", "mirrored")
"""`tf.distribute` strategies a trial can be built in (`--distribution`)."""

IDLE_WAIT_SECONDS = 1.0
"""How long a worker waits before asking again when the oracle has no trial ready (IDLE)."""

CHIEF_START_SECONDS = 3600.0
"""How long a worker waits for its chief to start serving (the chief may first load data)."""

CHIEF_GONE_SECONDS = 30.0
"""How long a worker keeps asking a chief that stopped answering before it takes the search as ended."""


def parse_address(text: str) -> tuple[str, int]:
    """Splits `HOST:PORT` (IPv6 hosts in brackets, e.g. `[::1]:8000`).

    Args:
        text: The chief's address.

    Returns:
        `(host, port)`.

    Raises:
        ConfigError: for a missing host or a port outside 1..65535.
    """
    host, _, port = text.rpartition(":")
    host = host.strip("[]")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ConfigError(f"--chief {text!r} must be HOST:PORT with a port in 1..65535, e.g. 127.0.0.1:8000")
    return host, int(port)


def cluster_env(chief: str | None = None, worker: str | None = None) -> dict[str, str]:
    """Returns KerasTuner's environment variables for a chief (`chief` only) or a worker (both).

    Args:
        chief: `HOST:PORT` the chief listens on (for a worker: where to reach it), or None.
        worker: This worker's ID (any text without spaces or "chief"), or None on the chief.

    Returns:
        `{KERASTUNER_TUNER_ID, KERASTUNER_ORACLE_IP, KERASTUNER_ORACLE_PORT}`, or {} when both are None.

    Raises:
        ConfigError: for a worker without a chief address, or a bad address or ID.
    """
    if chief is None:
        if worker is not None:
            raise ConfigError(f"--worker {worker} needs --chief HOST:PORT, the address of the chief to get trials from")
        return {}
    host, port = parse_address(chief)
    if worker is not None and (not worker or "chief" in worker or any(c.isspace() for c in worker)):
        raise ConfigError(f"--worker {worker!r} must be a short ID without spaces or 'chief', e.g. 1")
    tuner_id = "chief" if worker is None else f"worker{worker}"
    return {ENV_TUNER_ID: tuner_id, ENV_ORACLE_IP: host, ENV_ORACLE_PORT: str(port)}


@contextlib.contextmanager
def cluster(chief: str | None = None, worker: str | None = None) -> Iterator[str]:
    """Makes the searches inside the block run as the chief or a worker of a distributed search.

    Sets KerasTuner's environment variables (see `cluster_env`) and restores them on exit; with
    `chief=None` and `worker=None` the environment is left as it is (so variables a user exported
    still apply).

    Args:
        chief: `HOST:PORT` of the chief, or None.
        worker: This worker's ID, or None.

    Yields:
        The role of this process: `"chief"`, `"worker"` or `"single"`.
    """
    env = cluster_env(chief, worker)
    saved = {name: os.environ.get(name) for name in env}
    os.environ.update(env)
    try:
        yield role()
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def role() -> str:
    """Returns `"chief"`, `"worker"` or `"single"`, from the environment, as KerasTuner decides it."""
    if ENV_ORACLE_IP not in os.environ:
        return "single"
    return "chief" if "chief" in os.environ.get(ENV_TUNER_ID, "") else "worker"


def is_worker() -> bool:
    """True in a distributed worker (which runs trials but does not hold the oracle or write results)."""
    return role() == "worker"


def check_search(tuner: str, overwrite: bool = False) -> None:
    """Checks that a search can run in this process's role.

    Args:
        tuner: Strategy name.
        overwrite: Whether the search was asked to start afresh.

    Raises:
        ConfigError: for a strategy that cannot run distributed, or `overwrite` on a worker (it would
            delete the search the chief is serving).
    """
    if role() == "single":
        return
    if tuner in NOT_DISTRIBUTED:
        raise ConfigError(f"--tuner {tuner} cannot run with --chief/--worker: {NOT_DISTRIBUTED[tuner]}")
    if overwrite and is_worker():
        raise ConfigError("--overwrite is for the chief only: a worker would delete the search the chief serves")


class WorkerOracleClient:
    """A worker's proxy for the chief's oracle (KerasTuner's `OracleClient`, plus the end of a search).

    Differences from KerasTuner's client: the first trial request checks that the worker sees the chief's
    files in the shared output directory; an IDLE answer (the oracle waits for running trials, e.g. at a
    progressive phase or Hyperband round boundary) waits `IDLE_WAIT_SECONDS` before asking again; and a
    chief that has gone away (`UNAVAILABLE`) ends the worker's search instead of crashing it.

    Args:
        client: The `OracleClient` KerasTuner made for this worker.
        project_dir: The search's project directory, as this worker sees it.
    """

    def __init__(self, client, project_dir: str):
        self._client = client
        self.project_dir = project_dir
        self._contacted = False

    def __getattr__(self, name):
        return getattr(self._client, name)

    def create_trial(self, tuner_id: str):
        """Asks the chief for a trial; a STOPPED trial when the chief has finished."""
        if not self._contacted:
            self._wait_for_chief()
            self._check_shared_directory()
            self._contacted = True
        trial = self._ask_for_trial(tuner_id)
        if trial.status == "IDLE":
            time.sleep(IDLE_WAIT_SECONDS)
        return trial

    def _ask_for_trial(self, tuner_id: str):
        """KerasTuner's `create_trial` request, but an unreachable chief (UNAVAILABLE) ends the search."""
        import grpc
        from keras_tuner.src import protos
        from keras_tuner.src.distribute.oracle_client import TIMEOUT

        request = protos.get_service().CreateTrialRequest(tuner_id=tuner_id)
        deadline = time.monotonic() + CHIEF_GONE_SECONDS
        while True:
            try:
                response = self._client.stub.CreateTrial(request, timeout=TIMEOUT)
                return keras_tuner.engine.trial.Trial.from_proto(response.trial)
            except grpc.RpcError as e:
                if e.code() != grpc.StatusCode.UNAVAILABLE:
                    raise
                if time.monotonic() > deadline:
                    return keras_tuner.engine.trial.Trial(keras_tuner.HyperParameters(), status="STOPPED")
                time.sleep(1.0)

    def _wait_for_chief(self) -> None:
        import grpc
        from keras_tuner.src import protos

        try:
            self._client.stub.GetSpace(protos.get_service().GetSpaceRequest(), wait_for_ready=True, timeout=CHIEF_START_SECONDS)
        except grpc.RpcError as e:
            if e.code() != grpc.StatusCode.DEADLINE_EXCEEDED:
                raise
            address = f"{os.environ.get(ENV_ORACLE_IP)}:{os.environ.get(ENV_ORACLE_PORT)}"
            raise ConfigError(f"no chief answered at {address} within {CHIEF_START_SECONDS:g} s; start the chief "
                              "(--chief HOST:PORT without --worker) first, or check the address and firewall") from None

    def _check_shared_directory(self) -> None:
        oracle_file = os.path.join(self.project_dir, "oracle.json")
        if not os.path.exists(oracle_file):
            raise ConfigError(
                f"this worker does not see the chief's {oracle_file}: chief and workers need the same --output-dir "
                "on a shared filesystem (trial models and Hyperband parent weights are exchanged through it)"
            )


def attach(tuner: keras_tuner.Tuner) -> None:
    """Adapts a newly built tuner to this process's role (`GANTuner.__init__` calls it).

    On a worker, wraps KerasTuner's oracle client in a `WorkerOracleClient`. Elsewhere, reloads an
    oracle saved in the project by another role: KerasTuner only reloads when it finds its own
    `<tuner id>.json`, so a search run as chief and workers would otherwise start again from scratch
    when resumed in one process (and the other way round).

    Args:
        tuner: A `keras_tuner.Tuner` just constructed (without `overwrite`, or on an emptied project).
    """
    if is_worker():
        tuner.oracle = WorkerOracleClient(tuner.oracle, tuner.project_dir)
        return
    own_state = os.path.join(tuner.project_dir, f"{tuner.tuner_id}.json")
    if not os.path.exists(own_state) and os.path.exists(os.path.join(tuner.project_dir, "oracle.json")):
        tuner.oracle.reload()


def distribution_strategy(name: str | None = None):
    """Returns the `tf.distribute` strategy a trial's GAN is built and trained in.

    Args:
        name: `"mirrored"` (`tf.distribute.MirroredStrategy` over all local GPUs, or the CPU when there
            are none; each batch is split across them) or `"none"`/None (the default device).

    Returns:
        A `tf.distribute.Strategy`, or None.

    Raises:
        ConfigError: for an unknown name.

    Example:

    >>> run_search("random", budget="quick", distribution_strategy=distribution_strategy("mirrored"))
    """
    if name in (None, "none"):
        return None
    if name != "mirrored":
        raise ConfigError(f"unknown --distribution {name!r}; choose one of {list(DISTRIBUTIONS)}")
    import tensorflow as tf

    return tf.distribute.MirroredStrategy()
