"""One archive record → its document, translation, archival item and holdings.

Patterns (MODEL.md): the text as written is ``crm:E31_Document`` + ``crm:E33_Linguistic_Object``
+ ``schema:ArchiveComponent`` (a telegram or cable also ``schema:Message``); its English
translation a ``crm:E33_Linguistic_Object`` + ``schema:CreativeWork``
(``crm:P73i_is_translation_of``); the sheets in the archive a ``crm:E22_Human-Made_Object``
that ``crm:P128_carries`` the document and ``crm:P46i_forms_part_of`` its lowest holding,
which is part of the one above, up to the fond (each a ``crm:E78_Curated_Holding`` typed by
its level: fond, opis, papka, delo, box, file …). Texts the record has carry their full
content as ``crm:P190_has_symbolic_content``; passages' offsets count characters of that
content. A record with the translation only publishes the document without its text.
"""
from __future__ import annotations


from rdflib import Graph, Literal, URIRef

from ..errors import FactsError, quote
from ..facts import DocumentFacts
from ..iris import Iris, slug
from ..names import names_archive
from ..records import Record
from ..vocab import CRM, DCTERMS, SCHEMA, XSD
from .. import timespans
from .entities import map_languages
from .patterns import Context, appellation, en, has_type, identifier, label, time_span, typed


def _translation_node(doc: URIRef, record: Record) -> URIRef:
    return Iris.below(doc, "translation", record.translation.language if record.translation else "en")


def text_nodes(ctx: Context, record: Record) -> dict[str, URIRef]:
    """Text id (:meth:`Record.text_ids`) → node: the first original is the document itself,
    another original ``<doc>/original/<lang>``, a translation ``<doc>/translation/<lang>``."""
    doc = ctx.iris.document(record.number)
    nodes = {"original": doc, "translation": _translation_node(doc, record)}
    for which, t in record.text_ids():
        if which not in nodes:
            nodes[which] = Iris.below(doc, t.role, t.language)
    return nodes


def text_labels(record: Record) -> dict[str, str]:
    lang = record.translation.language if record.translation else "en"
    labels = {"original": f"document {record.number} (original)",
              "translation": f"document {record.number} ({lang} translation)"}
    for which, t in record.text_ids():
        labels.setdefault(which, f"document {record.number} ({t.language} {t.role})")
    return labels


def find_archive(ctx: Context, record: Record) -> str:
    """The registry's archive that the citation names (checked for every record before mapping)."""
    key = ctx.names.archive(record)
    if key is None:
        raise FactsError(f"the cited archive of {record.path} is not in the registry", path=record.path,
                         line=record.lines.get("citation"), field="citation")
    return key


def find_person(ctx: Context, record: Record, name: str, field: str) -> str:
    key = ctx.names.person(name)
    if key is None:
        raise FactsError(f"{quote(name)} is not a person of the registry", path=record.path,
                         line=record.lines.get(field), field=field)
    return key


def map_document(g: Graph, ctx: Context, facts: DocumentFacts) -> None:
    """The document node, its title, identifiers, creation, texts and archival location."""
    r = facts.record
    doc = ctx.iris.document(r.number)
    typed(g, doc, CRM.E31_Document, CRM.E33_Linguistic_Object, SCHEMA.ArchiveComponent)
    if facts.kind in ("telegram", "cable"):
        typed(g, doc, SCHEMA.Message)
    has_type(g, doc, facts.kind)
    label(g, doc, r.title, name=True)
    title = Iris.below(doc, "title")
    typed(g, title, CRM.E35_Title)
    g.add((title, CRM.P190_has_symbolic_content, en(r.title)))
    label(g, title, r.title)
    g.add((doc, CRM.P102_has_title, title))
    originals = [t for t in r.texts if t.role == "original"]
    for code in dict.fromkeys(r.original_languages + tuple(t.language for t in originals if t.language)):
        _language(g, ctx, doc, code)
    if r.original:
        g.add((doc, CRM.P190_has_symbolic_content, Literal(r.original.content)))
    _other_texts(g, ctx, r, doc)
    identifier(g, doc, "archive-document-number", r.number, "archive-document-number", f"{ctx.archive} document")
    g.add((doc, SCHEMA.identifier, Literal(r.number)))
    if r.url:
        g.add((doc, SCHEMA.url, URIRef(r.url)))
    g.add((doc, DCTERMS.bibliographicCitation, en(r.citation)))
    if r.summary:
        g.add((doc, SCHEMA.description, en(r.summary)))
    if r.credits:
        g.add((doc, CRM.P3_has_note, en(r.credits)))
    creation = Iris.below(doc, "creation")
    typed(g, creation, CRM.E65_Creation)
    label(g, creation, f"creation of document {r.number}")
    g.add((doc, CRM.P94i_was_created_by, creation))
    span = timespans.parse(r.date)
    time_span(g, creation, span, timespans.label(span), schema_dates=False)
    # A header may give the day, or only the month or year ("September 1956"): the literal says which.
    precision = {10: XSD.date, 7: XSD.gYearMonth, 4: XSD.gYear}[len(r.date)]
    g.add((doc, SCHEMA.dateCreated, Literal(r.date, datatype=precision)))
    if r.translation or r.translators:
        _translation(g, ctx, facts, doc)
    _archival_item(g, ctx, r, doc)
    _registration(g, ctx, r, doc)


def _language(g: Graph, ctx: Context, node: URIRef, code: str) -> None:
    """The text's language, and the language node with it: each validation unit (one
    document with the shared graph) holds the languages its texts use, and only those."""
    map_languages(g, ctx, {code})
    g.add((node, CRM.P72_has_language, ctx.iris.language(code)))
    g.add((node, SCHEMA.inLanguage, Literal(code)))


def _other_texts(g: Graph, ctx: Context, r: Record, doc: URIRef) -> None:
    """The texts besides the first original and the (English) translation: another original
    forms part of the document; another translation is a translation of it (its translators
    are not said: the header's credit is for the English one)."""
    nodes = text_nodes(ctx, r)
    for which, t in r.text_ids():
        if which in ("original", "translation"):
            continue
        node = nodes[which]
        if t.role == "translation":
            _translation_of(g, ctx, node, doc, t.language, f"{r.title} ({t.language} translation)")
        else:
            typed(g, node, CRM.E33_Linguistic_Object, SCHEMA.CreativeWork)
            label(g, node, f"{r.title} ({t.language} original)", name=True)
            g.add((node, CRM.P106i_forms_part_of, doc))
            g.add((node, SCHEMA.isPartOf, doc))
            _language(g, ctx, node, t.language)
        g.add((node, CRM.P190_has_symbolic_content, Literal(t.content)))


def _translation_of(g: Graph, ctx: Context, tr: URIRef, doc: URIRef, lang: str, name: str) -> None:
    """``tr`` as a translation of ``doc`` into ``lang``, named ``name``."""
    typed(g, tr, CRM.E33_Linguistic_Object, SCHEMA.CreativeWork)
    has_type(g, tr, "translation")
    label(g, tr, name, name=True)
    g.add((tr, CRM.P73i_is_translation_of, doc))
    g.add((doc, CRM.P73_has_translation, tr))
    g.add((tr, SCHEMA.translationOfWork, doc))
    g.add((doc, SCHEMA.workTranslation, tr))
    _language(g, ctx, tr, lang)


def _translation(g: Graph, ctx: Context, facts: DocumentFacts, doc: URIRef) -> None:
    r = facts.record
    tr = text_nodes(ctx, r)["translation"]
    lang = r.translation.language if r.translation else "en"
    _translation_of(g, ctx, tr, doc, lang, f"{r.title} ({lang} translation)")
    if r.translation:
        g.add((tr, CRM.P190_has_symbolic_content, Literal(r.translation.content)))
    if r.translators:
        creation = Iris.below(tr, "creation")
        typed(g, creation, CRM.E65_Creation)
        label(g, creation, f"translation of document {r.number}")
        g.add((tr, CRM.P94i_was_created_by, creation))
        for name in r.translators:
            key = find_person(ctx, r, name, "translators")
            person = ctx.node(key)
            g.add((creation, CRM.P14_carried_out_by, person))
            g.add((tr, SCHEMA.translator, person))
            _header_name(g, ctx, key, name, doc)


def _header_name(g: Graph, ctx: Context, key: str, name: str, doc: URIRef) -> None:
    """For an entity known only from records' headers: its name as this record's header
    writes it is used by this document (the name node itself is in the shared graph)."""
    if ctx.entities[key].source == "header":
        g.add((Iris.below(ctx.node(key), "name", f"en-{slug(name)}"), CRM.P67i_is_referred_to_by, doc))


def _archival_item(g: Graph, ctx: Context, r: Record, doc: URIRef) -> None:
    sm = r.shelfmark
    if ctx.names.archive(r) is None and not names_archive(r):
        # The citation names no archive kg could read (and none of its parts is a registered
        # archive): the holder is not said. The reference is kept as the document's shelfmark.
        if sm is not None and sm.text:
            identifier(g, doc, "shelfmark", sm.text, "shelfmark", "reference as cited")
        return
    archive_key = find_archive(ctx, r)
    archive = ctx.node(archive_key)
    g.add((doc, SCHEMA.holdingArchive, archive))
    if sm is not None:
        _header_name(g, ctx, archive_key, sm.archive, doc)
    if sm is None or not sm.text:   # the citation names the archive but no shelfmark
        return
    item = Iris.below(doc, "item")
    typed(g, item, CRM["E22_Human-Made_Object"])
    label(g, item, f"archival item {sm.label()}")
    g.add((item, CRM.P128_carries, doc))
    g.add((item, CRM.P50_has_current_keeper, archive))
    identifier(g, item, "shelfmark", sm.label(), "shelfmark", "shelfmark")
    if sm.pages_marked:
        g.add((item, CRM.P3_has_note, en("The transcript marks sheet(s) " + ", ".join(sm.pages_marked) + ".")))
    parent, path, names = None, [archive_key], []
    for level, value in sm.levels:
        path.append(value)
        names.append(f"{level.replace('-', ' ')} {value}")
        node = ctx.iris.holding(*path)  # holding/garf/5446/98c/718
        typed(g, node, CRM.E78_Curated_Holding)
        has_type(g, node, level)
        label(g, node, f"{ctx.label(archive_key)}, " + ", ".join(names))
        g.add((node, CRM.P50_has_current_keeper, archive))
        if parent is not None:
            g.add((node, CRM.P46i_forms_part_of, parent))
        parent = node
    if parent is not None:
        g.add((item, CRM.P46i_forms_part_of, parent))


def _registration(g: Graph, ctx: Context, r: Record, doc: URIRef) -> None:
    """Registration numbers written on the document (e.g. "Spets N 1423-1427")."""
    nodes = text_nodes(ctx, r)
    for which, text in r.text_ids():
        for a in text.annotations:
            if a.kind != "registration":
                continue
            seg = f"registration-{text.language or text.role}"
            node = identifier(g, doc, seg, _line_around(text.content, a.start, a.end),
                              "registration-number", "registration number")
            g.add((node, CRM.P106i_forms_part_of, nodes[which]))


def _line_around(content: str, start: int, end: int) -> str:
    """The whole written line a mark stands on ("MFA 19 September Spets N 1423-1427")."""
    a = max(content.rfind("\n", 0, start), content.rfind("[", 0, start)) + 1
    stops = [i for i in (content.find("\n", end), content.find("]", end)) if i != -1]
    return content[a:min(stops) if stops else len(content)].strip()


def map_names(g: Graph, ctx: Context, facts: DocumentFacts) -> None:
    """Names as written in this document: appellations that form part of its text."""
    nodes = text_nodes(ctx, facts.record)
    for use in facts.names:
        node = appellation(g, ctx.node(use.entity), use.text, use.lang, "name-as-written")
        g.add((node, CRM.P106i_forms_part_of, nodes[use.which]))
