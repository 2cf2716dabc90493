#!/bin/sh
# Runs the UDP transport benchmark (and TCP's, when it is on the class path) on loopback.
# Usage: transport-udp/bench.sh [transport names...]    Needs a JDK 21+ in JAVA_HOME or /usr/lib/jvm.
set -e
cd "$(dirname "$0")/.."
./mvnw -q -o -pl transport-udp,transport-tcp -am test-compile
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/java}"
if [ -z "$JAVA" ] || ! "$JAVA" -version 2>&1 | grep -qE 'version "(2[1-9]|[3-9][0-9])'; then
    JAVA=$(ls -d /usr/lib/jvm/*/bin/java 2>/dev/null | while read -r j; do
        "$j" -version 2>&1 | grep -qE 'version "(2[1-9]|[3-9][0-9])' && echo "$j" && break; done)
fi
M2="$HOME/.m2/repository"
CP="transport-udp/target/test-classes:transport-udp/target/classes:api/target/classes"
CP="$CP:$(ls -d transport-tcp/target/classes 2>/dev/null || true)"
CP="$CP:$M2/org/slf4j/slf4j-api/2.0.16/slf4j-api-2.0.16.jar:$M2/org/slf4j/slf4j-simple/2.0.16/slf4j-simple-2.0.16.jar"
exec "$JAVA" -cp "$CP" dev.parley.transport.udp.bench.UdpBenchmark "$@"
