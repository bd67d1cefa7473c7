package dev.tether.core;

/**
 * Sorts a {@code long[]} ascending (signed) and carries a parallel {@code int[]} along, without
 * boxing: ring builds sort up to 8,388,608 entries.
 */
final class ParallelSort {
  private static final int INSERTION_THRESHOLD = 24;

  private ParallelSort() {}

  static void sort(long[] keys, int[] values) {
    quicksort(keys, values, 0, keys.length - 1, 2 * (32 - Integer.numberOfLeadingZeros(keys.length + 1)));
  }

  private static void quicksort(long[] k, int[] v, int low, int high, int depth) {
    while (high - low > INSERTION_THRESHOLD) {
      if (depth-- == 0) {
        heapsort(k, v, low, high);
        return;
      }
      int mid = (low + high) >>> 1;
      // Median of three as the pivot.
      if (k[mid] < k[low]) {
        swap(k, v, mid, low);
      }
      if (k[high] < k[low]) {
        swap(k, v, high, low);
      }
      if (k[high] < k[mid]) {
        swap(k, v, high, mid);
      }
      long pivot = k[mid];
      int i = low;
      int j = high;
      while (i <= j) {
        while (k[i] < pivot) {
          i++;
        }
        while (k[j] > pivot) {
          j--;
        }
        if (i <= j) {
          swap(k, v, i, j);
          i++;
          j--;
        }
      }
      if (j - low < high - i) {
        quicksort(k, v, low, j, depth);
        low = i;
      } else {
        quicksort(k, v, i, high, depth);
        high = j;
      }
    }
    insertion(k, v, low, high);
  }

  private static void insertion(long[] k, int[] v, int low, int high) {
    for (int i = low + 1; i <= high; i++) {
      long key = k[i];
      int value = v[i];
      int j = i - 1;
      while (j >= low && k[j] > key) {
        k[j + 1] = k[j];
        v[j + 1] = v[j];
        j--;
      }
      k[j + 1] = key;
      v[j + 1] = value;
    }
  }

  private static void heapsort(long[] k, int[] v, int low, int high) {
    int n = high - low + 1;
    for (int i = n / 2 - 1; i >= 0; i--) {
      siftDown(k, v, low, i, n);
    }
    for (int end = n - 1; end > 0; end--) {
      swap(k, v, low, low + end);
      siftDown(k, v, low, 0, end);
    }
  }

  private static void siftDown(long[] k, int[] v, int base, int i, int n) {
    while (true) {
      int child = 2 * i + 1;
      if (child >= n) {
        return;
      }
      if (child + 1 < n && k[base + child + 1] > k[base + child]) {
        child++;
      }
      if (k[base + i] >= k[base + child]) {
        return;
      }
      swap(k, v, base + i, base + child);
      i = child;
    }
  }

  private static void swap(long[] k, int[] v, int a, int b) {
    long tk = k[a];
    k[a] = k[b];
    k[b] = tk;
    int tv = v[a];
    v[a] = v[b];
    v[b] = tv;
  }
}
