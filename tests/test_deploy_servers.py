"""The static deploy rules (kg/serve/deploy/) on Debian's real nginx and Apache, against `kg serve`.

`kg site` exports the test corpus; nginx and Apache each serve it on 127.0.0.1 with a
config written into a temporary folder (the shipped nginx.conf and apache-site.conf, with
only the port and the folder filled in, and the export's own .htaccess), and `kg serve`
serves the same dumps. The same requests go to all three and the answers must agree:
status, redirect target, media type, CORS, Link, Vary, Content-Location, the security
headers, and the body. Where a static host cannot answer as kg serve does, the difference
is one of DIFFERENCES below (documented in kg/serve/deploy/README.md) and the test checks
the static host's documented answer instead. The README's Debian steps are also applied to
a copy of the packaged /etc/nginx and /etc/apache2 (a2enmod, a2ensite and all), and the
same requests go to those.

The servers are found on PATH or in /usr/sbin; without them these tests skip, and with
CI=true they fail (`.ci/run` installs Debian's nginx and apache2).
"""
from __future__ import annotations

import http.client
import os
import pwd
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from importlib import resources
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from rdflib import RDF, RDFS, Graph
from rdflib.compare import isomorphic

from kg.serve.negotiate import ENTITY_TYPES, choose, parse_accept
from kg.serve.site import type_map

from .conftest import CORPUS
from .serving import when_ready

DEPLOY = resources.files("kg.serve").joinpath("deploy")
APACHE_MODULES = Path("/usr/lib/apache2/modules")
SECURITY = ("x-content-type-options", "x-frame-options", "referrer-policy")
PYLD = "application/ld+json, application/json;q=0.8, text/html;q=0.5"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
ACCEPTS = (None, "text/html", BROWSER, "text/turtle", "application/ld+json", "application/n-triples", PYLD,
           "text/turtle, text/html;q=0.1", "text/html;q=0.5, application/n-triples;q=0.6", "application/*",
           "TEXT/Turtle", "text/html;q=0, */*", "*/*;q=0.1, text/turtle;q=0.05", "application/json",
           "text/turtle, */*", "application/n-triples;q=0.9, text/turtle;q=0.9", "nonsense",
           'application/ld+json;profile="http://www.w3.org/ns/json-ld#compacted"',
           "text/html;level=1;q=0.5, text/turtle;q=0.4", "text/turtle;q=0.5;charset=utf-8, text/html;q=0.4",
           " text/turtle ; q = 0.7 ,text/html;q=0.6")
SUFFIX_OF = {"text/html": "html", "text/turtle": "ttl", "application/ld+json": "jsonld",
             "application/n-triples": "nt"}
#: Where a static host answers otherwise than kg serve; each is documented in deploy/README.md.
DIFFERENCES = {
    "nav": "static pages have no link to /sparql in their navigation (kg site renders them for a static host)",
    "search": "/search and /sparql are fixed pages: always HTML, no Vary (JSON search is /search.json)",
    "errors": "error answers (404, 406) carry the server's own body and media type",
    "no-valid-range": "an Accept with no valid media range is 406 at an entity (kg serve: as */*, HTML); "
                      "at / nginx shows the home page as kg serve does, Apache answers 406",
    "apache-wildcards": "Apache: when no range in Accept has a q, */* counts as q=0.01 and type/* as 0.02",
    "apache-home-406": "Apache: / with no acceptable type is 406 (kg serve: the HTML home page)",
    "apache-406-link": "Apache: a 406 lists the variants in its Alternates header, not in Link",
    "apache-ht": "Apache: .ht* files are 403 (Debian's apache2.conf denies them); kg serve has none: 404",
}


# ---------------------------------------------------------------- servers

def _binary(name: str) -> str:
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/local/sbin")
    if found is None:
        why = f"{name} is not installed (Debian package {name})"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{why}; .ci/run installs it", pytrace=False)
        pytest.skip(why)
    return found


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(proc: subprocess.Popen, port: int, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"the server exited with {proc.returncode}: "
                        f"{log.read_text(errors='replace')[-2000:] if log.exists() else ''}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"the server did not listen on 127.0.0.1:{port}")


def _stop(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=20)


def _readable_tmp(prefix: str) -> Path:
    """A temporary folder others may read: nginx's and Apache's workers run as another user under root."""
    tmp = Path(tempfile.mkdtemp(prefix=prefix))
    tmp.chmod(0o755)
    return tmp


@pytest.fixture(scope="module")
def site(corpus_dist):
    """`kg site` of the test corpus, as a user runs it."""
    tmp = _readable_tmp("kg-deploy-site-")
    out = tmp / "site"
    r = subprocess.run([sys.executable, "-m", "kg", "site", str(out), "--dist", str(corpus_dist)], cwd=CORPUS,
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    yield out
    shutil.rmtree(tmp)


@pytest.fixture(scope="module")
def kg_serve(corpus_dist):
    """`kg serve` of the same dumps, as a user runs it."""
    proc = subprocess.Popen([sys.executable, "-m", "kg", "serve", "--dist", str(corpus_dist), "--port", "0",
                             "--quiet", "--workers", "1"], cwd=CORPUS, stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    m = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
    if not m:
        proc.kill()
        pytest.fail(f"kg serve did not start: {line!r}")
    port = int(m.group(1))

    def sparql_page() -> tuple[int, dict, bytes]:  # 503 with Retry-After while its store is built
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", "/sparql", headers={"Accept": "text/html"})
        r = conn.getresponse()
        answer = r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
        conn.close()
        return answer

    when_ready(sparql_page)
    yield Server("kg serve", port)
    _stop(proc)


def nginx_conf(site: Path, port: int, tmp: Path) -> Path:
    """Debian's nginx.conf, cut down to what matters here, including the shipped site file."""
    shipped = DEPLOY.joinpath("nginx.conf").read_text(encoding="utf-8")
    assert "listen 80;" in shipped and "root /srv/kg-site;" in shipped
    (tmp / "kg-site.conf").write_text(shipped.replace("listen 80;", f"listen 127.0.0.1:{port};")
                                      .replace("root /srv/kg-site;", f"root {site};"), encoding="utf-8")
    temp_paths = "".join(f"    {kind}_temp_path {tmp}/{kind};\n"
                         for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    mime = "    include /etc/nginx/mime.types;\n" if Path("/etc/nginx/mime.types").is_file() else ""
    main = tmp / "nginx.conf"
    main.write_text(f"pid {tmp}/nginx.pid;\nerror_log {tmp}/error.log;\nworker_processes 1;\n"
                    "events { worker_connections 64; }\n"
                    f"http {{\n{mime}    default_type application/octet-stream;\n    sendfile on;\n"
                    f"    access_log off;\n    gzip on;\n{temp_paths}    include {tmp}/kg-site.conf;\n}}\n",
                    encoding="utf-8")
    return main


def apache_conf(site: Path, port: int, tmp: Path) -> Path:
    """Debian's apache2.conf essentials, the modules the README enables, and the shipped site file."""
    shipped = DEPLOY.joinpath("apache-site.conf").read_text(encoding="utf-8")
    assert "<VirtualHost *:80>" in shipped and "/srv/kg-site" in shipped
    (tmp / "kg-site.conf").write_text(shipped.replace("<VirtualHost *:80>", f"<VirtualHost 127.0.0.1:{port}>")
                                      .replace("/srv/kg-site", str(site)), encoding="utf-8")
    modules = ("mpm_event", "authz_core", "dir", "mime", "negotiation", "rewrite", "headers", "alias")
    load = "".join(f"LoadModule {m}_module {APACHE_MODULES / f'mod_{m}.so'}\n" for m in modules)
    debian = Path("/etc/apache2/mods-available")
    confs = "".join(f"Include {debian / (m + '.conf')}\n" for m in ("mpm_event", "dir", "mime", "negotiation")
                    if (debian / (m + ".conf")).is_file())
    user = ""
    if os.geteuid() == 0:  # Apache will not serve as root: its children run as www-data, as on Debian
        name = "www-data" if _has_user("www-data") else "nobody"
        user = f"User {name}\nGroup #{pwd.getpwnam(name).pw_gid}\n"
    main = tmp / "apache2.conf"
    main.write_text(f'ServerRoot "{tmp}"\nDefaultRuntimeDir "{tmp}"\nPidFile "{tmp}/apache2.pid"\n'
                    f'ErrorLog "{tmp}/error.log"\nLogLevel warn\nMutex file:{tmp} default\n{user}'
                    f"Listen 127.0.0.1:{port}\nServerName 127.0.0.1\n{load}{confs}"
                    "AccessFileName .htaccess\n"
                    "<Directory />\n    Options FollowSymLinks\n    AllowOverride None\n    Require all denied\n"
                    "</Directory>\n"
                    '<FilesMatch "^\\.ht">\n    Require all denied\n</FilesMatch>\n'
                    f"Include {tmp}/kg-site.conf\n", encoding="utf-8")
    return main


def _has_user(name: str) -> bool:
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


@pytest.fixture(scope="module", params=["nginx", "apache"])
def static(request, site):
    """nginx or Apache serving the export on a free port of 127.0.0.1 (not as a system service)."""
    tmp = _readable_tmp(f"kg-deploy-{request.param}-")
    port = _free_port()
    log = tmp / "error.log"
    if request.param == "nginx":
        binary = _binary("nginx")
        cmd = [binary, "-e", str(log), "-p", str(tmp), "-c", str(nginx_conf(site, port, tmp)), "-g", "daemon off;"]
    else:
        binary = _binary("apache2")
        if not (APACHE_MODULES / "mod_negotiation.so").is_file():
            pytest.fail(f"apache2 is installed but {APACHE_MODULES} has no modules")
        cmd = [binary, "-f", str(apache_conf(site, port, tmp)), "-DFOREGROUND"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _wait(proc, port, log)
        yield Server(request.param, port)
    finally:
        _stop(proc)
        errors = log.read_text(errors="replace") if log.exists() else ""
        shutil.rmtree(tmp)
    assert "[emerg]" not in errors and "[alert]" not in errors, errors[-2000:]


# ---------------------------------------------------------------- Debian's own configuration

def _edit(path: Path, *pairs: tuple[str, str]) -> None:
    text = path.read_text(encoding="utf-8")
    for old, new in pairs:
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")


def _debian_copy(name: str, tmp: Path) -> Path:
    """A copy of /etc/<name> to apply the README's steps to (the machine's own stays as it is)."""
    if os.geteuid() != 0:
        pytest.skip(f"Debian's {name} configuration runs its workers as www-data: the test needs root")
    etc = Path("/etc") / name
    if not (etc / ("nginx.conf" if name == "nginx" else "apache2.conf")).is_file():
        pytest.fail(f"{name} is installed without Debian's configuration in {etc}")
    copy = tmp / name
    shutil.copytree(etc, copy, symlinks=True)
    return copy


def debian_nginx(site: Path, port: int, tmp: Path) -> list[str]:
    """Debian's /etc/nginx with the README's steps; only the port, the log and pid paths are moved."""
    etc = _debian_copy("nginx", tmp)
    # The README: copy nginx.conf to sites-available/kg-site, link it from sites-enabled, set root.
    shutil.copyfile(DEPLOY.joinpath("nginx.conf"), etc / "sites-available" / "kg-site")
    (etc / "sites-enabled" / "kg-site").symlink_to(etc / "sites-available" / "kg-site")
    _edit(etc / "sites-available" / "kg-site", ("root /srv/kg-site;", f"root {site};"))
    for link in (etc / "sites-enabled").iterdir():  # Debian's default site links to /etc/nginx/…: to the copy
        target = Path(os.readlink(link))
        if str(target).startswith("/etc/nginx/"):
            link.unlink()
            link.symlink_to(etc / target.relative_to("/etc/nginx"))
    for f in [etc / "nginx.conf", *(etc / "sites-available").iterdir()]:
        text = f.read_text(encoding="utf-8")
        text = "\n".join(line for line in text.split("\n") if "[::]:80" not in line)
        f.write_text(text.replace("/etc/nginx", str(etc)).replace("listen 80", f"listen 127.0.0.1:{port}")
                     .replace("pid /run/nginx.pid", f"pid {tmp}/nginx.pid").replace("/var/log/nginx", str(tmp)),
                     encoding="utf-8")
    return [_binary("nginx"), "-e", str(tmp / "error.log"), "-c", str(etc / "nginx.conf"), "-g", "daemon off;"]


def debian_apache(site: Path, port: int, tmp: Path) -> list[str]:
    """Debian's /etc/apache2 with the README's steps; only the port, the log and pid paths are moved."""
    etc = _debian_copy("apache2", tmp)
    env = {**os.environ, "APACHE_CONFDIR": str(etc), "PATH": os.environ.get("PATH", "") + ":/usr/sbin"}
    # The README: a2enmod rewrite headers negotiation; apache-site.conf as sites-available/kg-site.conf; a2ensite.
    subprocess.run(["a2enmod", "-q", "rewrite", "headers", "negotiation"], env=env, check=True, timeout=60,
                   stdout=subprocess.DEVNULL)
    shutil.copyfile(DEPLOY.joinpath("apache-site.conf"), etc / "sites-available" / "kg-site.conf")
    _edit(etc / "sites-available" / "kg-site.conf", ("/srv/kg-site", str(site)))
    subprocess.run(["a2ensite", "-q", "kg-site"], env=env, check=True, timeout=60, stdout=subprocess.DEVNULL)
    _edit(etc / "ports.conf", ("Listen 80\n", f"Listen 127.0.0.1:{port}\n"))
    for f in (etc / "sites-available").glob("*.conf"):
        _edit(f, ("<VirtualHost *:80>", f"<VirtualHost *:{port}>"))
    for d in ("run", "lock", "log"):
        (tmp / d).mkdir()
    script = (f'. "{etc}/envvars"; export APACHE_PID_FILE="{tmp}/apache2.pid" APACHE_RUN_DIR="{tmp}/run" '
              f'APACHE_LOCK_DIR="{tmp}/lock" APACHE_LOG_DIR="{tmp}/log"; '
              f'exec "{_binary("apache2")}" -d "{etc}" -f "{etc}/apache2.conf" -DFOREGROUND')
    return ["env", f"APACHE_CONFDIR={etc}", "sh", "-c", script]


@pytest.fixture(scope="module", params=["nginx-debian", "apache-debian"])
def debian(request, site):
    """nginx or Apache as Debian configures it, with the README's steps, on a free port of 127.0.0.1."""
    tmp = _readable_tmp(f"kg-deploy-{request.param}-")
    port = _free_port()
    cmd = (debian_nginx if request.param == "nginx-debian" else debian_apache)(site, port, tmp)
    log = tmp / ("error.log" if request.param == "nginx-debian" else "log/error.log")
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait(proc, port, log)
        yield Server(request.param, port, host="kg.example.org")
    finally:
        _stop(proc)
        shutil.rmtree(tmp)


class Server:
    def __init__(self, name: str, port: int, host: str | None = None):
        self.name, self.port, self.host = name, port, host
        self.cache: dict = {}

    def ask(self, method: str, path: str, accept: str | None) -> "Answer":
        key = (method, path, accept)
        if key not in self.cache:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            conn.putrequest(method, path, skip_accept_encoding=True, skip_host=self.host is not None)
            if self.host is not None:
                conn.putheader("Host", self.host)
            if accept is not None:
                conn.putheader("Accept", accept)
            conn.endheaders()
            r = conn.getresponse()
            headers: dict[str, str] = {}
            for k, v in r.getheaders():
                headers[k.lower()] = headers[k.lower()] + ", " + v if k.lower() in headers else v
            self.cache[key] = Answer(r.status, headers, r.read(), f"http://127.0.0.1:{self.port}{path}")
            conn.close()
        return self.cache[key]


class Answer:
    def __init__(self, status: int, headers: dict[str, str], body: bytes, url: str):
        self.status, self.headers, self.body, self.url = status, headers, body, url

    def path_of(self, header: str) -> str | None:
        """A Location or Content-Location as an absolute path (Apache sends them absolute or relative)."""
        v = self.headers.get(header)
        return urlsplit(urljoin(self.url, v)).path if v is not None else None

    @property
    def media(self) -> str:
        return self.headers.get("content-type", "").replace(" ", "").lower()

    def links(self) -> set[str]:
        return {" ".join(m.group(0).replace(" ", "").split(";")) for m in
                re.finditer(r"<[^>]*>[^,<]*", self.headers.get("link", ""))}

    def varies_on_accept(self) -> bool:
        return "accept" in [t.strip().lower() for t in self.headers.get("vary", "").split(",")]


# ---------------------------------------------------------------- what a static host must answer

def apache_choice(accept: str | None, offers) -> str | None:
    """Apache's pick: as kg serve's, but with its rule for wildcards when no range has a q."""
    if accept and "q=" not in accept.replace(" ", "").lower():
        ranges = [r.strip() for r in accept.split(",")]
        accept = ", ".join(r + (";q=0.01" if r.startswith("*/*") else ";q=0.02" if r.endswith("/*") else "")
                           for r in ranges)
    return choose(accept, offers)


def no_valid_range(accept: str | None) -> bool:
    """Accept is there but names no media range kg serve can read (it then counts as */*)."""
    return bool(accept and accept.strip()) and "*/*" not in accept and parse_accept(accept) == [("*", "*", 1.0)]


def compare(server: Server, kg: Server, method: str, path: str, accept: str | None, kind: str) -> list[str]:
    """The differences between the two answers that DIFFERENCES does not document."""
    kg_accept, status = accept, None
    apache = server.name.startswith("apache")
    if apache and kind in ("entity", "home"):
        picked = apache_choice(accept, ENTITY_TYPES)
        if picked != choose(accept, ENTITY_TYPES):  # DIFFERENCES["apache-wildcards"]: kg serve's answer to it
            kg_accept = picked
        if kind == "home" and picked is None:
            status = 406  # DIFFERENCES["apache-home-406"]
    if no_valid_range(accept) and (kind == "entity" or (apache and kind == "home")):
        status = 406  # DIFFERENCES["no-valid-range"]
    want, got = kg.ask(method, path, kg_accept), server.ask(method, path, accept)
    fixed_page = kind == "fixed-page"
    if status is None:
        status = 200 if fixed_page else 403 if apache and kind == "ht" else want.status
    # DIFFERENCES["search"], DIFFERENCES["apache-ht"]
    where = f"{server.name} {method} {path} Accept: {accept!r}"
    problems = []
    if got.status != status:
        return [f"{where}: status {got.status}, kg serve {want.status} (expected {status})"]
    for h in SECURITY:
        if got.headers.get(h) != want.headers.get(h):
            problems.append(f"{where}: {h} {got.headers.get(h)!r}, kg serve {want.headers.get(h)!r}")
    if status >= 400:  # DIFFERENCES["errors"]: the body and its type are the server's own
        if status == 406 and want.status == 406:
            if got.varies_on_accept() != want.varies_on_accept():
                problems.append(f"{where}: Vary {got.headers.get('vary')!r}, kg serve {want.headers.get('vary')!r}")
            if not apache and got.links() != want.links():  # DIFFERENCES["apache-406-link"]
                problems.append(f"{where}: Link {got.links()}, kg serve {want.links()}")
        return problems
    if 300 <= status < 400:
        if got.path_of("location") != want.path_of("location"):
            problems.append(f"{where}: Location {got.headers.get('location')!r}, "
                            f"kg serve {want.headers.get('location')!r}")
    elif not fixed_page or want.media.startswith("text/html"):
        if got.media != want.media:
            problems.append(f"{where}: Content-Type {got.media!r}, kg serve {want.media!r}")
    if not fixed_page:
        if got.varies_on_accept() != want.varies_on_accept():
            problems.append(f"{where}: Vary {got.headers.get('vary')!r}, kg serve {want.headers.get('vary')!r}")
        for h in ("access-control-allow-origin", "access-control-expose-headers"):
            if got.headers.get(h) != want.headers.get(h):
                problems.append(f"{where}: {h} {got.headers.get(h)!r}, kg serve {want.headers.get(h)!r}")
    if status == 200 and not fixed_page:
        if got.links() != want.links():
            problems.append(f"{where}: Link {sorted(got.links())}, kg serve {sorted(want.links())}")
        if got.path_of("content-location") != want.path_of("content-location"):
            problems.append(f"{where}: Content-Location {got.headers.get('content-location')!r}, "
                            f"kg serve {want.headers.get('content-location')!r}")
        if got.headers.get("content-security-policy") != want.headers.get("content-security-policy"):
            problems.append(f"{where}: Content-Security-Policy differs")
        if method == "GET" and got.body != expected_body(want):
            problems.append(f"{where}: the body differs from kg serve's ({len(got.body)} and {len(want.body)} bytes)")
    if method == "HEAD" and got.body:
        problems.append(f"{where}: a body on HEAD")
    return problems


def expected_body(want: Answer) -> bytes:
    """kg serve's body as a static copy holds it: pages without the /sparql link (DIFFERENCES["nav"])."""
    if want.media.startswith("text/html"):
        return want.body.replace(b'<a href="/sparql">SPARQL</a> <a href="/dumps/">', b' <a href="/dumps/">')
    return want.body


# ---------------------------------------------------------------- the request matrix

def entity_sample(site: Path) -> list[str]:
    """For every kind (first path segment): its first and last entity and its most nested one; every
    distribution of the dataset; /dataset itself; kg's vocabulary, /ontology (the test corpus's
    vocabulary lies below its base, so `kg site` exports it)."""
    paths = sorted("/" + p.relative_to(site).as_posix()[:-len(".var")] for p in site.rglob("*.var")
                   if p.name != "index.var")
    by_kind: dict[str, list[str]] = {}
    for p in paths:
        by_kind.setdefault(p.split("/")[1], []).append(p)
    assert "/ontology" in paths, "kg site did not export the vocabulary (ontology.var and its four files)"
    sample = {"/dataset", "/ontology"} | {p for p in paths if p.startswith("/dataset/distribution/")}
    for group in by_kind.values():
        sample |= {group[0], group[-1], max(group, key=lambda p: (p.count("/"), p))}
    return sorted(sample)


def matrix(site: Path) -> list[tuple[str, str, str | None, str]]:
    """(method, path, Accept, kind) for every request both hosts must answer alike."""
    rows = []
    for path in entity_sample(site):
        rows += [("GET", path, a, "entity") for a in ACCEPTS]
        rows += [("HEAD", path, "text/turtle", "entity"), ("HEAD", path, None, "entity")]
        for suffix in SUFFIX_OF.values():
            rows += [("GET", f"{path}.{suffix}", None, "file"), ("GET", f"{path}.{suffix}", "text/html", "file")]
        rows.append(("HEAD", f"{path}.ttl", None, "file"))
        rows.append(("GET", path + "/", None, "missing"))
    rows += [("GET", "/", a, "home") for a in ACCEPTS] + [("HEAD", "/", None, "home")]
    # the types' index: a folder's address, its files type/index.html …, negotiated like an entity
    assert (site / "type" / "index.var").is_file()
    rows += [("GET", "/type/", a, "entity") for a in ACCEPTS]
    rows += [("HEAD", "/type/", "text/turtle", "entity"), ("HEAD", "/type/", None, "entity")]
    for suffix in SUFFIX_OF.values():
        rows += [("GET", f"/type/index.{suffix}", None, "file"), ("GET", f"/type/index.{suffix}", "text/html", "file")]
    rows += [("GET", "/type", None, "missing"), ("GET", "/type/index.var", None, "missing")]
    dumps = sorted(p.name for p in (site / "dumps").iterdir() if p.name != "index.html")
    assert "SHA256SUMS" in dumps and "kg.nq.gz" in dumps
    for name in dumps:
        rows += [("GET", f"/dumps/{name}", None, "file"), ("HEAD", f"/dumps/{name}", None, "file")]
    for path in ("/dumps/", "/dumps", "/robots.txt", "/sitemap.xml", "/search.json", "/static/kg.css",
                 "/static/kg.js", "/.well-known/void"):
        rows += [("GET", path, None, "file"), ("GET", path, "text/turtle", "file"), ("HEAD", path, None, "file")]
    for path in ("/search", "/sparql"):
        rows += [("GET", path, a, "fixed-page") for a in (None, "text/html", "application/json")]
    for path in ("/nothing", "/person/nobody", "/person/nobody.ttl", "/person/peng-dehuai.var", "/index.var",
                 "/index.ttl", "/dumps/nothing", "/static/nothing.css"):
        rows.append(("GET", path, None, "missing"))
    rows.append(("GET", "/.htaccess", None, "ht"))
    return rows


def generated_accepts(n: int = 120) -> list[str]:
    """Accept headers mixing the four types, wildcards and others, with and without q-values."""
    rng = random.Random(11)
    ranges = ("text/html", "text/turtle", "application/ld+json", "application/n-triples", "text/*",
              "application/*", "*/*", "application/json", "image/png", "application/xhtml+xml")
    qs = (None, None, "1", "0", "0.5", "0.8", "0.123", "0.9", "0.25", "1.0", "0.05", "0.800")
    out = []
    for _ in range(n):
        parts = []
        for r in rng.sample(ranges, rng.randint(1, 4)):
            q = rng.choice(qs)
            parts.append(r if q is None else f"{r}{rng.choice([';', '; '])}q={q}")
        out.append(rng.choice([",", ", "]).join(parts))
    return out


# ---------------------------------------------------------------- tests

def test_static_host_answers_as_kg_serve(static, kg_serve, site):
    """Every request of the matrix: the static host agrees with kg serve, or differs only as documented."""
    rows = matrix(site)
    assert len(rows) > 500
    problems = [p for row in rows for p in compare(static, kg_serve, *row)]
    assert not problems, f"{len(problems)} disagreements:\n" + "\n".join(problems[:25])


def test_every_page_and_its_turtle(static, kg_serve, site):
    """Every entity of the export (not a sample): its page for a browser and its Turtle, as kg serve."""
    paths = sorted("/" + p.relative_to(site).as_posix()[:-len(".var")] for p in site.rglob("*.var")
                   if p.name != "index.var")
    assert len(paths) > 500
    problems = [p for path in paths for accept in (BROWSER, "text/turtle")
                for p in compare(static, kg_serve, "GET", path, accept, "entity")]
    assert not problems, f"{len(problems)} disagreements:\n" + "\n".join(problems[:25])


def test_q_values_decide_as_kg_serve(static, kg_serve):
    """120 generated Accept headers at an entity, a distribution IRI, the vocabulary and /: the same
    pick as kg serve."""
    problems = []
    for accept in generated_accepts():
        for path, kind in (("/person/peng-dehuai", "entity"), ("/dataset/distribution/kg.ttl", "entity"),
                           ("/ontology", "entity"), ("/type/", "entity"), ("/", "home")):
            problems += compare(static, kg_serve, "GET", path, accept, kind)
    assert not problems, f"{len(problems)} disagreements:\n" + "\n".join(problems[:25])


def test_the_issue_cases(static, kg_serve):
    """The answers the old rules got wrong, stated outright."""
    def ask(path, accept=None, method="GET"):
        return static.ask(method, path, accept)
    peng = "/person/peng-dehuai"
    r = ask(peng, PYLD)  # pyld's own Accept: JSON-LD, not HTML
    assert (r.status, r.media) == (200, "application/ld+json") and r.headers["access-control-allow-origin"] == "*"
    assert ask(peng, "text/turtle, text/html;q=0.1").media == "text/turtle;charset=utf-8"
    r = ask(peng, "text/html")  # person/peng-dehuai/ is also a folder: no redirect to it
    assert r.status == 200 and r.path_of("content-location") == peng + ".html" and r.varies_on_accept()
    assert f'<{peng}.nt> rel="alternate" type="application/n-triples"' in r.links()
    assert ask("/dumps/SHA256SUMS").media == "text/plain;charset=utf-8"
    assert ask("/dumps/kg.jsonld").media == "application/ld+json"
    assert ask("/dumps/kg.nt").media == "application/n-triples"
    assert ask("/dumps/kg.ttl").media == "text/turtle;charset=utf-8"
    r = ask("/dataset/distribution/kg.ttl", "text/turtle")
    assert r.status == 200 and r.path_of("content-location") == "/dataset/distribution/kg.ttl.ttl"
    r = ask("/.well-known/void")
    assert r.status == 303 and r.path_of("location") == "/dataset"
    assert ask("/robots.txt").status == ask("/sitemap.xml").status == 200
    assert kg_serve.ask("GET", "/robots.txt", None).body == ask("/robots.txt").body


@pytest.mark.parametrize("accept, suffix", [
    ("text/turtle", "ttl"), ("application/ld+json", "jsonld"), ("application/n-triples", "nt"),
    (PYLD, "jsonld"), ("text/turtle, text/html;q=0.1", "ttl"), ("text/html;q=0.5, application/n-triples;q=0.6", "nt"),
    ("application/ld+json;q=0.4, text/turtle;q=0.45", "ttl"), ("*/*;q=0.1, application/n-triples;q=0.2", "nt")])
def test_the_vocabulary_dereferences_by_accept(static, kg_serve, corpus_dist, accept, suffix):
    """/ontology in each RDF format, by Accept and its q-values: the static host picks the file kg
    serve picks, with its headers, and the data is the ontology dump's."""
    got, want = static.ask("GET", "/ontology", accept), kg_serve.ask("GET", "/ontology", accept)
    assert compare(static, kg_serve, "GET", "/ontology", accept, "entity") == []
    assert (got.status, got.path_of("content-location")) == (200, f"/ontology.{suffix}") == \
        (want.status, want.path_of("content-location"))
    assert got.varies_on_accept() and got.headers.get("access-control-allow-origin") == "*"
    assert '</ontology.html> rel="alternate" type="text/html"' in got.links()
    fmt = {"ttl": "turtle", "jsonld": "json-ld", "nt": "nt"}[suffix]
    assert isomorphic(Graph().parse(data=got.body, format=fmt), Graph().parse(corpus_dist / "ontology.ttl"))


def test_the_vocabulary_page_for_a_browser(static, kg_serve, corpus_dist):
    """/ontology for a browser (and a ranking that puts HTML first): the HTML page with every term's label."""
    terms = Graph().parse(corpus_dist / "ontology.ttl")
    for accept in (None, BROWSER, "text/html", "text/turtle;q=0.5, text/html;q=0.6"):
        got = static.ask("GET", "/ontology", accept)
        assert compare(static, kg_serve, "GET", "/ontology", accept, "entity") == []
        assert (got.status, got.media, got.path_of("content-location")) == (
            200, "text/html;charset=utf-8", "/ontology.html"), accept
        page = got.body.decode("utf-8")
        assert all(str(label) in page for label in terms.objects(None, RDFS.label))
    assert static.ask("GET", "/ontology/", None).status == 404
    assert static.ask("GET", "/ontology", "image/png").status == 406


def test_the_types_index_is_negotiated_like_an_entity(static, kg_serve, corpus_dist):
    """/type/ (the kgt: namespace): Turtle by Accept from type/index.ttl, every type of the data in
    it; the page for a browser; /type without the slash is nothing, as in kg serve."""
    data = Graph().parse(corpus_dist / "kg.nt", format="nt")
    types = {s for s in data.subjects(RDF.type, None) if str(s).startswith("https://kg.example.org/type/")}
    r = static.ask("GET", "/type/", "text/turtle, text/html;q=0.5")
    assert compare(static, kg_serve, "GET", "/type/", "text/turtle, text/html;q=0.5", "entity") == []
    assert (r.status, r.path_of("content-location")) == (200, "/type/index.ttl") and r.varies_on_accept()
    assert '</type/index.jsonld> rel="alternate" type="application/ld+json"' in r.links()
    assert set(Graph().parse(data=r.body, format="turtle").subjects(RDF.type, None)) == types
    page = static.ask("GET", "/type/", BROWSER)
    assert (page.status, page.path_of("content-location")) == (200, "/type/index.html")
    assert all(f'data-iri="{t}"' in page.body.decode("utf-8") for t in types)
    assert static.ask("GET", "/type", None).status == kg_serve.ask("GET", "/type", None).status == 404


def test_site_writes_type_maps_and_htaccess(site):
    """`kg site`'s layout for the rules: a type map beside every entity's four files, and the .htaccess."""
    assert (site / ".htaccess").read_bytes() == DEPLOY.joinpath("apache.htaccess").read_bytes()
    pages = {p.with_suffix("") for p in site.rglob("*.html")} - {site / "index", site / "search", site / "sparql",
                                                                  site / "dumps" / "index"}
    maps = {p.with_suffix("") for p in site.rglob("*.var")} - {site / "index"}
    assert len(pages) > 500 and maps == pages
    peng = (site / "person" / "peng-dehuai.var").read_text(encoding="ascii")
    assert re.findall(r"URI: (\S+)\nContent-Type: ([^;]+)(?:; level=1)?; qs=([\d.]+)\n", peng) == [
        ("peng-dehuai.html", "text/html", "1.000"), ("peng-dehuai.ttl", "text/turtle", "0.999"),
        ("peng-dehuai.jsonld", "application/ld+json", "0.998"), ("peng-dehuai.nt", "application/n-triples", "0.997")]
    for stem in ("peng-dehuai.html", "peng-dehuai.ttl", "peng-dehuai.jsonld", "peng-dehuai.nt"):
        assert (site / "person" / stem).is_file()
    assert "URI: kg.ttl.nt\n" in (site / "dataset" / "distribution" / "kg.ttl.var").read_text(encoding="ascii")
    assert "URI: index.ttl\n" in (site / "index.var").read_text(encoding="ascii")
    assert (site / "ontology.var").read_bytes() == type_map("ontology")  # kg's vocabulary, like an entity
    assert all((site / f"ontology.{suffix}").is_file() for suffix in SUFFIX_OF.values())


def test_readme_steps_on_debians_own_configuration(debian, kg_serve, site):
    """The README's Debian steps, on a copy of the packaged /etc/nginx or /etc/apache2 (default site
    included): the same matrix answers as kg serve, for the site's server name."""
    problems = [p for row in matrix(site) for p in compare(debian, kg_serve, *row)]
    assert not problems, f"{len(problems)} disagreements:\n" + "\n".join(problems[:25])
