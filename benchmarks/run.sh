#!/usr/bin/env bash
# One command for everything: builds the harness, makes sure PostgreSQL and Azurite are up, runs the benchmarks.
#   benchmarks/run.sh                      # all workloads on every provider, peers, comparisons (~25 min)
#   benchmarks/run.sh all --quick          # the whole harness with tiny N (~3 min)
#   benchmarks/run.sh hello --provider postgres --n 5000
# Prints a table and writes benchmarks/results/<timestamp>.json. SKIP_BUILD=1 skips the Maven build.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -eq 0 ]; then set -- all; fi

if [ "${SKIP_BUILD:-0}" != "1" ]; then
  mvn -B -ntp -q -Pbenchmarks -pl benchmarks -am package -DskipTests
fi

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# PostgreSQL: this kind of machine runs it on 5432 (trust auth, user postgres); start the cluster if it is down.
if ! port_open 5432 && [ -d /etc/postgresql ]; then
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
fi

# Azurite (Azure Storage emulator) from npm, in benchmarks/.azurite (git-ignored), in-memory, stopped on exit.
AZ_PID=""
if ! port_open 10001 && command -v npm >/dev/null; then
  AZ_DIR=benchmarks/.azurite
  if [ ! -x "$AZ_DIR/node_modules/.bin/azurite" ]; then
    mkdir -p "$AZ_DIR"
    (cd "$AZ_DIR" && npm install --silent --no-audit --no-fund azurite@3.35.0)
  fi
  "$AZ_DIR/node_modules/.bin/azurite" --silent --skipApiVersionCheck --loose --disableTelemetry \
    --blobHost 127.0.0.1 --queueHost 127.0.0.1 --tableHost 127.0.0.1 --inMemoryPersistence &
  AZ_PID=$!
  trap 'kill "$AZ_PID" 2>/dev/null || true' EXIT
  for _ in $(seq 50); do port_open 10002 && break; sleep 0.2; done
fi

java -jar benchmarks/target/taskhub-benchmarks.jar "$@"
