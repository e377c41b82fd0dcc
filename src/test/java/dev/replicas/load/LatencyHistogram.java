package dev.replicas.load;

import java.util.Map;
import java.util.TreeMap;

/**
 * Response times at millisecond resolution: a count per millisecond, so percentiles are exact
 * (nearest rank) and recording costs one map update. Not thread-safe; {@link LoadRecorder}
 * guards it.
 */
public final class LatencyHistogram {

    private final TreeMap<Long, Long> counts = new TreeMap<>();
    private long n;
    private long sum;

    /** Adds one response time, in ms (negative values count as 0). */
    public void record(long ms) {
        long value = Math.max(0, ms);
        counts.merge(value, 1L, Long::sum);
        n++;
        sum += value;
    }

    /** Adds every value of another histogram. */
    public void addAll(LatencyHistogram other) {
        other.counts.forEach((ms, c) -> counts.merge(ms, c, Long::sum));
        n += other.n;
        sum += other.sum;
    }

    /** @return how many values were recorded */
    public long count() {
        return n;
    }

    /** @return the mean in ms, 0 when empty */
    public double mean() {
        return n == 0 ? 0 : (double) sum / n;
    }

    /** @return the smallest value, 0 when empty */
    public long min() {
        return n == 0 ? 0 : counts.firstKey();
    }

    /** @return the largest value, 0 when empty */
    public long max() {
        return n == 0 ? 0 : counts.lastKey();
    }

    /**
     * @param pct a percentage, 0 to 100
     * @return the nearest-rank percentile, 0 when empty
     */
    public long percentile(double pct) {
        if (n == 0) {
            return 0;
        }
        return valueAtRank(rank(pct, n));
    }

    /**
     * The p-th percentile when {@code extra} more values, all larger than any recorded, belong to
     * the population (requests still unanswered, for instance).
     *
     * @return the percentile, or {@link Long#MAX_VALUE} when it falls among the extra values
     */
    public long percentileWithSlower(double pct, long extra) {
        long total = n + extra;
        if (total == 0) {
            return 0;
        }
        long rank = rank(pct, total);
        return rank > n ? Long.MAX_VALUE : valueAtRank(rank);
    }

    private static long rank(double pct, long population) {
        return Math.min(population, Math.max(1, (long) Math.ceil(pct / 100 * population)));
    }

    private long valueAtRank(long rank) {
        long seen = 0;
        for (Map.Entry<Long, Long> e : counts.entrySet()) {
            seen += e.getValue();
            if (seen >= rank) {
                return e.getKey();
            }
        }
        return counts.lastKey();
    }

    /** @return ms to count, ascending: the form written to the result file */
    public Map<Long, Long> counts() {
        return new TreeMap<>(counts);
    }

    /** @return a histogram holding {@code counts}, as {@link #counts()} gave them */
    public static LatencyHistogram of(Map<Long, Long> counts) {
        LatencyHistogram h = new LatencyHistogram();
        counts.forEach((ms, c) -> {
            h.counts.merge(ms, c, Long::sum);
            h.n += c;
            h.sum += ms * c;
        });
        return h;
    }
}
