package dev.tether.core;

/**
 * Finds a query parameter the way Envoy's {@code QueryParamsMulti::parseQueryString} and
 * {@code getFirstValue} do for hash policies: after the first {@code ?}, pairs split on
 * {@code &}, the name up to the first {@code =}, values raw (not percent-decoded); a name without
 * {@code =} has the empty value; the first occurrence wins.
 */
final class QueryParameters {
  private QueryParameters() {}

  /** The first raw value, or null when the parameter is absent. */
  static String first(String pathAndQuery, String name) {
    int question = pathAndQuery.indexOf('?');
    if (question < 0) {
      return null;
    }
    int start = question + 1;
    int length = pathAndQuery.length();
    while (start < length) {
      int end = pathAndQuery.indexOf('&', start);
      if (end < 0) {
        end = length;
      }
      int equals = pathAndQuery.indexOf('=', start);
      int nameEnd = equals >= 0 && equals < end ? equals : end;
      if (nameEnd - start == name.length() && pathAndQuery.startsWith(name, start)) {
        return nameEnd == end ? "" : pathAndQuery.substring(nameEnd + 1, end);
      }
      start = end + 1;
    }
    return null;
  }
}
