#!/usr/bin/env bash
# Runs the transport benchmark on loopback: UDP, and TCP beside it for the ratio.
# Usage: transport-udp/bench.sh [transport names...]   (default: udp udp:1200 tcp)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
if ! java="$(tools/find-java)"; then
    echo "bench: no JDK 21 or newer found" >&2
    exit 1
fi
classpath_file=transport-udp/target/bench.classpath
./mvnw -q -B -pl transport-udp -am test-compile dependency:build-classpath \
    -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath >&2
exec "$java" -cp "transport-udp/target/test-classes:transport-udp/target/classes:$(cat "$classpath_file")" \
    dev.parley.transport.udp.bench.UdpBenchmark "$@"
