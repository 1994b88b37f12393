#!/usr/bin/env bash
# pg-test-cluster.sh: a throwaway PostgreSQL cluster for the tests and the
# benchmarks of syncd's PostgreSQL backend (sync/server/pgstore).
#
#   scripts/pg-test-cluster.sh start        start one; prints the lines to eval:
#                                           export MEDISECURE_PG_DSN=… MEDISECURE_PG_DIR=…
#   scripts/pg-test-cluster.sh stop DIR     stop the cluster in DIR and delete it
#   scripts/pg-test-cluster.sh run CMD…     start one, run CMD with MEDISECURE_PG_DSN
#                                           set, stop it and delete it (CMD's exit code)
#   scripts/pg-test-cluster.sh bindir       print where initdb and pg_ctl are, or fail
#
# The cluster lives in a fresh directory under ${TMPDIR:-/tmp} (/var/tmp
# when the cluster's owner cannot reach that), listens on
# 127.0.0.1 on a free port with trust authentication (nothing outside this
# machine can reach it), and keeps PostgreSQL's defaults otherwise (fsync
# on), so that figures measured on it are honest. PostgreSQL refuses to run
# as root: as root the cluster belongs to the postgres user, which Debian's
# postgresql package creates. It needs PostgreSQL's server binaries
# (initdb, pg_ctl): on Debian, apt-get install -y postgresql.
set -euo pipefail

# bindir finds initdb and pg_ctl: $PG_BINDIR, pg_config's, Debian's newest,
# or the PATH.
bindir() {
  local d
  for d in "${PG_BINDIR:-}" "$(pg_config --bindir 2>/dev/null || true)" \
    $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -n "$d" ] && [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then
      echo "$d"
      return
    fi
  done
  if command -v initdb >/dev/null && command -v pg_ctl >/dev/null; then
    dirname "$(command -v initdb)"
    return
  fi
  echo "pg-test-cluster: PostgreSQL's server binaries (initdb, pg_ctl) are not installed; on Debian: apt-get install -y postgresql" >&2
  exit 1
}

# as_owner runs a command as the cluster's owner: postgres when we are
# root, ourselves otherwise.
as_owner() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

# free_port prints a TCP port on 127.0.0.1 nobody listens on, from a
# random start so that parallel runs rarely collide.
free_port() {
  local p=$((20000 + RANDOM % 20000)) i
  for i in $(seq 1 200); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      echo "$p"
      return
    fi
    p=$((p + 1))
  done
  echo "pg-test-cluster: no free port found" >&2
  exit 1
}

# base prints where clusters go: ${TMPDIR:-/tmp}, or /var/tmp when the
# cluster's owner cannot write there (a /tmp of mode 0700 owned by root).
base() {
  local b=${TMPDIR:-/tmp}
  if as_owner test -w "$b" -a -x "$b"; then
    echo "$b"
  else
    echo /var/tmp
  fi
}

start() {
  local bin dir port try
  bin=$(bindir)
  dir=$(mktemp -d "$(base)/medisecure-pg.XXXXXX")
  chmod 0755 "$dir"
  mkdir -m 0700 "$dir/data"
  if [ "$(id -u)" = 0 ]; then
    if ! id postgres >/dev/null 2>&1; then
      echo "pg-test-cluster: running as root needs the postgres user (apt-get install -y postgresql)" >&2
      rm -rf "$dir"
      exit 1
    fi
    chown postgres: "$dir/data"
  fi
  as_owner "$bin/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
    as_owner "$bin/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 --no-locale >"$dir/initdb.log" 2>&1 || {
    cat "$dir/initdb.log" >&2
    rm -rf "$dir"
    exit 1
  }
  for try in 1 2 3 4 5; do
    port=$(free_port)
    if as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/data/server.log" -w -t 60 \
      -o "-p $port -c listen_addresses=127.0.0.1 -k $dir/data -c max_connections=200" start >/dev/null 2>&1; then
      echo "export MEDISECURE_PG_DSN='postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable'"
      echo "export MEDISECURE_PG_DIR='$dir'"
      return
    fi
  done
  echo "pg-test-cluster: PostgreSQL did not start; its log:" >&2
  cat "$dir/data/server.log" >&2 || true
  rm -rf "$dir"
  exit 1
}

stop() {
  local dir=${1:?usage: pg-test-cluster.sh stop DIR}
  case "$dir" in
  "${TMPDIR:-/tmp}"/medisecure-pg.* | /var/tmp/medisecure-pg.*) ;;
  *)
    echo "pg-test-cluster: $dir is not a cluster this script made" >&2
    exit 1
    ;;
  esac
  if [ -d "$dir/data" ]; then
    as_owner "$(bindir)/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
}

case "${1:-}" in
bindir) bindir ;;
start) start ;;
stop) stop "${2:-}" ;;
run)
  shift
  [ $# -gt 0 ] || { echo "usage: pg-test-cluster.sh run CMD..." >&2; exit 1; }
  eval "$(start)"
  trap 'stop "$MEDISECURE_PG_DIR"' EXIT
  rc=0
  "$@" || rc=$?
  exit "$rc"
  ;;
*)
  echo "usage: pg-test-cluster.sh start | stop DIR | run CMD... | bindir" >&2
  exit 1
  ;;
esac
