#!/usr/bin/env bash
# The Tomcat valve's backend leg on its own: dev.tether.client.UpstreamClient (hand-written, what
# the valve uses) against Apache HttpClient 5 (classic, pooled), against one nginx backend like
# run.sh's (one worker, GET /hello answered with 32 bytes), in rounds that alternate the two.
#
#   ./mvnw -q -DskipTests package -pl benchmarks -am     # once: benchmarks/target/benchmarks.jar
#   benchmarks/load/client-leg.sh
#
# Knobs: THREADS (16, the valve's busy request threads under 64 client connections on 2 cores),
# SECONDS_PER_ROUND (15), WARMUP (15), ROUNDS (4). Everything listens on 127.0.0.1 and is
# stopped on exit. Output: stdout (one ROUND line per client per round).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
RUN=$HERE/target/client-leg
JAR=${JAR:-$ROOT/benchmarks/target/benchmarks.jar}
[ -f "$JAR" ] || { echo "missing $JAR: ./mvnw -q -DskipTests package -pl benchmarks -am" >&2; exit 1; }
command -v nginx >/dev/null || { echo "nginx not found (apt-get install nginx)" >&2; exit 1; }
mkdir -p "$RUN/tmp"
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$RUN/backend.conf" <<EOF
worker_processes 1; pid $RUN/tmp/nginx.pid; error_log $RUN/tmp/error.log warn;
events { worker_connections 4096; }
http { access_log off; keepalive_requests 1000000; keepalive_timeout 120s;
  client_body_temp_path $RUN/tmp/body; proxy_temp_path $RUN/tmp/proxy;
  fastcgi_temp_path $RUN/tmp/fcgi; uwsgi_temp_path $RUN/tmp/uwsgi; scgi_temp_path $RUN/tmp/scgi;
  server { listen 127.0.0.1:$PORT;
    location / { add_header x-backend-instance b1; return 200 "Hello version: v1, instance: b1\n"; } } }
EOF
nginx -p "$RUN" -c "$RUN/backend.conf" -g 'daemon off;' &
NGINX=$!
trap 'kill $NGINX 2>/dev/null; wait $NGINX 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/hello" >/dev/null && break; sleep 0.1; done
echo "uptime: $(uptime)"
# shellcheck disable=SC2086
java ${JVM_OPTS:--Xms256m -Xmx256m -XX:+UseG1GC} -cp "$JAR" dev.tether.bench.ClientLegBench \
  --backend "127.0.0.1:$PORT" --threads "${THREADS:-16}" --seconds "${SECONDS_PER_ROUND:-15}" \
  --warmup "${WARMUP:-15}" --rounds "${ROUNDS:-4}"
echo "uptime: $(uptime)"
