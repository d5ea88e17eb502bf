"""``/sparql`` of ``kg serve --sparql URL``: each query forwarded to a production triplestore.

The same interface as :class:`kg.serve.sparql.QueryPool` (``run``, ``limit``, ``close``),
so the protocol handler does not know which one answers. Before anything is sent, a query
is checked as the local workers check it (size, nesting) and parsed with rdflib's SPARQL
1.1 grammar: only a query (never an update — the query operation cannot carry one) without
``SERVICE`` anywhere goes out, so kg never makes the store call another server on a
client's behalf, whatever the store's own settings; a query the grammar rejects gets 400.
The store's answer is passed on when its media type is a SPARQL result or RDF format; any
other body (a store's HTML error page) is sent as plain text, so nothing the store writes
runs as a page of this site.
"""
from __future__ import annotations

from ..remote import Endpoint, EndpointError
from .sparql import GRAPH_TYPES, RESULT_TYPES, TEXT, Answer, refusal

_PASSED = RESULT_TYPES + GRAPH_TYPES


def _names(node, out: set[str], depth: int = 0) -> set[str]:
    """The grammar rule names in rdflib's parse tree (its CompValue nodes, in pyparsing results)."""
    from pyparsing import ParseResults
    from rdflib.plugins.sparql.parserutils import CompValue
    if depth > 2000:
        raise RecursionError
    if isinstance(node, CompValue):
        out.add(node.name)
        children = list(dict.values(node))
    elif isinstance(node, ParseResults):
        children = list(node) + list(node.values())
    elif isinstance(node, (list, tuple)):
        children = list(node)
    else:
        return out
    for c in children:
        _names(c, out, depth + 1)
    return out


def service_refusal(query: str) -> Answer | None:
    """403 for a query with ``SERVICE``, 400 for one the SPARQL 1.1 query grammar rejects."""
    from rdflib.plugins.sparql.parser import parseQuery
    try:
        tree = parseQuery(query)
        names = _names(tree, set())
    except RecursionError:
        return Answer(400, TEXT, b"query nested too deeply\n")
    except Exception as e:  # noqa: BLE001 - pyparsing's errors have no common base worth naming
        first = str(e).splitlines()[0][:200] if str(e) else type(e).__name__
        return Answer(400, TEXT, f"SPARQL syntax error (only SPARQL 1.1 queries are forwarded): {first}\n".encode())
    if "ServiceGraphPattern" in names:
        return Answer(403, TEXT, b"SERVICE (federated query) is not allowed here\n")
    return None


class EndpointPool:
    def __init__(self, endpoint: Endpoint, limit: int = 0):
        self.endpoint, self.limit = endpoint, limit

    def run(self, query: str, accept: str | None, *, default_graphs: list[str] | None = None,
            named_graphs: list[str] | None = None) -> Answer:
        refused = refusal(query) or service_refusal(query)
        if refused:
            return refused
        try:
            a = self.endpoint.send(query, accept, default_graphs=default_graphs, named_graphs=named_graphs)
        except EndpointError as e:
            return Answer(502, TEXT, f"the triplestore did not answer: {e.message}\n".encode())
        ctype = a.headers.get("Content-Type", "")
        media = ctype.split(";")[0].strip().lower()
        if a.status >= 500:
            return Answer(502, TEXT, f"the triplestore failed (HTTP {a.status})\n".encode())
        if a.status == 200 and media in _PASSED:
            return Answer(200, ctype, a.body)
        if a.status == 200:
            return Answer(502, TEXT, f"the triplestore answered {media or 'no media type'}, "
                                     "not a SPARQL result or RDF format\n".encode())
        return Answer(a.status, TEXT, a.body)  # its 4xx message, as text

    def close(self) -> None:
        pass
