"""The SPARQL 1.1 Protocol (query operation only) and the HTML query form."""
from __future__ import annotations

import json
from .negotiate import choose
from .sparql import GRAPH_TYPES, RESULT_TYPES

FORMAT_PARAM = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
                "csv": "text/csv", "tsv": "text/tab-separated-values", "ttl": "text/turtle",
                "nt": "application/n-triples", "jsonld": "application/ld+json"}
TEXT = "text/plain; charset=utf-8"


def handle(app, method: str, qs: str, h: dict, body: bytes):
    from .app import CORS, MAX_BODY, MAX_PARAMS, Response, query_params

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
        return fail(400, "missing the query parameter")
    if app.pool is None:
        return fail(503, "this copy of the site has no SPARQL endpoint")
    query = queries[0]
    accept = FORMAT_PARAM[fmt] if fmt else h.get("accept")
    if want_html and not fmt:
        answer = app.pool.run(query, "application/sparql-results+json, text/turtle;q=0.9")
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
        return r
    answer = app.pool.run(query, accept)
    r = Response(answer.status, answer.body, {"Content-Type": answer.content_type, "Vary": "Accept", **CORS})
    if answer.truncated:
        r.headers["KG-Results-Truncated"] = f"true; limit={app.pool.limit}"
    if answer.status >= 400 and not answer.content_type.startswith("text/plain"):
        r.headers["Content-Type"] = TEXT
    return r
