#!/usr/bin/env bash
# Summarizes a JFR recording of a proxy under load, as Markdown: CPU samples (hottest methods,
# packages, Tether's inclusive share), sampled allocation (by class, by allocating site) and GC.
# Samples of JFR's own work (its threads, jdk.jfr frames) are left out.
#
#   benchmarks/load/jfr-summary.sh recording.jfr
set -euo pipefail
f=${1:?usage: jfr-summary.sh recording.jfr}

# Sorted top-N lists without gawk: pipe through sort (the leading percentages sort as numbers).
TOP='function top(arr, total, n, title,   k, cmd) {
  print title; fflush(); cmd = "sort -rn | head -" n
  for (k in arr) printf "  %5.1f%%  %s\n", 100 * arr[k] / total, k | cmd
  close(cmd) }
function frame(line,   fr) { fr = line; sub(/^[ \t]+/, "", fr); sub(/[ \t]+line:.*$/, "", fr); return fr }'

echo '```text'
jfr print --events jdk.ExecutionSample --stack-depth 64 "$f" | awk "$TOP"'
  /sampledThread = / { thread = $0 }
  /stackTrace = \[/ { in_st = 1; n = 0; next }
  in_st && /^[ \t]*\]/ {
    in_st = 0
    if (thread ~ /"(JFR |Attach Listener)/ || jfr) { jfr = 0; next }
    total++; any = 0; delete seen
    for (i = 0; i < n; i++) {
      fr = st[i]
      if (i == 0) {
        self[fr]++; pk = fr; sub(/\.[^.]*\(.*$/, "", pk); m = split(pk, parts, ".")
        pkg[parts[1] "." parts[2] (m > 3 ? "." parts[3] : "")]++ }
      if (fr ~ /^dev\.tether\./) { any = 1; if (!(fr in seen)) { incl[fr]++; seen[fr] = 1 } }
    }
    if (any) tether++
    next }
  in_st { fr = frame($0); if (fr == "...") next; if (fr ~ /^jdk\.jfr\./) jfr = 1; st[n++] = fr }
  END {
    if (!total) { print "no CPU samples"; exit }
    printf "CPU samples: %d; with Tether code (dev.tether.*) on the stack: %d (%.1f%%)\n", total, tether, 100 * tether / total
    top(self, total, 15, "\nHottest methods (own samples):")
    top(pkg, total, 10, "\nOwn samples by package:")
    top(incl, total, 12, "\nTether methods, inclusive (on the stack):")
  }'
jfr print --events jdk.ObjectAllocationSample --stack-depth 64 "$f" | awk "$TOP"'
  function bytes(v, u) { return u == "kB" ? v * 1024 : u == "MB" ? v * 1048576 : u == "GB" ? v * 1073741824 : v }
  /objectClass = / { cls = $3 }
  /weight = / { w = bytes($3 + 0, $4) }
  /eventThread = / { thread = $0 }
  /stackTrace = \[/ { in_st = 1; site = ""; tsite = ""; jfr = 0; next }
  in_st && /^[ \t]*\]/ {
    in_st = 0
    if (thread ~ /"(JFR |Attach Listener)/ || jfr) next
    total += w; bycls[cls] += w
    bysite[site == "" ? "(JDK only)" : site] += w
    if (tsite != "") bytether[tsite] += w
    next }
  in_st {
    fr = frame($0)
    if (fr ~ /^jdk\.jfr\./) jfr = 1
    if (site == "" && fr !~ /^(java|javax|jdk|sun|com\.sun)\./ && fr != "...") site = fr
    if (tsite == "" && fr ~ /^dev\.tether\./) tsite = fr }
  END {
    if (!total) { print "no allocation samples"; exit }
    printf "\nAllocation (sampled weight): %.0f MB\n", total / 1048576
    top(bycls, total, 10, "By class:")
    top(bysite, total, 12, "By first non-JDK frame:")
    top(bytether, total, 8, "By first Tether frame (allocated under Tether code):")
  }'
jfr print --events jdk.GarbageCollection "$f" | awk '
  /sumOfPauses = / { v = $3 + 0; u = $4; if (u == "s") v *= 1000; if (u == "us") v /= 1000; p += v; n++ }
  END { printf "\nGC: %d collections, %.0f ms of pauses in total\n", n, p }'
jfr print --events jdk.CPULoad "$f" | awk '
  /jvmUser = / { u += $3 } /jvmSystem = / { s += $3 } /machineTotal = / { m += $3; n++ }
  END { if (n) printf "CPU (of all cores): this JVM %.0f%% user + %.0f%% system; whole machine %.0f%%\n", u / n, s / n, m / n }'
echo '```'
