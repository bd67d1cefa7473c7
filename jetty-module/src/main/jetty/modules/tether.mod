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

[ini-template]
# tag::documentation[]
## Tether reverse proxy. Every key is optional except tether.endpoints; the values
## shown are the defaults. A bad value stops the server with
## "key: value (expected: ...)" in the log.

## Backends, comma-separated: host:port[;weight=N][;hashKey=K][;locality=L][;priority=P][;health=STATE]
## with IPv6 in brackets, e.g. 10.0.0.1:8080,10.0.0.2:8080;weight=2,[2001:db8::1]:8080
# tether.endpoints=

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
# tether.panicThreshold=50

## Locality weights, comma-separated LOCALITY=WEIGHT (empty: no locality weighting).
# tether.localityWeights=

## Bounded-load factor in percent, 0 (off) or at least 100.
# tether.hashBalanceFactor=0

## Request hash policies, comma-separated, evaluated in order:
## header:NAME | cookie:NAME[;ttl=DURATION][;path=P][;attribute=NAME[=VALUE]]... | sourceIp | query:NAME,
## each optionally followed by ;terminal. E.g. cookie:sticky-session-key;ttl=0s
# tether.hashPolicy=

## Stateful session by cookie (Istio's istio.io/persistent-session label): NAME[:PATH].
# tether.sessionCookie=

## Session cookie Max-Age, a duration such as 0s (session cookie), 30m, 1h.
# tether.sessionCookieTtl=0s

## Attributes appended to the session Set-Cookie, separated by ; or , e.g. Secure;SameSite=Lax
# tether.sessionCookieAttributes=

## Stateful session by header (istio.io/persistent-session-header): the header name.
# tether.sessionHeader=

## Answer 503 rather than rebalance when the session's endpoint cannot serve.
# tether.sessionStrict=false

## Endpoint healths a session may still be routed to.
# tether.sessionOverrideHealth=UNKNOWN,HEALTHY,DEGRADED,DRAINING

## An Istio DestinationRule YAML file (relative to jetty.base); the keys above override it.
# tether.destinationRule=
# end::documentation[]
