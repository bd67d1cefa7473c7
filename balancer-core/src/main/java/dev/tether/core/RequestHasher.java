package dev.tether.core;

import dev.tether.api.HashPolicy;
import dev.tether.api.RequestView;
import dev.tether.core.internal.IpLiterals;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Evaluates hash policies as Envoy's {@code HashPolicyImpl::generateHash} does: in order, each
 * value folded in as {@code rotateLeft(acc, 1) ^ value}, stopping at a terminal policy once a hash
 * exists.
 *
 * @see <a href="https://github.com/envoyproxy/envoy/blob/main/source/common/http/hash_policy.cc">
 *     Envoy hash_policy.cc</a>
 */
final class RequestHasher {
  private RequestHasher() {}

  static RequestHash hash(List<HashPolicy> policies, RequestView request) {
    boolean present = false;
    long acc = 0;
    String setCookie = null;
    for (int i = 0, n = policies.size(); i < n; i++) {
      HashPolicy policy = policies.get(i);
      long value;
      switch (policy.type()) {
        case HEADER: {
          List<String> values = request.headers(policy.name());
          if (values.isEmpty()) {
            break;
          }
          value = hashHeaderValues(values);
          acc = combine(acc, present, value);
          present = true;
          break;
        }
        case COOKIE: {
          String cookie = RequestCookies.value(request.headers("cookie"), policy.name());
          if (cookie.isEmpty()) {
            if (policy.ttl() == null) {
              break;
            }
            cookie = generatedCookieValue(request);
            setCookie = SetCookie.format(policy.name(), cookie, policy.path(),
                policy.ttl().getSeconds(), policy.attributes());
          }
          value = XxHash64.hash(cookie);
          acc = combine(acc, present, value);
          present = true;
          break;
        }
        case SOURCE_IP: {
          String ip = request.remoteAddress();
          if (ip == null || ip.isEmpty()) {
            break;
          }
          value = XxHash64.hash(IpLiterals.canonical(ip));
          acc = combine(acc, present, value);
          present = true;
          break;
        }
        case QUERY_PARAMETER: {
          String parameter = QueryParameters.first(request.pathAndQuery(), policy.name());
          if (parameter == null) {
            break;
          }
          value = XxHash64.hash(parameter);
          acc = combine(acc, present, value);
          present = true;
          break;
        }
        default:
          throw new AssertionError(policy.type());
      }
      if (policy.terminal() && present) {
        break;
      }
    }
    return present || setCookie != null ? new RequestHash(present, acc, setCookie) : RequestHash.NONE;
  }

  private static long combine(long acc, boolean present, long value) {
    return (present ? Long.rotateLeft(acc, 1) : 0) ^ value;
  }

  /**
   * Envoy sorts a header's values byte-wise (so their order does not matter) and hashes them with
   * {@code HashUtil::xxHash64(Span)}, which chains the seed: {@code h = XXH64(value_i, seed = h)}
   * from seed 0. One value hashes as {@code XXH64(value)}. (Plain concatenation would give a
   * different hash: Envoy's own test vector for {"foo", "bar"} is 17745830980996999794.)
   */
  static long hashHeaderValues(List<String> values) {
    if (values.size() == 1) {
      return XxHash64.hash(values.get(0));
    }
    List<byte[]> encoded = new ArrayList<>(values.size());
    for (String v : values) {
      encoded.add(v.getBytes(StandardCharsets.UTF_8));
    }
    encoded.sort(java.util.Arrays::compareUnsigned);
    long hash = 0;
    for (byte[] bytes : encoded) {
      hash = XxHash64.hash(bytes, 0, bytes.length, hash);
    }
    return hash;
  }

  /**
   * A generated cookie's value: 16 lower-case hex digits of XXH64 of the client connection's
   * remote then local address, as Envoy generates it, so every request on one connection gets
   * the same value.
   */
  static String generatedCookieValue(RequestView request) {
    String source = hostPort(request.remoteAddress(), request.remotePort())
        + hostPort(request.localAddress(), request.localPort());
    return hex16(XxHash64.hash(source));
  }

  static String hostPort(String ip, int port) {
    String canonical = IpLiterals.canonical(ip == null ? "" : ip);
    return canonical.indexOf(':') >= 0 ? "[" + canonical + "]:" + port : canonical + ":" + port;
  }

  static String hex16(long value) {
    String hex = Long.toHexString(value);
    return "0000000000000000".substring(hex.length()) + hex;
  }
}
