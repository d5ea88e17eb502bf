#!/usr/bin/env bash
# Start or stop the triplestores the integration tests and the benchmark load into:
# Oxigraph's server (PyPI package `oxigraph`) and Virtuoso 7 (Debian's
# `virtuoso-opensource`), both bound to 127.0.0.1, their data in a fresh temp folder.
#
#   bash .ci/servers.sh start   # install if missing, start both, wait until they answer,
#                               # write the endpoints to .ci/servers.env
#   bash .ci/servers.sh stop    # stop both, remove their data and .ci/servers.env
#
# Ports: Oxigraph 7878 (KG_OXIGRAPH_PORT), Virtuoso HTTP 8890 (KG_VIRTUOSO_PORT) and
# SQL 1111 (KG_VIRTUOSO_SQL_PORT). A server that cannot start makes `start` exit non-zero.
set -euo pipefail
cd "$(dirname "$0")/.."

ENV_FILE=.ci/servers.env
OX_PORT=${KG_OXIGRAPH_PORT:-7878}
VT_PORT=${KG_VIRTUOSO_PORT:-8890}
VT_SQL=${KG_VIRTUOSO_SQL_PORT:-1111}
VT_PASSWORD=dba   # a fresh Virtuoso database's dba password; the server listens on 127.0.0.1 only

say() { echo "servers.sh: $*" >&2; }
fail() { say "error: $*"; exit 1; }

oxigraph_bin() {
  local c
  for c in "${KG_OXIGRAPH_BIN:-}" .venv/bin/oxigraph "${VIRTUAL_ENV:+$VIRTUAL_ENV/bin/oxigraph}"; do
    [ -n "$c" ] && [ -x "$c" ] && { echo "$c"; return; }
  done
  command -v oxigraph && return
  [ -x .venv/bin/python ] || fail "no oxigraph binary: run 'pip install -e \".[test]\"' in .venv, or set KG_OXIGRAPH_BIN"
  say "installing the oxigraph server into .venv (pip install oxigraph)"
  .venv/bin/python -m pip install -q oxigraph >&2 || fail "cannot pip install oxigraph"
  [ -x .venv/bin/oxigraph ] || fail "oxigraph installed but .venv/bin/oxigraph is missing"
  echo .venv/bin/oxigraph
}

install_virtuoso() {
  command -v virtuoso-t >/dev/null && command -v isql-vt >/dev/null && return
  say "installing virtuoso-opensource (apt-get)"
  local sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  # Preseed the package's dba password questions so the install never prompts.
  printf '%s\n' \
    "virtuoso-opensource-7 virtuoso-opensource-7/dba-password password $VT_PASSWORD" \
    "virtuoso-opensource-7 virtuoso-opensource-7/dba-password-again password $VT_PASSWORD" \
    | $sudo debconf-set-selections 2>/dev/null || true
  $sudo apt-get update -q >&2 || fail "apt-get update failed"
  ${sudo:+$sudo -E} apt-get install -y -q --no-install-recommends virtuoso-opensource >&2 \
    || fail "cannot apt-get install virtuoso-opensource"
  # Debian starts the packaged instance where it can; ours runs apart, so stop that one.
  $sudo service virtuoso-opensource-7 stop >/dev/null 2>&1 || true
}

wait_for() {  # wait_for NAME URL SECONDS
  local i
  for ((i = 0; i < $3 * 2; i++)); do
    curl -fsS -o /dev/null --max-time 2 "$2" 2>/dev/null && return 0
    sleep 0.5
  done
  return 1
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

virtuoso_ini() {  # virtuoso_ini DIR
  cat <<EOF
[Database]
DatabaseFile = $1/virtuoso.db
ErrorLogFile = $1/virtuoso.log
LockFile = $1/virtuoso.lck
TransactionFile = $1/virtuoso.trx
xa_persistent_file = $1/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = $1/virtuoso-temp.db
TransactionFile = $1/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0
[Parameters]
ServerPort = 127.0.0.1:$VT_SQL
DisableUnixSocket = 1
MaxClientConnections = 20
CheckpointInterval = 60
CaseMode = 2
DirsAllowed = ., $1, /usr/share/virtuoso-opensource-7/vad
NumberOfBuffers = 170000
MaxDirtyBuffers = 130000
MaxQueryMem = 2G
ThreadsPerQuery = 2
[HTTPServer]
ServerPort = 127.0.0.1:$VT_PORT
ServerRoot = /var/lib/virtuoso-opensource-7/vsp
MaxClientConnections = 20
ServerThreads = 20
EnabledDavVSP = 0
Charset = UTF-8
[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 300
MaxQueryCostEstimationTime = 400
EOF
}

start() {
  [ -f "$ENV_FILE" ] && { say "already started ($ENV_FILE exists); run 'stop' first"; exit 1; }
  command -v curl >/dev/null || fail "curl is needed to check that the servers answer"
  local ox dir
  ox=$(oxigraph_bin)
  install_virtuoso
  port_free "$OX_PORT" || fail "port $OX_PORT is taken (set KG_OXIGRAPH_PORT)"
  port_free "$VT_PORT" || fail "port $VT_PORT is taken (set KG_VIRTUOSO_PORT)"
  port_free "$VT_SQL" || fail "port $VT_SQL is taken (set KG_VIRTUOSO_SQL_PORT)"
  dir=$(mktemp -d "${TMPDIR:-/tmp}/kg-servers.XXXXXX")
  chmod 755 "$dir"
  mkdir -p "$dir/oxigraph" "$dir/virtuoso"

  setsid "$ox" serve --location "$dir/oxigraph" --bind "127.0.0.1:$OX_PORT" --union-default-graph \
    >"$dir/oxigraph.log" 2>&1 </dev/null &
  echo $! >"$dir/oxigraph.pid"

  virtuoso_ini "$dir/virtuoso" >"$dir/virtuoso/virtuoso.ini"
  (cd "$dir/virtuoso"; exec setsid virtuoso-t +foreground +configfile "$dir/virtuoso/virtuoso.ini" \
    >"$dir/virtuoso.out" 2>&1 </dev/null) &
  echo $! >"$dir/virtuoso.pid"

  cat >"$ENV_FILE" <<EOF
# Written by .ci/servers.sh start; read by tests/test_load_servers.py and benchmarks/load_bench.py.
KG_SERVERS_DIR=$dir
KG_OXIGRAPH_URL=http://127.0.0.1:$OX_PORT
KG_OXIGRAPH_BIN=$(cd "$(dirname "$ox")" && pwd)/$(basename "$ox")
KG_OXIGRAPH_PID=$(cat "$dir/oxigraph.pid")
KG_VIRTUOSO_URL=http://127.0.0.1:$VT_PORT
KG_VIRTUOSO_USER=dba
KG_VIRTUOSO_PASSWORD=$VT_PASSWORD
KG_VIRTUOSO_ISQL=isql-vt 127.0.0.1:$VT_SQL
KG_VIRTUOSO_PID=$(cat "$dir/virtuoso.pid")
EOF
  wait_for oxigraph "http://127.0.0.1:$OX_PORT/query?query=ASK%7B%7D" 60 \
    || { cat "$dir/oxigraph.log" >&2; stop; fail "Oxigraph did not answer on 127.0.0.1:$OX_PORT"; }
  wait_for virtuoso "http://127.0.0.1:$VT_PORT/sparql?query=ASK%7B%7D" 180 \
    || { tail -30 "$dir/virtuoso/virtuoso.log" >&2; stop; fail "Virtuoso did not answer on 127.0.0.1:$VT_PORT"; }
  say "Oxigraph at http://127.0.0.1:$OX_PORT, Virtuoso at http://127.0.0.1:$VT_PORT (data in $dir); endpoints in $ENV_FILE"
}

stop() {
  [ -f "$ENV_FILE" ] || { say "not started (no $ENV_FILE)"; return 0; }
  local dir pid name i
  dir=$(sed -n 's/^KG_SERVERS_DIR=//p' "$ENV_FILE")
  for name in oxigraph virtuoso; do
    pid=$(sed -n "s/^KG_${name^^}_PID=//p" "$ENV_FILE")
    [ -n "$pid" ] || continue
    kill "$pid" 2>/dev/null || continue
    for ((i = 0; i < 60; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$pid" 2>/dev/null || true
  done
  rm -f "$ENV_FILE"
  case "$dir" in "${TMPDIR:-/tmp}"/kg-servers.*) rm -rf "$dir" ;; esac
  say "stopped"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
