"""The SPARQL 1.1 Protocol (query operation only) and the HTML query form."""
from __future__ import annotations

import json

import pyoxigraph as ox

from ..errors import quote
from .negotiate import choose
from .responses import CORS, MAX_BODY, MAX_PARAMS, Response, query_params
from .sparql import GRAPH_TYPES, RESULT_TYPES

FORMAT_PARAM = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
                "csv": "text/csv", "tsv": "text/tab-separated-values", "ttl": "text/turtle",
                "nt": "application/n-triples", "jsonld": "application/ld+json"}
TEXT = "text/plain; charset=utf-8"


def handle(app, method: str, qs: str, h: dict, body: bytes):

    def fail(status, message):
        r = app.error(status, message, h)
        r.headers.update(CORS)
        return r

    params = query_params(qs)
    if params is None:
        return fail(400, f"too many query parameters (at most {MAX_PARAMS})")
    if method == "POST":
        ctype = h.get("content-type", "").split(";")[0].strip().lower()
        if len(body) > MAX_BODY:
            return fail(413, "request body too large")
        if ctype == "application/sparql-update":
            return fail(403, "this endpoint is read-only: SPARQL Update is refused")
        if ctype == "application/sparql-query":
            try:
                params["query"] = [body.decode("utf-8")]
            except UnicodeDecodeError:
                return fail(400, "the query is not UTF-8")
        elif ctype == "application/x-www-form-urlencoded":
            try:
                form = query_params(body.decode("utf-8"))
            except UnicodeDecodeError:
                form = None
            if form is None:
                return fail(400, f"the form is not valid UTF-8 or has more than {MAX_PARAMS} fields")
            params.update(form)
        else:
            return fail(415, "POST a query as application/sparql-query or application/x-www-form-urlencoded")
    if "update" in params:
        return fail(403, "this endpoint is read-only: SPARQL Update is refused")
    queries = params.get("query", [])
    if len(queries) > 1:
        return fail(400, "give exactly one query parameter")
    want_html = choose(h.get("accept"), RESULT_TYPES + GRAPH_TYPES + ("text/html",)) == "text/html"
    fmt = params.get("format", [""])[0]
    if fmt and fmt not in FORMAT_PARAM:
        return fail(400, "format must be one of " + ", ".join(FORMAT_PARAM))
    if not queries:
        if want_html:
            return app.page(200, "sparql.html", title="SPARQL", examples=app.examples, query=app.examples[0]["query"],
                            result=None, error=None, endpoint=app.pool is not None)
        if method == "GET" or method == "HEAD":
            return _service_description(app, h, fail)
        return fail(400, "missing the query parameter")
    if app.pool is None:
        return fail(503, "this copy of the site has no SPARQL endpoint")
    query = queries[0]
    dataset = {}
    for param, key in (("default-graph-uri", "default_graphs"), ("named-graph-uri", "named_graphs")):
        iris = params.get(param, [])
        for iri in iris:
            try:
                ox.NamedNode(iri)
            except ValueError:
                return fail(400, f"{param} must be an absolute IRI, not {quote(iri)}")
        if iris:
            dataset[key] = iris
    accept = FORMAT_PARAM[fmt] if fmt else h.get("accept")
    if want_html and not fmt:
        answer = app.pool.run(query, "application/sparql-results+json, text/turtle;q=0.9", **dataset)
        result, error = None, None
        if answer.status == 200 and answer.content_type.startswith("application/sparql-results+json"):
            result = json.loads(answer.body)
        elif answer.status == 200:
            result = {"graph": answer.body.decode("utf-8")}
        else:
            error = answer.body.decode("utf-8", "replace")
        r = app.page(200 if error is None else answer.status, "sparql.html", title="SPARQL", examples=app.examples,
                     query=query, result=result, error=error, truncated=answer.truncated, endpoint=True)
        r.headers["Vary"] = "Accept"
        _retry(r, answer.retry_after)
        return r
    answer = app.pool.run(query, accept, **dataset)
    r = Response(answer.status, answer.body, {"Content-Type": answer.content_type, "Vary": "Accept", **CORS})
    if answer.truncated:
        r.headers["KG-Results-Truncated"] = f"true; limit={app.pool.limit}"
    if answer.status >= 400 and not answer.content_type.startswith("text/plain"):
        r.headers["Content-Type"] = TEXT
    _retry(r, answer.retry_after)
    return r


def _retry(r, seconds: int) -> None:
    if seconds:
        r.headers["Retry-After"] = str(seconds)


def _service_description(app, h: dict, fail):
    """GET /sparql without a query: the SPARQL 1.1 Service Description, by Accept (Turtle by default)."""
    from . import rdfout
    from .service import description
    media = choose(h.get("accept"), GRAPH_TYPES) if h.get("accept") else GRAPH_TYPES[0]
    if media is None:
        return fail(400, "missing the query parameter (without one, /sparql describes itself as "
                         + ", ".join(GRAPH_TYPES) + ")")
    g = app.graph
    if g.cached is not None and not g.cached.sparql_ready():  # the sizes are counted as it is built
        from .pending import RETRY_AFTER
        if g.cached.error:
            return fail(503, f"the SPARQL store could not be built: {g.cached.error}")
        r = fail(503, "the SPARQL store is being built from dist/ (once per build); try again in a moment")
        _retry(r, RETRY_AFTER)
        return r
    triples = description(g.base, g.graph_sizes, g.data_triples)
    body = {"text/turtle": lambda: rdfout.turtle(triples, g.context),
            "application/n-triples": lambda: rdfout.ntriples(triples),
            "application/ld+json": lambda: rdfout.jsonld(triples, g.context)}[media]()
    ctype = media + ("; charset=utf-8" if media.startswith("text/") else "")
    return app.conditional(Response(200, body, {"Content-Type": ctype, "Vary": "Accept", **CORS}), h)
