package dev.tether.core;

/**
 * Envoy's per-priority load and panic computation ({@code LoadBalancerBase}): each priority's
 * availability is its healthy (or degraded) share times the overprovisioning factor 1.4, capped
 * at 100; load goes to priorities in order of availability; a priority is in panic when its
 * healthy plus degraded percentage is under the panic threshold (unless total availability is
 * 100); when every priority panics, load follows host counts.
 *
 * @see <a href="https://github.com/envoyproxy/envoy/blob/main/source/extensions/load_balancing_policies/common/load_balancer_impl.cc">
 *     Envoy load_balancer_impl.cc</a>
 */
final class PriorityLoad {
  static final int OVERPROVISIONING_FACTOR = 140;

  final int[] healthyLoad;
  final int[] degradedLoad;
  final boolean[] panic;

  private PriorityLoad(int[] healthyLoad, int[] degradedLoad, boolean[] panic) {
    this.healthyLoad = healthyLoad;
    this.degradedLoad = degradedLoad;
    this.panic = panic;
  }

  /**
   * @param total hosts per priority
   * @param healthy healthy hosts per priority
   * @param degraded degraded hosts per priority
   * @param panicThreshold percent, 0 to 100
   */
  static PriorityLoad compute(int[] total, int[] healthy, int[] degraded, int panicThreshold) {
    int levels = total.length;
    int[] healthyAvailability = new int[levels];
    int[] degradedAvailability = new int[levels];
    for (int p = 0; p < levels; p++) {
      if (total[p] > 0) {
        healthyAvailability[p] =
            (int) Math.min(100, (long) OVERPROVISIONING_FACTOR * healthy[p] / total[p]);
        degradedAvailability[p] =
            (int) Math.min(100, (long) OVERPROVISIONING_FACTOR * degraded[p] / total[p]);
      }
    }
    int[] healthyLoad = new int[levels];
    int[] degradedLoad = new int[levels];
    boolean[] panic = new boolean[levels];
    int normalizedTotal = normalizedTotalAvailability(healthyAvailability, degradedAvailability);
    if (normalizedTotal > 0) {
      int[] firstHealthy = new int[1];
      int remaining = distribute(healthyLoad, healthyAvailability, 100, normalizedTotal, firstHealthy);
      int[] firstDegraded = new int[1];
      remaining = distribute(degradedLoad, degradedAvailability, remaining, normalizedTotal,
          firstDegraded);
      if (remaining != 0) {
        if (firstHealthy[0] != -1) {
          healthyLoad[firstHealthy[0]] += remaining;
        } else {
          degradedLoad[firstDegraded[0]] += remaining;
        }
      }
    }

    int threshold = Math.min(100, panicThreshold);
    if (threshold == 0 && normalizedTotal == 0) {
      healthyLoad[0] = 100;
      return new PriorityLoad(healthyLoad, degradedLoad, panic);
    }
    boolean allPanic = true;
    for (int p = 0; p < levels; p++) {
      panic[p] = normalizedTotal != 100 && inPanic(total[p], healthy[p], degraded[p], threshold);
      allPanic &= panic[p];
    }
    if (allPanic) {
      totalPanic(total, healthyLoad, degradedLoad);
    }
    return new PriorityLoad(healthyLoad, degradedLoad, panic);
  }

  /** Envoy's {@code choosePriority}: {@code hash mod 100 + 1} against cumulative loads. */
  int choose(long hash) {
    long h = Long.remainderUnsigned(hash, 100) + 1;
    long aggregate = 0;
    for (int p = 0; p < healthyLoad.length; p++) {
      aggregate += healthyLoad[p];
      if (h <= aggregate) {
        return p;
      }
    }
    for (int p = 0; p < degradedLoad.length; p++) {
      aggregate += degradedLoad[p];
      if (h <= aggregate) {
        return p;
      }
    }
    return 0;
  }

  private static boolean inPanic(int total, int healthy, int degraded, int threshold) {
    double healthyPercent = total == 0 ? 0.0 : 100.0 * healthy / total;
    double degradedPercent = total == 0 ? 0.0 : 100.0 * degraded / total;
    return healthyPercent + degradedPercent < threshold;
  }

  private static int normalizedTotalAvailability(int[] healthy, int[] degraded) {
    long sum = 0;
    for (int p = 0; p < healthy.length; p++) {
      sum += healthy[p] + degraded[p];
    }
    return (int) Math.min(sum, 100);
  }

  private static int distribute(
      int[] load, int[] availability, int totalLoad, int normalizedTotal, int[] firstAvailable) {
    firstAvailable[0] = -1;
    for (int p = 0; p < availability.length; p++) {
      if (firstAvailable[0] < 0 && availability[p] > 0) {
        firstAvailable[0] = p;
      }
      load[p] = Math.min(totalLoad, availability[p] * 100 / normalizedTotal);
      totalLoad -= load[p];
    }
    return totalLoad;
  }

  private static void totalPanic(int[] total, int[] healthyLoad, int[] degradedLoad) {
    long hosts = 0;
    for (int count : total) {
      hosts += count;
    }
    if (hosts == 0) {
      healthyLoad[0] = 100;
      return;
    }
    int remaining = 100;
    int firstNonEmpty = -1;
    for (int p = 0; p < total.length; p++) {
      if (firstNonEmpty == -1 && total[p] != 0) {
        firstNonEmpty = p;
      }
      int load = (int) (100L * total[p] / hosts);
      healthyLoad[p] = load;
      degradedLoad[p] = 0;
      remaining -= load;
    }
    healthyLoad[firstNonEmpty] += remaining;
  }
}
