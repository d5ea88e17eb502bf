"""The dataset's VoID + DCAT description (``dist/void.ttl``) with build provenance.

It states the triple count, the classes and properties used with their counts, every
distribution with media type (a gzipped dump: the media type of what it holds, and
``dcat:compressFormat`` gzip; kg's ontology, ``ontology.ttl``, is one too, and its
namespace the dataset's ``void:vocabulary``), byte size, SHA-256, download URL and access URL (the
downloads page), the SPARQL endpoint that ``kg serve`` answers at ``<base>sparql``, the
title, description, licence, publisher and sources, and ``prov:wasGeneratedBy`` a build
activity that names the software version, each input file with its checksum, and a time
from ``SOURCE_DATE_EPOCH`` or ``kg.toml``. The same node is a ``schema:Dataset`` (name,
description, licence, publisher, date modified, sources, each distribution a
``schema:DataDownload``), the view that dataset search engines read.
Every node has an IRI below ``<base>dataset``.
"""
from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.plugins.stores.memory import SimpleMemory

from . import __version__
from .curie import Prefixes
from .errors import KgError, quote
from .iris import Iris
from .merged import Merged
from .namespaces import CANONICAL, Namespaces
from .publish import Written, media_type
from .settings import CONFIG_FILE, Identity
from .vocab import DCAT, DCTERMS, PROV, RDF, RDFS, SCHEMA, SPDX, VOID, XSD

GZIP = URIRef("https://www.iana.org/assignments/media-types/application/gzip")

def _checksum(g: Graph, owner: URIRef, digest: str) -> None:
    node = Iris.below(owner, "sha256")
    g.add((node, RDF.type, SPDX.Checksum))
    g.add((node, RDFS.label, Literal(f"SHA-256 {digest}", lang="en")))
    g.add((node, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
    g.add((node, SPDX.checksumValue, Literal(digest, datatype=XSD.hexBinary)))
    g.add((owner, SPDX.checksum, node))


def build_time(epoch: int | None, fallback: str) -> datetime:
    """``SOURCE_DATE_EPOCH`` if set, else the ``modified`` date of ``kg.toml``.

    :func:`kg.settings.load_settings` checks both; a value that still fails is an input
    error, not a crash.
    """
    try:
        if epoch is not None:
            return datetime.fromtimestamp(epoch, tz=timezone.utc)
        return datetime.fromisoformat(fallback).replace(tzinfo=timezone.utc)
    except (ValueError, OverflowError, OSError):
        if epoch is not None:
            raise KgError(f"SOURCE_DATE_EPOCH={epoch} is not a time a build can name",
                          field="SOURCE_DATE_EPOCH") from None
        raise KgError(f"expected a date such as 2026-11-24, got {quote(fallback)}", path=CONFIG_FILE,
                      field="modified") from None


def describe(union: Merged, files: dict[str, Written], inputs: dict[str, str], *, base: str,
             identity: Identity, sources: list[str], when: datetime,
             namespaces: Namespaces = CANONICAL) -> Graph:
    g = Graph(store=SimpleMemory())  # no contexts or events: a third of the time per triple
    ds = URIRef(f"{base}dataset")
    g.add((ds, RDF.type, VOID.Dataset))
    g.add((ds, RDF.type, DCAT.Dataset))
    g.add((ds, RDF.type, SCHEMA.Dataset))
    _identity(g, ds, identity)
    modified = Literal(when.date().isoformat(), datatype=XSD.date)
    g.add((ds, DCTERMS.modified, modified))
    g.add((ds, SCHEMA.dateModified, modified))
    g.add((ds, VOID.uriSpace, Literal(base)))
    g.add((ds, VOID.sparqlEndpoint, URIRef(f"{base}sparql")))
    g.add((ds, VOID.vocabulary, URIRef(namespaces.ontology)))  # kg's own terms: dist/ontology.ttl
    g.add((ds, DCAT.landingPage, URIRef(base)))
    g.add((ds, SCHEMA.url, URIRef(base)))
    g.add((ds, VOID.triples, Literal(len(union), datatype=XSD.integer)))
    for s in sorted(sources):
        g.add((ds, DCTERMS.source, URIRef(s)))
        g.add((ds, SCHEMA.isBasedOn, URIRef(s)))
    _partitions(g, ds, union, namespaces.prefixes())
    for name in sorted(files):
        _distribution(g, ds, name, files[name], base)
    _provenance(g, ds, inputs, when)
    return g


def _identity(g: Graph, ds: URIRef, identity: Identity) -> None:
    """Title, description, licence and publisher, as kg.toml's ``[dataset]`` gives them."""
    title = Literal(identity.title, lang="en")
    for p in (RDFS.label, DCTERMS.title, SCHEMA.name):
        g.add((ds, p, title))
    if identity.description:
        g.add((ds, DCTERMS.description, Literal(identity.description, lang="en")))
        g.add((ds, SCHEMA.description, Literal(identity.description, lang="en")))
    if identity.license:
        g.add((ds, DCTERMS.license, URIRef(identity.license)))
        g.add((ds, SCHEMA.license, URIRef(identity.license)))
    if identity.publisher:
        node = URIRef(identity.publisher_iri) if identity.publisher_iri else Iris.below(ds, "publisher")
        g.add((ds, DCTERMS.publisher, node))
        g.add((ds, SCHEMA.publisher, node))
        g.add((node, RDF.type, DCTERMS.Agent))
        g.add((node, RDF.type, SCHEMA.Organization))
        g.add((node, RDFS.label, Literal(identity.publisher, lang="en")))
        g.add((node, SCHEMA.name, Literal(identity.publisher, lang="en")))


def _partitions(g: Graph, ds: URIRef, union: Merged, prefixes: dict[str, str]) -> None:
    classes, props = union.partitions
    g.add((ds, VOID.classes, Literal(len(classes), datatype=XSD.integer)))
    g.add((ds, VOID.properties, Literal(len(props), datatype=XSD.integer)))
    for cls, n in classes.items():
        node = Iris.below(ds, "class", _prefixed(cls, prefixes))
        g.add((ds, VOID.classPartition, node))
        g.add((node, VOID["class"], cls))
        g.add((node, VOID.entities, Literal(n, datatype=XSD.integer)))
        g.add((node, RDFS.label, Literal(f"class {_prefixed(cls, prefixes)}", lang="en")))
    for prop, n in props.items():
        node = Iris.below(ds, "property", _prefixed(prop, prefixes))
        g.add((ds, VOID.propertyPartition, node))
        g.add((node, VOID.property, prop))
        g.add((node, VOID.triples, Literal(n, datatype=XSD.integer)))
        g.add((node, RDFS.label, Literal(f"property {_prefixed(prop, prefixes)}", lang="en")))


def _prefixed(iri: URIRef, prefixes: dict[str, str]) -> str:
    """A readable, unique path segment for a term: ``crm-E21_Person``."""
    hit = Prefixes.of(prefixes).split(str(iri))
    if hit:
        return f"{hit[0]}-{hit[1]}".replace("/", "_").replace("#", "_")
    return "x-" + hashlib.sha256(str(iri).encode()).hexdigest()[:12]


def _distribution(g: Graph, ds: URIRef, name: str, file: Written, base: str) -> None:
    node = Iris.below(ds, "distribution", name)
    url = URIRef(f"{base}dumps/{name}")
    g.add((ds, DCAT.distribution, node))
    g.add((ds, SCHEMA.distribution, node))
    g.add((node, RDF.type, DCAT.Distribution))
    g.add((node, RDF.type, SCHEMA.DataDownload))
    g.add((node, RDFS.label, Literal(name, lang="en")))
    g.add((node, SCHEMA.name, Literal(name, lang="en")))
    g.add((node, DCAT.downloadURL, url))
    g.add((node, SCHEMA.contentUrl, url))
    g.add((node, DCAT.accessURL, URIRef(f"{base}dumps/")))
    held = media_type(name[:-3] if name.endswith(".gz") else name)  # a .gz holds a dump of that type
    g.add((node, DCAT.mediaType, URIRef(f"https://www.iana.org/assignments/media-types/{held}")))
    g.add((node, SCHEMA.encodingFormat, Literal(held)))
    g.add((node, DCAT.byteSize, Literal(file.size, datatype=XSD.nonNegativeInteger)))
    g.add((node, SCHEMA.contentSize, Literal(f"{file.size} B")))
    if name.endswith(".gz"):
        g.add((node, DCAT.compressFormat, GZIP))
    if name in ("kg.nt", "kg.ttl", "kg.nq", "kg.jsonld"):
        g.add((ds, VOID.dataDump, URIRef(f"{base}dumps/{name}")))
    _checksum(g, node, file.sha256)


def _provenance(g: Graph, ds: URIRef, inputs: dict[str, str], when: datetime) -> None:
    """The build that made the dataset, and the inputs it used (``inputs``: path → SHA-256)."""
    act = Iris.below(ds, "build")
    g.add((ds, PROV.wasGeneratedBy, act))
    g.add((act, RDF.type, PROV.Activity))
    g.add((act, RDFS.label, Literal(f"kg {__version__} build", lang="en")))
    g.add((act, PROV.endedAtTime, Literal(when.strftime("%Y-%m-%dT%H:%M:%SZ"), datatype=XSD.dateTime)))
    sw = Iris.below(ds, "software", f"kg-{__version__}")
    g.add((act, PROV.wasAssociatedWith, sw))
    g.add((sw, RDF.type, PROV.SoftwareAgent))
    g.add((sw, RDFS.label, Literal(f"kg {__version__}", lang="en")))
    for path in sorted(inputs):
        node = Iris.below(ds, "input", *Path(path).parts)
        g.add((act, PROV.used, node))
        g.add((node, RDF.type, PROV.Entity))
        g.add((node, RDFS.label, Literal(path, lang="en")))
        _checksum(g, node, inputs[path])
