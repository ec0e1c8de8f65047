"""The writing half of a bulk import, in a process of its own.

An import's work splits between Python preparing rows (history hashes, word pairs, row tuples:
about 70 µs a claim with pickling) and SQLite writing them (about 100 µs). In one process the
two cannot overlap: one thread at a time runs Python, and executemany binds every row's values
as Python. Measured: binding a batch took 22 µs a claim alone and 78 µs beside a thread
preparing the next batch. So an import of more than one batch hands its writes to a child
process with its own connection to the same file: this process prepares and pickles batch
k + 1 while the child writes batch k.

The child is a plain ``python`` running this module's ``main``, speaking over its stdin and
stdout (pickles with their length in front). It is not a multiprocessing spawn, which re-runs
the parent's main script in the child and so breaks any script calling the store without a
``__main__`` guard.

The file stays safe because SQLite locks it across processes as within one; the store's other
writes stay out because the import holds the store's write lock throughout. Batches are written
in order, each in a transaction of its own (``bulk.write_batch``).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import os
import pickle
import struct
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO

from bot.store.sqlite import bulk
from bot.store.sqlite.connection import connect

log = logging.getLogger(__name__)

_LENGTH = struct.Struct(">Q")  # each message: its length, then that many bytes of pickle
_STOP = b""
# The writer waits for a checkpoint to finish once every this many batches (see serve).
_RESTART_EVERY = 4
# How the child starts (not ``-m``: the package imports this module before runpy would run it).
_CHILD = f"from {__name__} import main; main()"


def _child_environment() -> dict[str, str]:
    """This environment, with the folder this code was imported from first on the path: the
    child runs the same Claimdesk as the parent, installed or not."""
    source_root = str(Path(__file__).resolve().parents[3])
    inherited = os.environ.get("PYTHONPATH")
    path = source_root + (os.pathsep + inherited if inherited else "")
    return {**os.environ, "PYTHONPATH": path}


class WriterStopped(RuntimeError):
    """The child process went away before acknowledging a batch."""


def send(stream: IO[bytes], payload: bytes) -> None:
    stream.write(_LENGTH.pack(len(payload)))
    stream.write(payload)
    stream.flush()


def receive(stream: IO[bytes]) -> bytes | None:
    """The next message, or None when the other side has closed the stream."""
    header = stream.read(_LENGTH.size)
    if len(header) < _LENGTH.size:
        return None
    (length,) = _LENGTH.unpack(header)
    payload = stream.read(length)
    return payload if len(payload) == length else None


class BatchWriter:
    """A child process writing prepared batches in order; at most one batch in flight."""

    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        self._process = process
        assert process.stdin is not None
        assert process.stdout is not None
        self._to_child: IO[bytes] = process.stdin
        self._from_child: IO[bytes] = process.stdout
        self._in_flight = False
        # The exchanges run in worker threads; one at a time, even when a cancelled caller's
        # thread is still finishing one while close() begins.
        self._exchange = threading.Lock()

    @classmethod
    async def start(cls, path: Path) -> BatchWriter:
        process = await asyncio.to_thread(
            subprocess.Popen,
            [sys.executable, "-c", _CHILD, str(path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=_child_environment(),
        )
        return cls(process)

    async def write(self, rows: bulk.BatchRows) -> None:
        """Hand over ``rows``; returns once the batch before them is written.

        Pickling happens here, while the child is still writing that earlier batch; a failure
        of that batch is raised here.
        """
        payload = pickle.dumps(rows, protocol=pickle.HIGHEST_PROTOCOL)
        await asyncio.to_thread(self._hand_over, payload)

    async def finish(self) -> None:
        """Wait until the last batch handed over is written (or raise its failure)."""
        await asyncio.to_thread(self._finish)

    async def close(self) -> None:
        """Stop the child after the batch it may be writing; never leaves it running.

        Even when cancelled, this returns only once the child is gone: the caller releases
        the store's write lock next, and the child must not be writing by then.
        """
        stopping = asyncio.ensure_future(asyncio.to_thread(self._stop))
        try:
            await asyncio.shield(stopping)
        except asyncio.CancelledError:
            await stopping
            raise

    def _hand_over(self, payload: bytes) -> None:
        with self._exchange:
            self._acknowledged()
            try:
                send(self._to_child, payload)
            except BrokenPipeError:
                raise self._stopped() from None
            self._in_flight = True

    def _finish(self) -> None:
        with self._exchange:
            self._acknowledged()

    def _acknowledged(self) -> None:
        if not self._in_flight:
            return
        self._in_flight = False
        answer = receive(self._from_child)
        if answer is None:
            raise self._stopped()
        failure = pickle.loads(answer)
        if failure is not None:
            raise failure

    def _stopped(self) -> WriterStopped:
        code = self._process.wait()
        return WriterStopped(f"the bulk import's writer process stopped (exit code {code})")

    def _stop(self) -> None:
        with self._exchange:
            try:
                self._acknowledged()
            except Exception:
                # Only reached when the import is already failing for another reason, which
                # is the error the caller sees; this one is kept in the log.
                log.exception("a bulk import batch failed while the import was being stopped")
            with contextlib.suppress(OSError):  # when the child is gone already
                send(self._to_child, _STOP)
                self._to_child.close()
            self._process.wait()
            self._from_child.close()


async def serve(path: Path, requests: IO[bytes], answers: IO[bytes]) -> None:
    """The child's loop: write each batch received, answer None or the failure, until stopped.

    Each batch's checkpoint runs on a second connection while the next batch is written: it is
    mostly the disk's time (syncing the WAL and the database), which the writing overlaps. The
    WAL starts over only when a checkpoint has copied all of it before a write begins, so every
    ``_RESTART_EVERY`` batches the writer waits for the checkpoint instead, and the WAL stays
    within that many batches.
    """
    db = await connect(path)
    checkpointer = await connect(path)
    checkpointing: asyncio.Future[None] | None = None
    covered = -1  # the last batch whose checkpoint was started
    try:
        # The import checkpoints itself, after each batch.
        await db.execute("PRAGMA wal_autocheckpoint = 0")
        for written in itertools.count():
            payload = receive(requests)
            if not payload:  # stopped, or the importing process is gone
                return
            rows: bulk.BatchRows = pickle.loads(payload)
            failure: Exception | None = None
            try:
                restart = written % _RESTART_EVERY == 0
                if checkpointing is not None and (checkpointing.done() or restart):
                    await checkpointing  # also raises its failure, if it failed
                    checkpointing = None
                    if restart and covered < written - 1:
                        await bulk.checkpoint(checkpointer)  # the batches written since
                await bulk.write_batch(db, rows)
                if checkpointing is None:
                    checkpointing = asyncio.ensure_future(bulk.checkpoint(checkpointer))
                    covered = written
            except Exception as error:
                failure = error
            send(answers, pickle.dumps(failure))
    finally:
        if checkpointing is not None:
            await checkpointing
        await checkpointer.close()
        await db.close()


def main() -> None:
    # Answers go to the real stdout only; anything else printing is sent to stderr instead.
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    asyncio.run(serve(Path(sys.argv[1]), sys.stdin.buffer, answers))
