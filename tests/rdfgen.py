"""Small synthetic dumps shaped like kg's ``dist/kg.nq``: a named graph per document under
``<base>graph/document/<n>`` and ``<base>graph/shared``, no blank nodes, lines sorted."""
from __future__ import annotations

from pathlib import Path


def quads(base: str, docs: int = 3, per_doc: int = 50, shared: int = 20, version: int = 1,
          changed: int | None = None) -> list[str]:
    """N-Quads lines; document ``changed`` differs when ``version`` differs (others never do)."""
    lines = []
    for d in range(1, docs + 1):
        g = f"<{base}graph/document/{d}>"
        tag = version if d == changed else 1
        for i in range(per_doc - (tag - 1)):  # a new version drops a triple per step ...
            lines.append(f'<{base}document/{d}/s{i}> <{base}p/value> "d{d} v{tag} #{i}"@en {g} .')
        lines.append(f"<{base}document/{d}> <{base}p/mentions> <{base}person/{d}> {g} .")
    for i in range(shared):
        lines.append(f'<{base}person/{i}> <http://www.w3.org/2000/01/rdf-schema#label> "Person {i}" '
                     f"<{base}graph/shared> .")
    return sorted(lines)


def write_dist(folder: Path, base: str, **kw) -> Path:
    """A dist/ folder holding only ``kg.nq``; returns the folder."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "kg.nq").write_text("\n".join(quads(base, **kw)) + "\n", encoding="utf-8")
    return folder


def graph_sizes(base: str, **kw) -> dict[str, int]:
    sizes: dict[str, int] = {}
    for line in quads(base, **kw):
        g = line.rsplit(" ", 2)[-2].strip("<>")
        sizes[g] = sizes.get(g, 0) + 1
    return sizes
