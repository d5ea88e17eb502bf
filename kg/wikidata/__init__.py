"""Wikidata reconciliation: explainable candidates, a reviewed link file, offline builds.

The flow (``kg link``): the registry and the documents say what is known about each entity
(:mod:`.subjects`) → the Wikidata API is asked for candidates (:mod:`.client`, the only
module that touches the network) → each candidate's JSON becomes a
:class:`~kg.wikidata.scoring.Candidate` (:mod:`.items`) → pure feature functions score it
(:mod:`.scoring`) → proposals are merged into ``data/wikidata/review.tsv``
(:mod:`.review`, :mod:`.link`). Nothing becomes a link until a person accepts it; ``kg
build`` reads only the accepted rows of the review file (:func:`.review.accepted_links`),
never the network.

This package's ``__init__`` imports nothing, so the build can read the review file without
loading ``requests``.
"""
