#!/usr/bin/env bash
# Tether load benchmark: one command, everything on 127.0.0.1, everything it starts stopped on exit.
#
#   ./mvnw -q -DskipTests package      # once: builds the Jetty dist zip and the Tomcat valve jar
#   benchmarks/load/run.sh
#
# Six nginx static backends; in front of them, measured interleaved in one run (wrk, GET /hello):
#   direct          wrk straight to one backend (the ceiling)
#   jetty-proxy     stock jetty-home 12.1 ee10-proxy module (ProxyServlet$Transparent, one backend)
#   nginx           nginx, upstream { hash $cookie_sticky consistent; keepalive }
#   haproxy         HAProxy, balance hdr(x-session) + hash-type consistent, http-reuse always
#                   (backend keep-alive); fed the cookie targets' session values in x-session
#   tether-jetty    Tether Jetty module from its dist zip, hashPolicy=cookie:sticky
#   tether-jetty-hdr  the same with Envoy stateful sessions by header (sessionHeader=x-session)
#   tether-jetty-seal the same with sealed header sessions (sessionSeal=sealed, a key ring of one key)
#   tether-tomcat   Tether valve in Tomcat 11, hashPolicy=cookie:sticky
# each with one fixed session and with 10,000 distinct sessions; then a JFR profile of the Tether
# proxies, then the memory check (1,000,000 distinct session values through Tether Jetty, heap
# after full GC at 0, 100,000 and 1,000,000). Results: benchmarks/load/RESULTS.md (and stdout).
#
# Knobs (environment): DURATION (s per measurement, 10), ROUNDS (3), WARMUP_MIN/WARMUP_MAX/WARMUP_STEP
# (s of warm-up load per Java proxy, 40/90/10), THREADS (wrk, 2), CONNECTIONS (wrk, 64),
# MEMORY_SESSIONS (1000000, 0 skips), PROFILE (1; 0 skips), LOAD_MAX (2) and LOAD_WAIT (600 s):
# wait at most LOAD_WAIT for the 1-minute load average to drop below LOAD_MAX first; RESULTS
# (output file), JVM_OPTS (proxy JVMs), JETTY_DIST and TOMCAT_JAR (artifacts), HOLD=1 (start
# everything, then wait for experiments by hand instead of measuring), TARGETS (the targets to
# warm up and measure, space-separated; all by default; every proxy is started either way).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
WORK=$HERE/target
RUN=$WORK/run
LOGS=$RUN/logs

DURATION=${DURATION:-10}
ROUNDS=${ROUNDS:-3}
WARMUP_MIN=${WARMUP_MIN:-40}
WARMUP_MAX=${WARMUP_MAX:-90}
WARMUP_STEP=${WARMUP_STEP:-10}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-64}
MEMORY_SESSIONS=${MEMORY_SESSIONS:-1000000}
MEMORY_MAX_SECONDS=${MEMORY_MAX_SECONDS:-420}
PROFILE=${PROFILE:-1}
LOAD_MAX=${LOAD_MAX:-2}
LOAD_WAIT=${LOAD_WAIT:-600}
RESULTS=${RESULTS:-$HERE/RESULTS.md}
JVM_OPTS=${JVM_OPTS:--Xms1g -Xmx1g -XX:+UseG1GC}
JETTY_VERSION=12.1.12
TOMCAT_VERSION=11.0.21
SESSIONS=10000
COOKIE=sticky
SESSION_HEADER=x-session

JETTY_DIST=${JETTY_DIST:-$ROOT/jetty-module/target/tether-jetty-dist.zip}
TOMCAT_JAR=${TOMCAT_JAR:-$ROOT/tomcat-valve/target/tether-tomcat-0.1.0-SNAPSHOT.jar}
CLI_JAR=${CLI_JAR:-$ROOT/cli/target/tether-cli.jar}
ALL_TARGETS="direct jetty-proxy nginx haproxy tether-jetty tether-jetty-hdr tether-jetty-seal tether-tomcat"
read -r -a TARGETS <<<"${TARGETS:-$ALL_TARGETS}"
for t in "${TARGETS[@]}"; do case " $ALL_TARGETS " in *" $t "*) ;; *) echo "unknown target $t (known: $ALL_TARGETS)" >&2; exit 2 ;; esac; done
measured() { case " ${TARGETS[*]} " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }
MODES=(fixed 10k)
STARTED=$(date +%s)

log() { printf '[%s +%4ss] %s\n' "$(date +%H:%M:%S)" "$(($(date +%s) - STARTED))" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# ---------------------------------------------------------------------------------------------
# Everything started is recorded here and stopped on exit, whatever the exit.
PIDS=()
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  local pid
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  local deadline=$(($(date +%s) + 15))
  for pid in "${PIDS[@]}"; do
    while kill -0 "$pid" 2>/dev/null && [ "$(date +%s)" -lt "$deadline" ]; do sleep 0.2; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  for pid in $(jobs -p); do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ ${#PIDS[@]} -eq 0 ] || log "stopped ${#PIDS[@]} processes"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------------------------------------
# Prerequisites: the two artifacts, wrk and nginx, jetty-home and Tomcat.
[ -f "$JETTY_DIST" ] && [ -f "$TOMCAT_JAR" ] && [ -f "$CLI_JAR" ] ||
  die "missing $JETTY_DIST, $TOMCAT_JAR or $CLI_JAR: run ./mvnw -q -DskipTests package in $ROOT first"
command -v java >/dev/null && command -v jcmd >/dev/null && command -v jfr >/dev/null ||
  die "java, jcmd and jfr (a JDK 17+) must be on PATH"
export PATH=$PATH:/usr/sbin:/sbin
if ! command -v wrk >/dev/null || ! command -v nginx >/dev/null || ! command -v haproxy >/dev/null; then
  SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
  log "installing wrk, nginx and haproxy from Debian"
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq wrk nginx haproxy >/dev/null
fi
for tool in wrk nginx haproxy curl ss awk base64; do command -v $tool >/dev/null || die "$tool not found"; done

mkdir -p "$WORK"
fetch() { # groupId:artifactId:version:tar.gz file
  [ -f "$WORK/$2" ] && return
  log "downloading $1"
  (cd "$ROOT" && ./mvnw -q -N dependency:copy -Dartifact="$1" -DoutputDirectory="$WORK") ||
    die "could not download $1"
}
fetch "org.eclipse.jetty:jetty-home:$JETTY_VERSION:tar.gz" "jetty-home-$JETTY_VERSION.tar.gz"
fetch "org.apache.tomcat:tomcat:$TOMCAT_VERSION:tar.gz" "tomcat-$TOMCAT_VERSION.tar.gz"

rm -rf "$RUN"
mkdir -p "$LOGS" "$RUN/tmp"
tar xzf "$WORK/jetty-home-$JETTY_VERSION.tar.gz" -C "$RUN"
tar xzf "$WORK/tomcat-$TOMCAT_VERSION.tar.gz" -C "$RUN"
JETTY_HOME=$RUN/jetty-home-$JETTY_VERSION
CATALINA_HOME=$RUN/apache-tomcat-$TOMCAT_VERSION

# ---------------------------------------------------------------------------------------------
# Ports: free ones on 127.0.0.1, none handed out twice.
TAKEN=" "
PORT=
next_port() {
  local p i
  for i in $(seq 1 500); do
    p=$((20000 + RANDOM % 40000))
    case "$TAKEN" in *" $p "*) continue ;; esac
    if [ -z "$(ss -Htan "sport = :$p" 2>/dev/null)" ]; then
      TAKEN="$TAKEN$p "
      PORT=$p
      return
    fi
  done
  die "no free port"
}

wait_http() { # name pid port [seconds]
  local deadline=$(($(date +%s) + ${4:-90}))
  until curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$3/hello"; do
    kill -0 "$2" 2>/dev/null || die "$1 exited; see $LOGS/$1.log: $(tail -5 "$LOGS/$1.log")"
    [ "$(date +%s)" -lt "$deadline" ] || die "$1 not answering on port $3; see $LOGS/$1.log"
    sleep 0.3
  done
}

# ---------------------------------------------------------------------------------------------
# Backends: six ports of one nginx worker answering a fixed 32-byte body (the demo Backend, a JDK
# HttpServer, does about 1,300 requests/s here: it would be the bottleneck, not the proxies).
BACKEND_PORTS=()
for i in 1 2 3 4 5 6; do next_port; BACKEND_PORTS+=("$PORT"); done
next_port; STATUS_PORT=$PORT
ENDPOINTS=$(printf '127.0.0.1:%s,' "${BACKEND_PORTS[@]}"); ENDPOINTS=${ENDPOINTS%,}
BACKEND_FILTER="( $(printf 'dport = :%s or ' "${BACKEND_PORTS[@]}") dport = :0 )"
NGINX_COMMON="error_log $RUN/tmp/nginx-error.log warn;
events { worker_connections 4096; multi_accept on; }"
NGINX_HTTP="access_log off; keepalive_requests 1000000; keepalive_timeout 120s;
  client_body_temp_path $RUN/tmp/body; proxy_temp_path $RUN/tmp/proxy;
  fastcgi_temp_path $RUN/tmp/fcgi; uwsgi_temp_path $RUN/tmp/uwsgi; scgi_temp_path $RUN/tmp/scgi;"
{
  echo "worker_processes 1; pid $RUN/tmp/backends.pid; $NGINX_COMMON"
  echo "http { $NGINX_HTTP"
  for i in 1 2 3 4 5 6; do
    echo "  server { listen 127.0.0.1:${BACKEND_PORTS[$((i - 1))]};"
    echo "    location / { add_header x-backend-instance b$i; return 200 \"Hello version: v1, instance: b$i\n\"; } }"
  done
  echo "  server { listen 127.0.0.1:$STATUS_PORT; location / { stub_status; } }"
  echo "}"
} >"$RUN/backends.conf"

start_nginx() { # name conf
  nginx -p "$RUN" -c "$2" -g 'daemon off;' >"$LOGS/$1.log" 2>&1 &
  PIDS+=($!)
  eval "PID_${1//-/_}=$!"
}
start_nginx backends "$RUN/backends.conf"
for p in "${BACKEND_PORTS[@]}"; do wait_http backends "$PID_backends" "$p" 20; done

# Backend connections accepted and requests served so far (nginx stub_status).
backend_counters() { curl -s "http://127.0.0.1:$STATUS_PORT/" | awk 'NR == 3 { print $1, $3 }'; }

# ---------------------------------------------------------------------------------------------
# The proxies, all running at once (idle ones cost memory, not CPU), so the rounds interleave.
declare -A PORT_OF PID_OF
PORT_OF[direct]=${BACKEND_PORTS[0]}
PID_OF[direct]=$PID_backends

# nginx: consistent hash on the same cookie Tether hashes; upstream keep-alive as one would
# configure it in production (without it nginx opens a connection per request).
next_port; PORT_OF[nginx]=$PORT
{
  echo "worker_processes auto; pid $RUN/tmp/proxy.pid; $NGINX_COMMON"
  echo "http { $NGINX_HTTP"
  echo "  upstream backends { hash \$cookie_$COOKIE consistent;"
  for p in "${BACKEND_PORTS[@]}"; do echo "    server 127.0.0.1:$p;"; done
  echo "    keepalive 256; }"
  echo "  server { listen 127.0.0.1:${PORT_OF[nginx]}; location / {"
  echo "    proxy_pass http://backends; proxy_http_version 1.1; proxy_set_header Connection \"\";"
  echo "    proxy_set_header Host \$host; proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;"
  echo "    proxy_set_header X-Forwarded-Proto \$scheme; proxy_set_header X-Forwarded-Host \$host; } }"
  echo "}"
} >"$RUN/proxy.conf"
start_nginx nginx "$RUN/proxy.conf"
PID_OF[nginx]=$PID_nginx

# HAProxy: consistent hash on a session header (its way of hashing a request attribute), upstream
# keep-alive with connection reuse across client connections (http-reuse always, as nginx's
# keepalive pool and Tether's pools do), X-Forwarded-* set as Tether sets them, no log. Threads
# as nginx's workers: one per core.
next_port; PORT_OF[haproxy]=$PORT
{
  echo "global"
  echo "  pidfile $RUN/tmp/haproxy.pid"
  echo "  nbthread $(nproc)"
  echo "  maxconn 4096"
  echo "defaults"
  echo "  mode http"
  echo "  timeout connect 5s"
  echo "  timeout client 120s"
  echo "  timeout server 120s"
  echo "  timeout http-keep-alive 120s"
  echo "  option http-keep-alive"
  echo "  http-reuse always"
  echo "frontend proxy"
  echo "  bind 127.0.0.1:${PORT_OF[haproxy]}"
  echo "  option forwardfor"
  echo "  http-request set-header X-Forwarded-Proto http"
  echo "  http-request set-header X-Forwarded-Host %[req.hdr(host)]"
  echo "  default_backend backends"
  echo "backend backends"
  echo "  balance hdr($SESSION_HEADER)"
  echo "  hash-type consistent"
  i=0
  for p in "${BACKEND_PORTS[@]}"; do i=$((i + 1)); echo "  server b$i 127.0.0.1:$p maxconn 1000"; done
} >"$RUN/haproxy.cfg"
haproxy -db -f "$RUN/haproxy.cfg" >"$LOGS/haproxy.log" 2>&1 &
PIDS+=($!)
PID_OF[haproxy]=$!

start_java() { # name dir command...
  local name=$1 dir=$2
  shift 2
  (cd "$dir" && exec "$@" >"$LOGS/$name.log" 2>&1) &
  PIDS+=($!)
  PID_OF[$name]=$!
}

jetty_base() { # dir modules
  mkdir -p "$1"
  (cd "$1" && java -jar "$JETTY_HOME/start.jar" --add-modules="$2" >"$LOGS/$(basename "$1")-setup.log" 2>&1) ||
    die "jetty base $1: $(tail -5 "$LOGS/$(basename "$1")-setup.log")"
}

# Stock Jetty: jetty-home's ee10-proxy module, ProxyServlet$Transparent to the first backend.
# (ee10-proxy alone fails in 12.1.12 with NoClassDefFoundError SecurityHandler: its
# ServletContextHandler needs the security module's jar, which no module it depends on adds.)
jetty_base "$RUN/jetty-proxy" http,ee10-proxy,security
next_port; PORT_OF[jetty-proxy]=$PORT
# shellcheck disable=SC2086
start_java jetty-proxy "$RUN/jetty-proxy" java $JVM_OPTS -jar "$JETTY_HOME/start.jar" \
  jetty.http.host=127.0.0.1 jetty.http.port="$PORT" \
  jetty.proxy.proxyTo="http://127.0.0.1:${BACKEND_PORTS[0]}"

# Tether Jetty: the dist zip unpacked into a base, the tether module added, keys on the command line.
for name in tether-jetty tether-jetty-hdr tether-jetty-seal; do
  mkdir -p "$RUN/$name"
  (cd "$RUN/$name" && unzip -q -o "$JETTY_DIST")
  jetty_base "$RUN/$name" http,tether
done
next_port; PORT_OF[tether-jetty]=$PORT
# shellcheck disable=SC2086
start_java tether-jetty "$RUN/tether-jetty" java $JVM_OPTS -jar "$JETTY_HOME/start.jar" \
  jetty.http.host=127.0.0.1 jetty.http.port="$PORT" \
  tether.endpoints="$ENDPOINTS" tether.hashPolicy="cookie:$COOKIE"
next_port; PORT_OF[tether-jetty-hdr]=$PORT
# shellcheck disable=SC2086
start_java tether-jetty-hdr "$RUN/tether-jetty-hdr" java $JVM_OPTS -jar "$JETTY_HOME/start.jar" \
  jetty.http.host=127.0.0.1 jetty.http.port="$PORT" \
  tether.endpoints="$ENDPOINTS" tether.sessionHeader="$SESSION_HEADER"
# Sealed header sessions: a key ring of one key, made by the CLI, relative to the Jetty base.
mkdir -p "$RUN/tether-jetty-seal/etc"
java -jar "$CLI_JAR" keygen --id load >"$RUN/tether-jetty-seal/etc/session-keys"
next_port; PORT_OF[tether-jetty-seal]=$PORT
# shellcheck disable=SC2086
start_java tether-jetty-seal "$RUN/tether-jetty-seal" java $JVM_OPTS -jar "$JETTY_HOME/start.jar" \
  jetty.http.host=127.0.0.1 jetty.http.port="$PORT" \
  tether.endpoints="$ENDPOINTS" tether.sessionHeader="$SESSION_HEADER" \
  tether.sessionSeal=sealed tether.sessionSealKeys=etc/session-keys

# Tether Tomcat: the jar in lib, the valve first in the Engine; no shutdown port, no access log
# (nginx and Jetty log nothing either), unlimited keep-alive requests (as nginx and Jetty).
next_port; PORT_OF[tether-tomcat]=$PORT
cp "$TOMCAT_JAR" "$CATALINA_HOME/lib/"
rm -rf "$CATALINA_HOME/webapps/"*
sed -i \
  -e 's|<Server port="8005"|<Server port="-1"|' \
  -e "s|<Connector port=\"8080\" protocol=\"HTTP/1.1\"|<Connector port=\"$PORT\" address=\"127.0.0.1\" maxKeepAliveRequests=\"-1\" protocol=\"HTTP/1.1\"|" \
  -e '/<Valve className="org.apache.catalina.valves.AccessLogValve"/,/\/>/d' \
  -e "s|<Engine name=\"Catalina\" defaultHost=\"localhost\">|&\n      <Valve className=\"dev.tether.tomcat.TetherValve\" endpoints=\"$ENDPOINTS\" hashPolicy=\"cookie:$COOKIE\"/>|" \
  "$CATALINA_HOME/conf/server.xml"
grep -q TetherValve "$CATALINA_HOME/conf/server.xml" || die "could not add the valve to server.xml"
start_java tether-tomcat "$CATALINA_HOME" env CATALINA_HOME="$CATALINA_HOME" \
  CATALINA_BASE="$CATALINA_HOME" CATALINA_OPTS="$JVM_OPTS" "$CATALINA_HOME/bin/catalina.sh" run

for t in nginx haproxy jetty-proxy tether-jetty tether-jetty-hdr tether-jetty-seal tether-tomcat; do
  wait_http "$t" "${PID_OF[$t]}" "${PORT_OF[$t]}"
done
log "backends ${BACKEND_PORTS[*]}; proxies up: $(for t in "${TARGETS[@]}"; do printf '%s=%s ' "$t" "${PORT_OF[$t]}"; done)"

# ---------------------------------------------------------------------------------------------
# Session values. Cookie hashing takes any string; an Envoy header session is Base64(ip:port) of
# a backend, so 10,000 header sessions spread over the six backends.
cookie_values() { awk -v n="$1" 'BEGIN { srand(7); for (i = 1; i <= n; i++) printf "s%06d-%08x\n", i, int(rand() * 4294967295) }'; }
cookie_values 1 >"$RUN/cookie-fixed.txt"
cookie_values "$SESSIONS" >"$RUN/cookie-10k.txt"
B64=()
for p in "${BACKEND_PORTS[@]}"; do B64+=("$(printf '127.0.0.1:%s' "$p" | base64)"); done
printf '%s\n' "${B64[2]}" >"$RUN/header-fixed.txt"
for i in $(seq 0 $((SESSIONS - 1))); do printf '%s\n' "${B64[$((i % 6))]}"; done >"$RUN/header-10k.txt"
# Sealed: the same sessions sealed with the ring's key; every one of the 10,000 values is distinct
# (its own nonce), as sealed values of distinct clients are.
seal_values() { # count -> one sealed value a line, backend i % 6
  local args=() i
  for i in $(seq 0 $(($1 - 1))); do args+=(--address "127.0.0.1:${BACKEND_PORTS[$((i % 6))]}"); done
  java -jar "$CLI_JAR" seal --sessionSealKeys "$RUN/tether-jetty-seal/etc/session-keys" "${args[@]}"
}
SEALED=()
mapfile -t SEALED < <(seal_values 6)
printf '%s\n' "${SEALED[2]}" >"$RUN/header-sealed-fixed.txt"
seal_values "$SESSIONS" >"$RUN/header-sealed-10k.txt"
[ "$(sort -u "$RUN/header-sealed-10k.txt" | wc -l)" = "$SESSIONS" ] || die "sealed values repeat"

wrk_args() { # target mode -> script arguments after --
  if [ "$1" = tether-jetty-hdr ]; then
    echo "$RUN/header-$2.txt $SESSION_HEADER"
  elif [ "$1" = tether-jetty-seal ]; then
    echo "$RUN/header-sealed-$2.txt $SESSION_HEADER"
  elif [ "$1" = haproxy ]; then
    echo "$RUN/cookie-$2.txt $SESSION_HEADER"
  else
    echo "$RUN/cookie-$2.txt Cookie $COOKIE="
  fi
}

# ---------------------------------------------------------------------------------------------
# Affinity check before measuring: the same cookie lands on the same backend every time, distinct
# cookies spread, and a header session lands where its value says.
instance() { # port header-line
  curl -s -D - -o /dev/null --max-time 5 -H "$2" "http://127.0.0.1:$1/hello" |
    tr -d '\r' | awk -F': ' 'tolower($1) == "x-backend-instance" { print $2 }'
}
for t in nginx haproxy tether-jetty tether-tomcat; do
  seen=" "
  for v in $(head -20 "$RUN/cookie-10k.txt"); do
    if [ "$t" = haproxy ]; then h="$SESSION_HEADER: $v"; else h="Cookie: $COOKIE=$v"; fi
    a=$(instance "${PORT_OF[$t]}" "$h")
    b=$(instance "${PORT_OF[$t]}" "$h")
    [ -n "$a" ] && [ "$a" = "$b" ] || die "$t: cookie $v went to '$a' then '$b'"
    case "$seen" in *" $a "*) ;; *) seen="$seen$a " ;; esac
  done
  [ "$(echo $seen | wc -w)" -ge 3 ] || die "$t: 20 cookies reached only$seen"
  log "affinity $t: 20 cookies, each on one backend, spread over$seen"
done
for i in 0 3 5; do
  got=$(instance "${PORT_OF[tether-jetty-hdr]}" "$SESSION_HEADER: ${B64[$i]}")
  [ "$got" = "b$((i + 1))" ] || die "tether-jetty-hdr: session for b$((i + 1)) went to '$got'"
done
log "affinity tether-jetty-hdr: header sessions land on their backend"
for i in 0 3 5; do
  got=$(instance "${PORT_OF[tether-jetty-seal]}" "$SESSION_HEADER: ${SEALED[$i]}")
  [ "$got" = "b$((i + 1))" ] || die "tether-jetty-seal: sealed session for b$((i + 1)) went to '$got'"
  renewed=$(curl -s -D - -o /dev/null --max-time 5 -H "$SESSION_HEADER: ${SEALED[$i]}" \
    "http://127.0.0.1:${PORT_OF[tether-jetty-seal]}/hello" | tr -d '\r' | grep -ci "^$SESSION_HEADER:" || true)
  [ "$renewed" = 0 ] || die "tether-jetty-seal: a valid sealed session was answered with a new value"
done
log "affinity tether-jetty-seal: sealed header sessions land on their backend, nothing re-issued"

# ---------------------------------------------------------------------------------------------
# HOLD=1: keep everything running for experiments by hand (ports and pids in target/run/ports.env)
# until interrupted, instead of measuring.
if [ "${HOLD:-0}" = 1 ]; then
  for t in "${TARGETS[@]}"; do
    echo "PORT_${t//-/_}=${PORT_OF[$t]} PID_${t//-/_}=${PID_OF[$t]}"
  done >"$RUN/ports.env"
  log "holding (HOLD=1); ports and pids in $RUN/ports.env; interrupt to stop everything"
  while true; do sleep 3600 & wait $!; done
fi

# ---------------------------------------------------------------------------------------------
# CPU time (user + system, clock ticks) of a target's processes: the proxy JVM, the nginx master
# and its workers, or for direct the backends' nginx. Measured per run, it gives the CPU each
# proxy spends per request, which other load on a shared machine disturbs far less than req/s.
TICK=$(getconf CLK_TCK)
cpu_ticks() { # target
  local root=${PID_OF[$1]} p s=0
  for p in $root $(pgrep -P "$root" || true); do
    [ -r "/proc/$p/stat" ] && s=$((s + $(sed 's/.*) //' "/proc/$p/stat" | awk '{ print $12 + $13 }')))
  done
  echo "$s"
}

# One measurement: wrk against a target; appends a row to raw.tsv.
RAW=$RUN/raw.tsv
printf 'round\ttarget\tmode\trps\tp50_us\tp99_us\terrors\trequests\tbackend_conns\tbackend_reqs\tcpu_us_per_req\tcores\n' >"$RAW"
measure() { # round target mode seconds
  local out before after cpu0 cpu1
  before=$(backend_counters)
  cpu0=$(cpu_ticks "$2")
  # shellcheck disable=SC2046
  out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$4s" --timeout 5s -s "$HERE/sessions.lua" \
    "http://127.0.0.1:${PORT_OF[$2]}/hello" -- $(wrk_args "$2" "$3") 2>&1) || die "wrk failed: $out"
  cpu1=$(cpu_ticks "$2")
  after=$(backend_counters)
  echo "$out" >>"$LOGS/wrk-$2.log"
  local line
  line=$(echo "$out" | grep '^RESULT ') || die "no RESULT from wrk: $out"
  local row
  row=$(echo "$line" | awk -v r="$1" -v t="$2" -v m="$3" -v b="$before" -v a="$after" -v c="$((cpu1 - cpu0))" -v tick="$TICK" '{
    for (i = 2; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
    split(b, B, " "); split(a, A, " ")
    secs = f["duration_us"] / 1e6; cpu = c / tick
    printf "%s\t%s\t%s\t%.0f\t%d\t%d\t%d\t%d\t%d\t%d\t%.1f\t%.2f\n", r, t, m,
      f["requests"] / secs, f["p50_us"], f["p99_us"],
      f["connect"] + f["read"] + f["write"] + f["status"] + f["timeout"], f["requests"],
      A[1] - B[1], A[2] - B[2] - 1, f["requests"] ? cpu * 1e6 / f["requests"] : 0, cpu / secs
  }')
  LAST_RPS=$(echo "$row" | cut -f4)
  [ "$1" = warmup ] || echo "$row" >>"$RAW"
  echo "$row" | awk -F'\t' '{ printf "  %-7s %-16s %-5s %6d req/s  p50 %6.2f ms  p99 %7.2f ms  errors %d  backend conns opened %4d  CPU %5.1f us/req (%.2f cores)\n", $1, $2, $3, $4, $5 / 1000, $6 / 1000, $7, $9, $11, $12 }' >&2
}

# Wait (bounded) for a quiet machine before measuring.
load1() { awk '{ print $1 }' /proc/loadavg; }
deadline=$(($(date +%s) + LOAD_WAIT))
while awk -v l="$(load1)" -v m="$LOAD_MAX" 'BEGIN { exit !(l >= m) }' && [ "$(date +%s)" -lt "$deadline" ]; do
  log "load average $(load1) >= $LOAD_MAX, waiting (until $(date -d @"$deadline" +%H:%M:%S))"
  sleep 20
done
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
log "measuring; load average $LOAD_BEFORE"

# JVM warm-up, for every Java proxy alike. First a moment of JFR: its first start instruments JDK
# socket and file classes, which throws away compiled code; done now, the profile run later finds
# the JIT's work intact. Then load in WARMUP_STEP chunks, session kinds alternating, until a
# 10k chunk gains less than 10% over the one before, at least WARMUP_MIN and at most WARMUP_MAX
# seconds (a JVM proxy sharing two cores with its load generator needs about a minute of load
# before C2 has compiled its request path).
for t in jetty-proxy tether-jetty tether-jetty-hdr tether-jetty-seal tether-tomcat; do
  measured "$t" || continue
  jcmd "${PID_OF[$t]}" JFR.start name=instrument >/dev/null && jcmd "${PID_OF[$t]}" JFR.stop name=instrument >/dev/null
done
for t in jetty-proxy tether-jetty tether-jetty-hdr tether-jetty-seal tether-tomcat; do
  measured "$t" || continue
  spent=0 previous=0 m=10k
  while [ "$spent" -lt "$WARMUP_MAX" ]; do
    measure warmup "$t" "$m" "$WARMUP_STEP"
    spent=$((spent + WARMUP_STEP))
    if [ "$m" = 10k ]; then
      [ "$spent" -ge "$WARMUP_MIN" ] && awk -v a="$LAST_RPS" -v b="$previous" 'BEGIN { exit !(a < 1.1 * b) }' && break
      previous=$LAST_RPS m=fixed
    else
      m=10k
    fi
  done
done
for t in direct nginx haproxy; do measured "$t" && measure warmup "$t" 10k 3; done
log "warm-up done"

# Rounds, interleaved: every round visits every target and mode, starting one target further on.
MEASURE_START=$(date +%s)
for r in $(seq 1 "$ROUNDS"); do
  n=${#TARGETS[@]}
  for k in $(seq 0 $((n - 1))); do
    t=${TARGETS[$(((k + r - 1) % n))]}
    if [ $((r % 2)) -eq 1 ]; then order=(fixed 10k); else order=(10k fixed); fi
    for m in "${order[@]}"; do measure "$r" "$t" "$m" "$DURATION"; done
  done
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
MEASURE_SECONDS=$(($(date +%s) - MEASURE_START))
log "rounds done in ${MEASURE_SECONDS}s; load average $LOAD_AFTER"

# ---------------------------------------------------------------------------------------------
# Profile: JFR (profile settings) on the Tether proxies during one more 10,000-session run each.
PROFILE_MD=$RUN/profile.md
: >"$PROFILE_MD"
if [ "$PROFILE" = 1 ]; then
  for t in tether-jetty tether-tomcat; do
    measured "$t" || continue
    pid=${PID_OF[$t]}
    jcmd "$pid" JFR.start name=load settings=profile filename="$RUN/$t.jfr" >/dev/null
    # Halfway through the run: connections from wrk to the proxy, from the proxy to the backends,
    # and the proxy JVM's threads.
    (
      sleep $((DURATION / 2))
      echo "$(ss -Htn state established "( sport = :${PORT_OF[$t]} )" | wc -l)" \
        "$(ss -Htnp state established "$BACKEND_FILTER" 2>/dev/null | grep -c "pid=$pid," || true)" \
        "$(ls "/proc/$pid/task" | wc -l)"
    ) >"$RUN/$t.sockets" &
    PIDS+=($!)
    before=$(backend_counters)
    measure profile "$t" 10k "$DURATION"
    after=$(backend_counters)
    jcmd "$pid" JFR.stop name=load >/dev/null
    wait "${PIDS[-1]}" || true
    read -r from_wrk to_backends threads <"$RUN/$t.sockets"
    log "profiled $t: $RUN/$t.jfr"
    {
      echo "### $t (JFR, profile settings, one ${DURATION} s run with $SESSIONS sessions)"
      echo
      awk -F'\t' -v t="$t" '$1 == "profile" && $2 == t { printf "%d req/s, p50 %.2f ms, p99 %.2f ms, %d errors, %.1f us CPU per request. ", $4, $5 / 1000, $6 / 1000, $7, $11 }' "$RAW"
      echo "Halfway through: $from_wrk client connections, $to_backends connections to the backends, $threads JVM threads." \
        "Backend connections opened during the run: $(awk -v b="$before" -v a="$after" 'BEGIN { split(b, B, " "); split(a, A, " "); print A[1] - B[1] " (for " A[2] - B[2] - 1 " requests)" }')."
      echo
      "$HERE/jfr-summary.sh" "$RUN/$t.jfr"
      echo
    } >>"$PROFILE_MD"
  done
fi

# ---------------------------------------------------------------------------------------------
# Memory: distinct session values through Tether Jetty; heap used after a full GC.
MEMORY_MD=$RUN/memory.md
: >"$MEMORY_MD"
heap_used() { # pid -> KiB used after full GC
  jcmd "$1" GC.run >/dev/null
  jcmd "$1" GC.run >/dev/null
  jcmd "$1" GC.heap_info | awk '/garbage-first heap|def new generation|PSYoungGen|ParOldGen|tenured/ && /used/ {
    for (i = 1; i <= NF; i++) if ($i == "used") { v = $(i + 1); sub(/K,?$/, "", v); s += v } }
    END { print s }'
}
UNIQUE=
send_unique() { # count tag; sets UNIQUE="responses errors req/s"
  local count=$1 tag=$2 dir=$RUN/markers-$2 out
  mkdir -p "$dir"
  WRK_THREADS=$THREADS wrk -t"$THREADS" -c"$CONNECTIONS" -d"${MEMORY_MAX_SECONDS}s" --timeout 5s \
    -s "$HERE/unique.lua" "http://127.0.0.1:${PORT_OF[tether-jetty]}/hello" \
    -- "$count" "$tag" "$dir" Cookie "$COOKIE=" >"$RUN/unique-$tag.out" 2>&1 &
  local wpid=$!
  PIDS+=("$wpid")
  while kill -0 "$wpid" 2>/dev/null; do
    # Every thread has its share: end wrk now rather than at -d (SIGINT makes it report).
    if [ "$(find "$dir" -name 'done-*' | wc -l)" -ge "$THREADS" ]; then kill -INT "$wpid" 2>/dev/null || true; fi
    sleep 0.5
  done
  wait "$wpid" || true
  out=$(grep '^RESULT ' "$RUN/unique-$tag.out") || die "memory run $tag: $(cat "$RUN/unique-$tag.out")"
  UNIQUE=$(echo "$out" | awk '{ for (i = 2; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
    printf "%d %d %.0f\n", f["requests"], f["connect"] + f["read"] + f["write"] + f["status"] + f["timeout"],
      f["requests"] / (f["duration_us"] / 1e6) }')
}
mib() { awk -v k="$1" 'BEGIN { printf "%.1f MiB", k / 1024 }'; }
if [ "$MEMORY_SESSIONS" -gt 0 ] && measured tether-jetty; then
  pid=${PID_OF[tether-jetty]}
  first=$((MEMORY_SESSIONS / 10))
  h0=$(heap_used "$pid")
  log "memory: heap after GC $(mib "$h0"); sending $first distinct sessions"
  send_unique "$first" a
  read -r n1 e1 r1 <<<"$UNIQUE"
  h1=$(heap_used "$pid")
  log "memory: $n1 sessions sent ($r1 req/s, $e1 errors), heap after GC $(mib "$h1"); sending $((MEMORY_SESSIONS - first)) more"
  send_unique "$((MEMORY_SESSIONS - first))" b
  read -r n2 e2 r2 <<<"$UNIQUE"
  h2=$(heap_used "$pid")
  log "memory: $((n1 + n2)) sessions sent ($r2 req/s, $e2 errors), heap after GC $(mib "$h2")"
  {
    echo "| distinct session values sent | heap used after full GC | errors | req/s |"
    echo "|---:|---:|---:|---:|"
    echo "| 0 | $(mib "$h0") | | |"
    echo "| $n1 | $(mib "$h1") | $e1 | $r1 |"
    echo "| $((n1 + n2)) | $(mib "$h2") | $e2 | $r2 |"
    echo
    awk -v a="$h0" -v b="$h2" -v n="$((n1 + n2))" 'BEGIN {
      d = b - a; printf "Change from 0 to %d sessions: %+.1f MiB (%+.2f bytes per session).\n", n, d / 1024, d * 1024 / n }'
  } >"$MEMORY_MD"
fi

# ---------------------------------------------------------------------------------------------
# Report.
ELAPSED=$(($(date +%s) - STARTED))
summary=$RUN/summary.tsv
# Per target and session kind: the median over the rounds (one noisy neighbour burst does not move
# it), the worst p99, all errors.
awk -F'\t' '
  function median(list,   v, m, i, j, x) {
    m = split(list, v, " ")
    for (i = 2; i <= m; i++) { x = v[i] + 0; for (j = i - 1; j >= 1 && v[j] + 0 > x; j--) v[j + 1] = v[j]; v[j + 1] = x }
    return m % 2 ? v[(m + 1) / 2] : (v[m / 2] + v[m / 2 + 1]) / 2 }
  NR > 1 && $1 ~ /^[0-9]+$/ {
    k = $2 "\t" $3; n[k]++
    rps[k] = rps[k] " " $4; p50[k] = p50[k] " " $5; p99[k] = p99[k] " " $6; if ($6 > p99max[k]) p99max[k] = $6
    err[k] += $7; conns[k] = conns[k] " " $9; cpu[k] = cpu[k] " " $11; cores[k] = cores[k] " " $12
    per[k] = per[k] (per[k] == "" ? "" : ", ") $4 }
  END { for (k in n) printf "%s\t%.0f\t%.2f\t%.2f\t%.2f\t%d\t%.0f\t%s\t%.1f\t%.2f\n", k, median(rps[k]),
    median(p50[k]) / 1000, median(p99[k]) / 1000, p99max[k] / 1000, err[k], median(conns[k]), per[k],
    median(cpu[k]), median(cores[k]) }' "$RAW" >"$summary"

get() { awk -F'\t' -v t="$1" -v m="$2" -v c="$3" '$1 == t && $2 == m { print $c }' "$summary"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b + 0 <= 0) print "n/a"; else printf "%.2f", a / b }'; }
verdict() { awk -v v="$1" -v op="$2" -v lim="$3" 'BEGIN { if (v == "n/a") { print "not measured"; exit } ok = op == ">=" ? v >= lim : v <= lim; print ok ? "met" : "MISSED" }'; }

CPU=$(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)
JVM=$(java -version 2>&1 | sed -n 2p)
{
  echo "# Load benchmark results"
  echo
  echo "Recorded $(date -u '+%Y-%m-%d %H:%M UTC') by \`benchmarks/load/run.sh\` (whole run ${ELAPSED} s)."
  echo
  echo "- Machine: $(nproc) cores ($CPU), $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo) RAM, $(uname -sr), shared with other builds"
  echo "- Load average (1/5/15 min): $LOAD_BEFORE before the rounds, $LOAD_AFTER after"
  echo "- JVM: $JVM; proxy JVMs run with \`$JVM_OPTS\`"
  echo "- Tether artifacts: $(basename "$JETTY_DIST") and $(basename "$TOMCAT_JAR") built at commit $(git -C "$(dirname "$JETTY_DIST")" log -1 --format='%h (%cd)' --date=short 2>/dev/null || echo unknown)"
  echo "- $(nginx -v 2>&1 | sed 's/^nginx version: //'), HAProxy $(haproxy -v 2>&1 | awk 'NR == 1 { print $3 }'), $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2), jetty-home $JETTY_VERSION, Tomcat $TOMCAT_VERSION"
  echo "- Load: \`wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s\`, GET /hello, ${ROUNDS} interleaved rounds (medians shown) after warming every Java proxy up (${WARMUP_MIN}-${WARMUP_MAX} s of load, until it stops getting faster); every request carries \`Cookie: $COOKIE=<value>\` (\`$SESSION_HEADER: <Base64(ip:port)>\` for tether-jetty-hdr, \`$SESSION_HEADER: <sealed value>\` for tether-jetty-seal, each of the $SESSIONS a distinct value), one value (fixed) or $SESSIONS in turn (10k)"
  echo "- Backends: six server blocks of one nginx worker on 127.0.0.1 answering 200 with a 32-byte body (the demo's JDK HttpServer backend does about 1,300 requests/s here, too slow to be a ceiling)"
  echo
  echo "| target | sessions | req/s | req/s per round | p50 ms | p99 ms | p99 ms (worst round) | errors | CPU us/request | cores used | backend conns opened per run |"
  echo "|---|---|---:|---|---:|---:|---:|---:|---:|---:|---:|"
  for t in "${TARGETS[@]}"; do for m in "${MODES[@]}"; do
    awk -F'\t' -v t="$t" -v m="$m" '$1 == t && $2 == m { printf "| %s | %s | %d | %s | %.2f | %.2f | %.2f | %d | %.1f | %.2f | %d |\n", $1, $2, $3, $9, $4, $5, $6, $7, $10, $11, $8 }' "$summary"
  done; done
  echo
  echo "direct = wrk straight to one backend (the ceiling); jetty-proxy = stock jetty-home ee10-proxy (\`ProxyServlet\$Transparent\`, one backend, no affinity); nginx = \`hash \$cookie_$COOKIE consistent\` with upstream keepalive; haproxy = \`balance hdr($SESSION_HEADER)\` + \`hash-type consistent\`, \`http-reuse always\`, fed the cookie values in \`$SESSION_HEADER\`; tether-jetty = Tether Jetty module (\`hashPolicy=cookie:$COOKIE\`); tether-jetty-hdr = Tether Jetty module with Envoy header sessions (\`sessionHeader=$SESSION_HEADER\`); tether-jetty-seal = the same with sealed values (\`sessionSeal=sealed\`, one key); tether-tomcat = Tether valve in Tomcat 11 (\`hashPolicy=cookie:$COOKIE\`). CPU us/request and cores used: user + system CPU time of the proxy's own processes (for direct: the backends' nginx) during the run, from /proc; backends, wrk and the rest of the machine are not in it."
  echo
  for m in "${MODES[@]}"; do
    echo "Throughput ratios, $m session(s) (row / column):"
    echo
    printf '| |'; for c in "${TARGETS[@]}"; do printf ' %s |' "$c"; done; echo
    printf '|---|'; for c in "${TARGETS[@]}"; do printf -- '---:|'; done; echo
    for r in "${TARGETS[@]}"; do
      printf '| %s |' "$r"
      for c in "${TARGETS[@]}"; do printf ' %s |' "$(ratio "$(get "$r" "$m" 3)" "$(get "$c" "$m" 3)")"; done
      echo
    done
    echo
  done
  if measured nginx; then
    echo "Proxy CPU per request relative to nginx (lower is better; from the CPU us/request column):"
    echo
    echo "| target | fixed | 10k |"
    echo "|---|---:|---:|"
    for t in "${TARGETS[@]}"; do
      [ "$t" = direct ] && continue
      echo "| $t | $(ratio "$(get "$t" fixed 10)" "$(get nginx fixed 10)")x | $(ratio "$(get "$t" 10k 10)" "$(get nginx 10k 10)")x |"
    done
    echo
  fi
  echo "## Targets"
  echo
  echo "| target | sessions | measured | verdict |"
  echo "|---|---|---:|---|"
  for m in "${MODES[@]}"; do
    v=$(ratio "$(get tether-jetty "$m" 10)" "$(get nginx "$m" 10)"); [ "$v" = n/a ] || echo "| Tether Jetty CPU/request <= 1.5x nginx (stretch 1.2x) | $m | $(get tether-jetty "$m" 10) / $(get nginx "$m" 10) us = ${v}x | $(verdict "$v" '<=' 1.5) (stretch: $(verdict "$v" '<=' 1.2)) |"
    v=$(ratio "$(get tether-jetty "$m" 3)" "$(get nginx "$m" 3)"); [ "$v" = n/a ] || echo "| Tether Jetty throughput >= 0.8x nginx | $m | ${v}x | $(verdict "$v" '>=' 0.8) |"
    v=$(ratio "$(get tether-tomcat "$m" 3)" "$(get tether-jetty "$m" 3)"); [ "$v" = n/a ] || echo "| Tether Tomcat >= 0.9x Tether Jetty | $m | ${v}x | $(verdict "$v" '>=' 0.9) |"
    for t in tether-jetty tether-jetty-hdr tether-jetty-seal tether-tomcat; do
      v=$(ratio "$(get "$t" "$m" 5)" "$(get nginx "$m" 5)"); [ "$v" = n/a ] || echo "| $t p99 <= 2x nginx p99 | $m | $(get "$t" "$m" 5) ms = ${v}x | $(verdict "$v" '<=' 2) |"
    done
    v=$(ratio "$(get tether-jetty-seal "$m" 10)" "$(get tether-jetty-hdr "$m" 10)"); [ "$v" = n/a ] || echo "| sealed header session CPU <= 1.05x plain (tether-jetty-seal / tether-jetty-hdr, us/request) | $m | $(get tether-jetty-seal "$m" 10) / $(get tether-jetty-hdr "$m" 10) = ${v}x | $(verdict "$v" '<=' 1.05) |"
  done
  errs=$(awk -F'\t' '{ s += $7 } END { print s + 0 }' "$summary")
  echo "| zero errors (every run, every target) | all | $errs | $( [ "$errs" = 0 ] && echo met || echo MISSED ) |"
  if measured tether-jetty-hdr && measured tether-jetty-seal; then
    echo
    echo "Sealed against plain header sessions, paired by round (each pair measured within a minute, so a neighbour's load moves both): CPU us/request of tether-jetty-seal / tether-jetty-hdr"
    echo
    awk -F'\t' '$1 ~ /^[0-9]+$/ && ($2 == "tether-jetty-seal" || $2 == "tether-jetty-hdr") { c[$1 " " $2 " " $3] = $11; if ($1 > rounds) rounds = $1 }
      END {
        printf "| sessions |"; for (r = 1; r <= rounds; r++) printf " round %d |", r; print " median |"
        printf "|---|"; for (r = 1; r <= rounds; r++) printf "---:|"; print "---:|"
        split("fixed 10k", modes, " ")
        for (i = 1; i <= 2; i++) {
          m = modes[i]; n = 0; printf "| %s |", m
          for (r = 1; r <= rounds; r++) { b = c[r " tether-jetty-hdr " m]; v = b > 0 ? c[r " tether-jetty-seal " m] / b : 0; printf " %.3f |", v; if (b > 0) x[++n] = v; all[++t] = v }
          for (a = 2; a <= n; a++) { y = x[a]; for (j = a - 1; j >= 1 && x[j] > y; j--) x[j + 1] = x[j]; x[j + 1] = y }
          printf " %.3f |\n", n % 2 ? x[(n + 1) / 2] : (x[n / 2] + x[n / 2 + 1]) / 2
        }
        for (a = 2; a <= t; a++) { y = all[a]; for (j = a - 1; j >= 1 && all[j] > y; j--) all[j + 1] = all[j]; all[j + 1] = y }
        printf "\nMedian of all %d paired ratios: %.3f (lowest %.3f, highest %.3f).\n", t, t % 2 ? all[(t + 1) / 2] : (all[t / 2] + all[t / 2 + 1]) / 2, all[1], all[t]
      }' "$RAW"
    echo
  fi
  echo
  if [ -s "$MEMORY_MD" ]; then
    echo "## Memory: $MEMORY_SESSIONS distinct sessions through Tether Jetty"
    echo
    echo "Every request carries a cookie value never sent before (\`unique.lua\`); heap used after \`jcmd <pid> GC.run\` (twice), from \`jcmd <pid> GC.heap_info\`."
    echo
    cat "$MEMORY_MD"
    echo
  fi
  if [ -s "$PROFILE_MD" ]; then
    echo "## Profile"
    echo
    cat "$PROFILE_MD"
  fi
} >"$RESULTS"
cp "$RAW" "$WORK/raw-last.tsv"
cat "$RESULTS"
log "results: $RESULTS (raw rows: $WORK/raw-last.tsv); total ${ELAPSED}s"
