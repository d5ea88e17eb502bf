"""Serve the published graph as linked data, or export it as a static site.

``app.App`` answers requests (pure: request → response); ``server`` puts it behind the
standard library's HTTP server for ``kg serve``; ``site`` writes every page and data file
for ``kg site``. Data comes from ``dist/`` only; SPARQL runs in killable worker processes
(``sparql``).
"""
