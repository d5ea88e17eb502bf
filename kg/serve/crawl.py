"""What crawlers read: ``/robots.txt`` and ``/sitemap.xml`` (every page, by its public address).

Addresses are the published IRIs (``<base>person/x``), since those dereference. A sitemap
holds at most 50,000 addresses (the protocol's limit): past that, ``/sitemap.xml`` is an
index of ``/sitemap/1.xml``, ``/sitemap/2.xml`` …, so an archive of any size is covered.
"""
from __future__ import annotations

from xml.sax.saxutils import escape

from .graph import Graph

PER_SITEMAP = 50_000
_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


def robots(base: str) -> str:
    """Pages and data for everyone; the query endpoint and the search are not for crawling."""
    return ("User-agent: *\n"
            "Disallow: /sparql\n"
            "Disallow: /search\n"
            "Allow: /\n"
            f"Sitemap: {base}sitemap.xml\n")


def addresses(g: Graph) -> list[str]:
    """The home page, the dataset, the downloads, and every entity's page, in IRI order."""
    pages = [g.base, f"{g.base}dataset", f"{g.base}dumps/"]
    if g.ontology_path is not None:  # kg's vocabulary, where this site publishes it
        pages.append(g.ontology_document)
    if g.types_path is not None:
        pages.append(g.types_index)
    pages += [iri for iri in g.subjects if g.path_of(iri) is not None and iri != f"{g.base}dataset"]
    return pages


def _urlset(urls: list[str]) -> bytes:
    body = "".join(f"<url><loc>{escape(u)}</loc></url>\n" for u in urls)
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="{_NS}">\n{body}</urlset>\n'.encode("utf-8")


def sitemap(g: Graph, path: str, per: int = PER_SITEMAP) -> bytes | None:
    """``/sitemap.xml`` (the one sitemap, or the index of several) or ``/sitemap/<n>.xml``; None if there is no such page."""
    urls = addresses(g)
    parts = [urls[i:i + per] for i in range(0, len(urls), per)]
    if path == "/sitemap.xml":
        if len(parts) == 1:
            return _urlset(parts[0])
        body = "".join(f"<sitemap><loc>{escape(g.base)}sitemap/{n}.xml</loc></sitemap>\n"
                       for n in range(1, len(parts) + 1))
        return (f'<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="{_NS}">\n{body}</sitemapindex>\n'
                .encode("utf-8"))
    name = path[len("/sitemap/"):]
    number = name[:-len(".xml")] if name.endswith(".xml") else ""
    if len(parts) > 1 and number.isdigit() and number.isascii() and 1 <= int(number) <= len(parts) \
            and number == str(int(number)):
        return _urlset(parts[int(number) - 1])
    return None
