"""A SPARQL query pool that starts once its store is built, answering 503 until then.

On the first start after a build, ``kg serve`` answers pages as soon as the pages' store
is ready; the SPARQL store (kg.nq's graphs and their merge) is built meanwhile in the
background (:meth:`kg.serve.storecache.Cached.start_sparql`). Until it is, a query gets
503 with ``Retry-After`` (the protocol's "not now, try again"), never a wrong or empty
answer; then the query workers start over it and answer as always.
"""
from __future__ import annotations

import threading

from .sparql import TEXT, Answer

RETRY_AFTER = 10  # seconds a client is asked to wait while the SPARQL store is built


class Deferred:
    """Stands for the pool ``make_pool()`` gives once ``cached``'s SPARQL store is built."""

    def __init__(self, cached, make_pool, limit: int):
        self.cached, self.limit = cached, limit
        self._pool = None
        self.error: str | None = None  # why the query workers could not start
        self._closed = False
        self._lock = threading.Lock()
        cached.start_sparql()
        threading.Thread(target=self._start, args=(make_pool,), name="kg-serve-sparql-pool", daemon=True).start()

    def _start(self, make_pool) -> None:
        if not self.cached.wait_sparql():
            return  # the reason is in cached.error, said on every query
        try:
            pool = make_pool()
        except Exception as e:  # noqa: BLE001 - said on every query, the pages go on
            self.error = f"{type(e).__name__}: {e}"
            return
        with self._lock:
            if not self._closed:
                self._pool, pool = pool, None
        if pool is not None:  # closed meanwhile
            pool.close()

    @property
    def ready(self) -> bool:
        return self._pool is not None

    def run(self, query: str, accept: str | None, **dataset) -> Answer:
        pool = self._pool
        if pool is not None:
            return pool.run(query, accept, **dataset)
        if self.cached.error is not None:
            return Answer(503, TEXT, f"the SPARQL store could not be built: {self.cached.error}\n".encode())
        if self.error is not None:
            return Answer(503, TEXT, f"the query workers could not start: {self.error}\n".encode())
        return Answer(503, TEXT, b"the SPARQL store is being built from dist/ (once per build); pages are served "
                                 b"meanwhile; try again in a moment\n", retry_after=RETRY_AFTER)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.close()
