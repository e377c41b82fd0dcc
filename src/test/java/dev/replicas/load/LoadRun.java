package dev.replicas.load;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.IntStream;

import dev.replicas.load.LoadSettings.Window;
import org.HdrHistogram.Histogram;

/**
 * What a run recorded, as {@link LoadRecorder#stop} hands it over: final, read by every output, changed by none; what
 * the outputs share is derived here from the answers and the readings. Seconds: from the first request to the stop.
 */
record LoadRun(LoadSettings settings, List<Step> steps, Map<String, Long> cpu, long generatorNanos, double seconds,
               String stopReason, List<String> problems) {

    static final long UNANSWERED = 3_600_000; // ms, where requests still unanswered count: slower than any answer
    static final double MIB = 1024.0 * 1024.0;

    /** A request's end: its time, when (ms after the first request), status (0: no answer), replica (null: unread). */
    record Answer(long ms, long endedMs, int status, String uuid, boolean failed, boolean sampled) {}

    /** A container's memory readings in bytes: how many, the first, their sum, the highest and the last. */
    record Memory(long readings, long first, long sum, long max, long last) {
        static Memory of(long bytes) {
            return new Memory(1, bytes, bytes, bytes, bytes);
        }

        Memory plus(Memory later) {
            return new Memory(readings + later.readings, first, sum + later.sum, Math.max(max, later.max), later.last);
        }

        long mean() {
            return sum / readings;
        }
    }

    /** Whether a capacity step held, and the figures that say so. */
    record Verdict(boolean held, String text) {}

    /** A window (a capacity step): its requests, their answers, CPU (null: it never ended) and memory while it ran. */
    record Step(Window window, long started, List<Answer> answers, Map<String, Long> cpu, Map<String, Memory> memory) {
        long ok() {
            return answers.stream().filter(a -> !a.failed()).count();
        }

        long inFlight() {
            return started - answers.size();
        }

        /** @return the response times in ms, of the successful answers only or of all: exact up to 2,047 ms */
        Histogram histogram(boolean successfulOnly) {
            Histogram h = new Histogram(3);
            answers.stream().filter(a -> !successfulOnly || !a.failed()).forEach(a -> h.recordValue(a.ms()));
            return h;
        }

        /** @return the percentile of all requests, {@code unanswered} more counted as slower than every answer */
        long percentile(double pct, long unanswered) {
            Histogram h = histogram(false);
            h.recordValueWithCount(UNANSWERED, Math.max(0, unanswered));
            long value = LoadRun.percentile(h, pct);
            return h.valuesAreEquivalent(value, UNANSWERED) ? Long.MAX_VALUE : value;
        }

        /** The verdict on a capacity step, on its answers so far. */
        Verdict verdict(LoadSettings s) {
            long limit = s.p99LimitMs();
            long failed = answers.size() - ok();
            long p99 = percentile(99, inFlight());
            double failPct = started == 0 ? 0 : 100.0 * failed / started;
            boolean held = started > 0 && p99 <= limit && failPct <= s.failLimitPercent();
            return new Verdict(held, String.format(Locale.ROOT, "%s/s: p99 %s, %.2f %% failed (%d of %d)%s",
                    LoadSettings.rate(window.rate()), p99 == Long.MAX_VALUE ? "> " + s.graceMs() + " ms (unanswered)"
                            : p99 + " ms", failPct, failed, started, held ? "" : started == 0 ? ": no requests"
                            : p99 > limit ? ": p99 above " + limit + " ms" : ": more than " + s.failLimitPercent()
                            + " % failed"));
        }
    }

    /** @return the same run with what the counters could not read */
    LoadRun with(List<String> problems) {
        return new LoadRun(settings, steps, cpu, generatorNanos, seconds, stopReason, problems);
    }

    /** @return the steps that sent requests; in a capacity run up to the first that did not hold, not after */
    List<Step> ran() {
        int last = IntStream.range(0, steps.size()).filter(i -> settings.capacity() && steps.get(i).started() > 0
                && !steps.get(i).verdict(settings).held()).findFirst().orElse(steps.size() - 1);
        return steps.subList(0, last + 1).stream().filter(s -> s.started() > 0).toList();
    }

    /** @return the steps that ran, as one */
    Step total() {
        List<Step> ran = ran();
        return new Step(null, ran.stream().mapToLong(Step::started).sum(),
                ran.stream().flatMap(s -> s.answers().stream()).toList(), null, null);
    }

    /** @return a capacity run's highest rate of the steps that held, from the first up to the first that did not */
    double held() {
        return steps.stream().takeWhile(s -> s.verdict(settings).held()).mapToDouble(s -> s.window().rate()).max().orElse(0);
    }

    /** @return each container's memory over the run, in {@link HostCounters#ORDER} */
    Map<String, Memory> memory() {
        Map<String, Memory> out = new TreeMap<>(HostCounters.ORDER);
        steps.forEach(s -> s.memory().forEach((name, m) -> out.merge(name, m, Memory::plus)));
        return out;
    }

    static List<Memory> replicas(Map<String, Memory> memory) {
        return memory.entrySet().stream().filter(e -> HostCounters.isReplica(e.getKey())).map(Map.Entry::getValue).toList();
    }

    /** @return the nearest-rank percentile, 0 when empty; the lowest value of its bucket: exact to 2,047 ms */
    static long percentile(Histogram h, double pct) {
        return h.getTotalCount() == 0 ? 0 : h.lowestEquivalentValue(h.getValueAtPercentile(pct));
    }

    static double msPerRequest(long nanos, long requests) {
        return requests == 0 ? 0 : nanos / 1e6 / requests;
    }
}
