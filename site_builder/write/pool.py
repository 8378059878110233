"""Render outputs on every core in forked workers that share the builder's memory.

The outputs reach the workers through the fork itself: each worker's target is a
``functools.partial`` holding them, and under the fork start method a process target is
never pickled. So no module state carries them, and nothing of the model or the templates
is pickled; only the rendered bytes travel back, over one pipe per worker.

A worker that fails reports which output; the builder then renders that output itself, so
the error raised is the real one with its real traceback (whatever it is, picklable or not).
A worker that dies leaves its share to the builder as well.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Sequence
from functools import partial
from multiprocessing.connection import Connection, wait
from typing import Protocol

BATCH = 64  # outputs per message back to the builder


class Renderable(Protocol):
    """What the writer needs of an output (``plan.routes.Output`` is one)."""

    @property
    def path(self) -> str: ...

    @property
    def fingerprint(self) -> str: ...

    @property
    def make(self) -> Callable[[], bytes]: ...


def render_forked(outputs: Sequence[Renderable], workers: int) -> list[bytes]:
    """Every output's bytes, in order, rendered by ``workers`` forked processes."""
    context = multiprocessing.get_context("fork")
    results: list[bytes | None] = [None] * len(outputs)
    readers: list[Connection] = []
    processes = []
    failed = -1
    try:
        for n in range(workers):
            reader, writer = context.Pipe(duplex=False)
            share = range(n, len(outputs), workers)  # strided: every kind of page in every share
            process = context.Process(target=partial(_work, outputs, share, writer), daemon=True)
            process.start()
            writer.close()  # the worker holds the only writing end: its exit is our end of file
            readers.append(reader)
            processes.append(process)
        while readers and failed < 0:
            for reader in wait(readers):
                try:
                    kind, payload = reader.recv()
                except EOFError:
                    readers.remove(reader)
                    reader.close()
                    continue
                if kind == "failed":
                    failed = payload
                    break
                for index, data in payload:
                    results[index] = data
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()
            process.join()
        for reader in readers:
            reader.close()
    if failed >= 0:
        results[failed] = outputs[failed].make()  # raises here, in the builder, as it did in the worker
    return [outputs[i].make() if data is None else data for i, data in enumerate(results)]


def _work(outputs: Sequence[Renderable], share: range, conn: Connection) -> None:
    """A worker's whole life: render its share, send it back in batches, stop at the first failure."""
    batch: list[tuple[int, bytes]] = []
    try:
        for index in share:
            try:
                batch.append((index, outputs[index].make()))
            except BaseException:  # noqa: BLE001 - reported by index; the builder re-raises it
                conn.send(("failed", index))
                return
            if len(batch) >= BATCH:
                conn.send(("done", batch))
                batch = []
        conn.send(("done", batch))
    finally:
        conn.close()
