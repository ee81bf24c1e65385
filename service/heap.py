"""The cyclic garbage collector, tuned for a long-running web or worker process.

Python's defaults collect the youngest generation every 700 allocations and, every hundred of
those, walk every object in the process: the directory, the GraphQL schema, the templates,
SQLAlchemy's mappers. A GraphQL page of 100 submissions allocates a few hundred thousand short-
lived objects, so on such pages a full collection stopped the request for up to 220 ms (a
quarter of the CPU time of the run, and its whole p95; measured in docs/performance.md).

So once the process has imported and built what it keeps for life, those objects are frozen
(gc.freeze: left out of every later collection), and the youngest generation is collected
every INTAKE_GC_GEN0_THRESHOLD allocations instead of 700, so that most of a request's objects
are freed by reference counting before a collection ever sees them. 0 leaves Python's defaults.
"""

from __future__ import annotations

import gc

from service.settings import Settings


def settle(settings: Settings) -> None:
    """Freeze what the process holds now and space out collections; call once, at startup."""
    if settings.gc_gen0_threshold == 0:
        return
    gc.collect()  # what is garbage now is freed, not frozen
    gc.freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(settings.gc_gen0_threshold, older, oldest)
