# Tether: Istio/Envoy-equivalent session affinity for a Jetty 12 reverse proxy.
# Install: unzip tether-jetty-dist.zip into $JETTY_BASE, then
#   java -jar $JETTY_HOME/start.jar --add-modules=tether

[description]
Tether reverse proxy: routes every request to one of a static list of backends the way an
Istio-configured Envoy would (ring hash or Maglev over hash policies, stateful sessions by
cookie or header), on Jetty's own ProxyHandler.
The proxy answers at context path / of the server's context collection.

[tags]
proxy
handler

[depend]
server
http
client
proxy

[lib]
lib/tether/*.jar

[xml]
etc/tether.xml

[ini]
# Jetty's parser caches request header fields per connection and wipes the whole cache each
# time it fills. A proxy's headers rarely repeat (session cookies, X-Forwarded-For), so the
# cache only fills and is wiped: off, unless set elsewhere.
jetty.httpConfig.headerCacheSize?=0

[ini-template]
# tag::documentation[]
## Tether reverse proxy. Every key is optional except tether.endpoints; the values
## shown are the defaults. A bad value stops the server with
## "key: value (expected: ...)" in the log.

## Backends. One of:
##   a static list, comma-separated host:port[;weight=N][;hashKey=K][;locality=L][;priority=P][;health=STATE],
##     IPv6 in brackets, e.g. 10.0.0.1:8080,10.0.0.2:8080;weight=2,[2001:db8::1]:8080
##   dns:NAME:PORT     every address NAME resolves to, re-resolved every dnsRefreshRate
##   file:PATH         a YAML/JSON endpoints file (relative to jetty.base), re-read every fileRefreshRate
## Required.
# tether.endpoints=

## dns: endpoints: how often the name is resolved again (set only with dns:).
# tether.dnsRefreshRate=5s

## file: endpoints and the sessionSealKeys file: how often they are checked for changes
## (set only with file: or sessionSealKeys).
# tether.fileRefreshRate=1s

## Consistent-hash algorithm: RING_HASH or MAGLEV.
# tether.loadBalancer=RING_HASH

## Ring hash: least and most ring entries (0 = default; at most 8388608).
# tether.minimumRingSize=1024
# tether.maximumRingSize=8388608

## Ring hash: function that hashes ring entries, XX_HASH or MURMUR_HASH_2.
# tether.hashFunction=XX_HASH

## Maglev: lookup table size, a prime (0 = default).
# tether.tableSize=65537

## Hash the host name rather than the address.
# tether.useHostnameForHashing=false

## Percent of healthy endpoints below which all endpoints are used (0 disables panic).
## With outlier detection on, Istio uses minHealthPercent instead (default 0).
# tether.panicThreshold=50

## Locality weights, comma-separated LOCALITY=WEIGHT (empty: no locality weighting).
# tether.localityWeights=

## Bounded-load factor in percent, 0 (off) or at least 100.
# tether.hashBalanceFactor=0

## Request hash policies, comma-separated, evaluated in order:
## header:NAME | cookie:NAME[;ttl=DURATION][;path=P][;attribute=NAME[=VALUE]]... | sourceIp | query:NAME,
## each optionally followed by ;terminal. E.g. cookie:sticky-session-key;ttl=0s
## None: requests without a session go to a random endpoint, as in Envoy.
# tether.hashPolicy=

## Stateful session by cookie (Istio's istio.io/persistent-session label): NAME[:PATH].
# tether.sessionCookie=

## Session cookie Max-Age, a duration such as 0s (a session cookie), 30m, 1h
## (set only with sessionCookie).
# tether.sessionCookieTtl=0s

## Attributes appended to the session Set-Cookie, separated by ; or , e.g. Secure;SameSite=Lax
## (set only with sessionCookie).
# tether.sessionCookieAttributes=

## Stateful session by header (istio.io/persistent-session-header): the header name.
# tether.sessionHeader=

## Answer 503 rather than rebalance when the session's endpoint cannot serve.
# tether.sessionStrict=false

## Endpoint healths a session may still be routed to.
# tether.sessionOverrideHealth=UNKNOWN,HEALTHY,DEGRADED,DRAINING

## Sealed session values (a Tether extension): off (Envoy's plain values), sealed (write and
## read only values a client can neither read nor forge) or migrate (write sealed, also honour
## Envoy's plain values and answer them sealed: the way from an Istio gateway to sealed).
# tether.sessionSeal=off

## Key ring file (relative to jetty.base), one ID=BASE64 line a key, the first seals; re-read
## every fileRefreshRate. Required unless sessionSeal is off; set only then.
## tether keygen prints a line.
# tether.sessionSealKeys=

## Lifetime sealed into each value (0s: none; a cookie then keeps sessionCookieTtl's).
## An expired value is no session, whatever the cookie's Max-Age (set only with sessionSeal).
# tether.sessionSealTtl=0s

## An Istio DestinationRule YAML file (relative to jetty.base): its consistentHash and
## outlierDetection apply; the keys set here override it.
# tether.destinationRule=

## Active HTTP health checks: GET this path on every endpoint (empty: no checks).
## The other healthCheck/threshold keys may be set only with it.
# tether.healthCheckPath=
# tether.healthCheckInterval=10s
# tether.healthCheckTimeout=1s

## Passes in a row that bring an endpoint back; failures in a row that take it out.
# tether.healthyThreshold=1
# tether.unhealthyThreshold=3

## Outlier ejection (Istio's outlierDetection). Setting any of these turns it on
## with Istio's defaults for the rest; a DestinationRule's outlierDetection does too.
# tether.consecutive5xxErrors=5
# tether.consecutiveGatewayErrors=0
# tether.outlierInterval=10s
# tether.baseEjectionTime=30s
# tether.maxEjectionPercent=10
# tether.minHealthPercent=0

## Retries (Istio's default route retry policy): at most this many retries (0: none), for
## idempotent requests whose body can be sent again, on the Envoy retryOn conditions and status codes.
# tether.retries=2
# tether.retryOn=connect-failure,refused-stream,unavailable,cancelled,503

## Timeouts (Envoy's; 0s = none, except connectTimeout).
## Longest wait for a TCP connection to a backend (a slow connect is a connect failure).
# tether.connectTimeout=10s
## Longest wait for the response head, from when the request was sent, for all attempts (504).
# tether.requestTimeout=30s
## Longest wait for one attempt's response head (may be retried; 0s = off).
# tether.perTryTimeout=0s
## Longest silence either way on an open response or WebSocket/Upgrade tunnel, then close.
# tether.idleTimeout=1h

## Name of this balancer's JMX beans (dev.tether:type=Balancer,name=...).
# tether.name=tether
# end::documentation[]
