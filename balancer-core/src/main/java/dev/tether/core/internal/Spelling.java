package dev.tether.core.internal;

import java.util.Collection;
import java.util.Locale;

/**
 * "Did you mean": the known name closest to a misspelled one, by optimal string alignment
 * distance (Levenshtein's insertions, deletions and substitutions, plus a swap of two neighbours,
 * each costing 1), ignoring case. A name is offered only when it is close: at most one edit for
 * a name of up to seven characters, at most two up to eleven, three beyond, so that a short
 * unrelated key is never proposed. Every front end and the CLI answer an unknown key or flag
 * through this one place, so the suggestions agree everywhere.
 */
public final class Spelling {
  private Spelling() {}

  /**
   * The candidate closest to {@code given}, or null when none is close; ties go to the candidate
   * that comes first.
   */
  public static String closest(String given, Collection<String> candidates) {
    String wanted = given.toLowerCase(Locale.ROOT);
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String candidate : candidates) {
      int distance = distance(wanted, candidate.toLowerCase(Locale.ROOT));
      if (distance <= allowed(candidate.length()) && distance < bestDistance) {
        best = candidate;
        bestDistance = distance;
      }
    }
    return best;
  }

  /** The most edits that still count as a misspelling of a name this long. */
  static int allowed(int length) {
    return length <= 7 ? 1 : length <= 11 ? 2 : 3;
  }

  /** The optimal string alignment distance between {@code a} and {@code b}. */
  static int distance(String a, String b) {
    int n = a.length();
    int m = b.length();
    int[] previous = new int[m + 1];
    int[] current = new int[m + 1];
    int[] beforePrevious = new int[m + 1];
    for (int j = 0; j <= m; j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= n; i++) {
      current[0] = i;
      for (int j = 1; j <= m; j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        int d = Math.min(Math.min(previous[j] + 1, current[j - 1] + 1), previous[j - 1] + cost);
        if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2)
            && a.charAt(i - 2) == b.charAt(j - 1)) {
          d = Math.min(d, beforePrevious[j - 2] + 1);
        }
        current[j] = d;
      }
      int[] oldest = beforePrevious;
      beforePrevious = previous;
      previous = current;
      current = oldest;
    }
    return previous[m];
  }
}
