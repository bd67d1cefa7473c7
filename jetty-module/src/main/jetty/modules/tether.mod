# Tether: Istio/Envoy-equivalent session affinity for a Jetty 12 reverse proxy.
# Install: unzip tether-jetty-dist.zip into $JETTY_BASE, then
#   java -jar $JETTY_HOME/start.jar --add-modules=tether

[description]
Tether reverse proxy: routes every request to one of a static list of backends the way an
Istio-configured Envoy would (ring hash or Maglev over hash policies, stateful sessions by
cookie or header), on Jetty's own server, ClientConnector and HTTP parser.
The proxy answers at context path / of the server's context collection.

[tags]
proxy
handler

[depend]
server
http
client
proxy
# Graceful stop: on SIGTERM (Jetty's stopAtShutdown) the connector closes its listening socket,
# requests in flight finish (new ones on open connections get 503), open WebSocket and other
# upgrade tunnels go on, all for at most jetty.server.stopTimeout (the drain time, default 5000 ms);
# then whatever is still open is closed.
graceful

[lib]
lib/tether/*.jar

[xml]
etc/tether-check.xml
etc/tether.xml

[ini]
# Jetty's parser caches request header fields per connection and wipes the whole cache each
# time it fills. A proxy's headers rarely repeat (session cookies, X-Forwarded-For), so the
# cache only fills and is wiped: off, unless set elsewhere.
jetty.httpConfig.headerCacheSize?=0

[ini-template]
# tag::documentation[]
## Tether reverse proxy. Every key is optional except tether.endpoints; the values shown are the
## defaults. A bad value, or a tether.* property that is not one of these keys, stops the server
## with "key: value (expected: ...)" in the log. Durations use Istio's syntax: 0s, 500ms, 30s, 1h,
## 1h30m. Relative paths are read from jetty.base.

## dns:NAME:PORT (every address of NAME, resolved again every dnsRefreshRate), file:PATH (a YAML or
## JSON list of endpoints, read again every fileRefreshRate) or comma-separated
## host:port[;weight=N][;hashKey=K][;locality=L][;priority=P][;health=STATE]; IPv6 as [addr]:port;
## STATE is UNKNOWN, HEALTHY, DEGRADED, UNHEALTHY or DRAINING
# tether.endpoints=

## how often dns: endpoints are resolved again (set only with dns:)
# tether.dnsRefreshRate=5s

## who answers dns: names (set only with dns:): system asks the servers of /etc/resolv.conf with its
## search domains and ndots, /etc/hosts first; IP[:PORT],... asks only those servers (IPv6 as
## [ADDR]:PORT), the name as written; jvm uses the JVM's resolver and its cache. Both others send A
## and AAAA queries, retry over TCP when an answer is truncated and cache nothing, so dnsRefreshRate
## holds
# tether.dnsResolvers=system

## how often a file: endpoint list and the sessionSealKeys ring are read again (used only when their
## content changed; set only with one of them)
# tether.fileRefreshRate=1s

## RING_HASH or MAGLEV
# tether.loadBalancer=RING_HASH

## least ring entries (0 means the default)
# tether.minimumRingSize=1024

## most ring entries (0 means the default; at most 8388608)
# tether.maximumRingSize=8388608

## XX_HASH or MURMUR_HASH_2 for ring entries
# tether.hashFunction=XX_HASH

## Maglev table size, a prime up to 5000011 (0 means the default)
# tether.tableSize=65537

## hash the host name instead of ip:port
# tether.useHostnameForHashing=false

## percent of healthy plus degraded endpoints under which all endpoints are used; 0 disables panic;
## with outlier detection on, Istio uses minHealthPercent instead
# tether.panicThreshold=50

## LOCALITY=WEIGHT,...; weights endpoints by locality
# tether.localityWeights=

## bounded-load hashing: at most factor/100 of the average load per host; 0 or at least 100
# tether.hashBalanceFactor=0

## comma-separated header:NAME, cookie:NAME[;ttl=DURATION][;path=P][;attribute=NAME[=VALUE]]...,
## sourceIp, query:NAME, each optionally ;terminal; none: requests without a session go to a random
## endpoint, as in Envoy
# tether.hashPolicy=

## NAME[:PATH]: stateful session in a cookie (path / by default)
# tether.sessionCookie=

## session cookie lifetime; 0s is a browser-session cookie with no expiry (set only with
## sessionCookie)
# tether.sessionCookieTtl=0s

## extra cookie attributes, Name[=Value] separated by semicolons or commas, e.g. Secure;SameSite=Lax
## (set only with sessionCookie)
# tether.sessionCookieAttributes=

## NAME: stateful session in a request/response header
# tether.sessionHeader=

## answer 503 when the session's backend cannot serve, instead of re-pinning
# tether.sessionStrict=false

## healths of a backend that sessions may still reach
# tether.sessionOverrideHealth=UNKNOWN,HEALTHY,DEGRADED,DRAINING

## off: Envoy's plain values; sealed: write and read only sealed values a client can neither read
## nor forge; migrate: write sealed, and also honour Envoy's plain values, answering each with the
## session sealed
# tether.sessionSeal=off

## key ring file, relative to the Jetty base or $CATALINA_BASE: one ID=BASE64 line a key (tether
## keygen), the first seals, all open; re-read every fileRefreshRate. Required unless sessionSeal is
## off, and an error when it is
# tether.sessionSealKeys=

## lifetime sealed into each value; an expired value is no session whatever the cookie's Max-Age.
## 0s: none, except that a cookie keeps sessionCookieTtl as its sealed expiry. Values past half
## their lifetime are re-issued
# tether.sessionSealTtl=0s

## path of an Istio DestinationRule YAML (networking.istio.io v1, v1beta1, v1alpha3), relative to
## the Jetty base or $CATALINA_BASE; trafficPolicy.loadBalancer.consistentHash, outlierDetection and
## connectionPool (tcp.maxConnections, tcp.connectTimeout, http.http1MaxPendingRequests,
## http.maxRequestsPerConnection, http.idleTimeout, http.maxRetries) are honoured; the flat keys
## override it
# tether.destinationRule=

## active HTTP health checks of every endpoint on this path; only 200 passes; the other health-check
## keys may be set only with it
# tether.healthCheckPath=

## time between checks
# tether.healthCheckInterval=10s

## a check slower than this fails
# tether.healthCheckTimeout=1s

## passing checks in a row to become healthy
# tether.healthyThreshold=1

## failing checks in a row to become unhealthy (a non-200 answer fails at once, as in Envoy)
# tether.unhealthyThreshold=3

## 5xx answers (and connect failures, resets and timeouts) in a row that eject an endpoint; setting
## any outlier key turns outlier detection on, with Istio's defaults for the others
# tether.consecutive5xxErrors=5

## 502, 503, 504 (and connect failures, resets and timeouts, as Envoy counts locally originated
## failures) in a row that eject
# tether.consecutiveGatewayErrors=0

## how often ejections are swept
# tether.outlierInterval=10s

## ejection time, multiplied by the number of ejections in a row (capped at max(300 s, base))
# tether.baseEjectionTime=30s

## most endpoints ejected at once, in percent
# tether.maxEjectionPercent=10

## below this share of healthy endpoints all are used (Istio sets it as the panic threshold)
# tether.minHealthPercent=0

## retries per request, on another endpoint when there is one; only before anything reached the
## client and while the request's body can be sent again; only idempotent methods unless the attempt
## could not connect
# tether.retries=2

## what is retried: connect-failure, reset (a reset or protocol error before the response head, and
## a per-try timeout), 5xx, gateway-error, retriable-4xx; bare status codes are retriable status
## codes
# tether.retryOn=connect-failure,refused-stream,unavailable,cancelled,503

## the longest wait for a connection to a backend; then a connect failure
# tether.connectTimeout=10s

## connectTimeout by its Istio name: the same setting; set at most one of the two
# tether.tcp.connectTimeout=10s

## the longest wait for a backend's response head, from when the request has been sent, shared by
## all attempts; then 504 upstream request timeout; 0s waits for ever. It ends at the head: a stream
## or server-sent events are never cut by it
# tether.requestTimeout=30s

## the longest wait for one attempt's response head; retried under reset, 5xx or gateway-error
# tether.perTryTimeout=0s

## the longest time without a byte either way on an open response or WebSocket tunnel; then the
## client connection is closed; 0s never
# tether.idleTimeout=1h

## circuit breaking: connections to the backends at once, over every endpoint, so (HTTP/1.1)
## requests in progress; more wait in the pending queue
# tether.tcp.maxConnections=4294967295

## requests that wait for a connection slot, first come first served, at most requestTimeout (then
## 504); with the queue full a request is answered 503 ... reset reason: overflow at once
# tether.http.http1MaxPendingRequests=4294967295

## requests one backend connection carries before it is closed; 0: no limit; 1: no keep-alive
# tether.http.maxRequestsPerConnection=0

## how long a pooled backend connection with no request on it stays open; 0s: until the backend
## closes it
# tether.http.idleTimeout=1h

## retries in progress at once over every endpoint; a retry beyond it is not made, and the attempt's
## own outcome is answered
# tether.http.maxRetries=4294967295

## name of this balancer in JMX (dev.tether:type=Balancer,name=...); a taken name gets -2, -3, ...
# tether.name=tether
# end::documentation[]
