package dev.replicas.load;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import dev.replicas.load.LoadSettings.Window;
import org.HdrHistogram.Histogram;

/**
 * What a run recorded, as {@link Recorder#stop} hands it over: final, read by every output, changed by none; what
 * the outputs share is derived here from the answers and the readings. Seconds: from the first request to the stop.
 */
record LoadRun(LoadSettings settings, List<Step> steps, Map<String, Long> cpu, long generatorNanos, double seconds,
               String stopReason, List<String> problems) {

    static final long UNANSWERED = 3_600_000; // ms, where requests still unanswered count: slower than any answer

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

        /** @return why a capacity step did not hold, on its answers so far, with its figures; empty if it held */
        Optional<String> failure(LoadSettings s) {
            long limit = s.p99LimitMs();
            long failed = answers.size() - ok();
            long p99 = percentile(99, inFlight());
            double failPct = started == 0 ? 0 : 100.0 * failed / started;
            boolean held = started > 0 && p99 <= limit && failPct <= s.failLimitPercent();
            return held ? Optional.empty() : Optional.of(String.format(Locale.ROOT, "%s/s: p99 %s, %.2f %% failed (%d of %d)%s",
                    LoadSettings.rate(window.rate()), p99 == Long.MAX_VALUE ? "> " + s.graceMs() + " ms (unanswered)"
                            : p99 + " ms", failPct, failed, started, started == 0 ? ": no requests" : p99 > limit
                            ? ": p99 above " + limit + " ms" : ": more than " + s.failLimitPercent() + " % failed"));
        }
    }

    /** @return the steps that sent requests; in a capacity run up to the first that did not hold, not after */
    List<Step> ran() {
        int last = IntStream.range(0, steps.size()).filter(i -> settings.capacity() && steps.get(i).started() > 0
                && steps.get(i).failure(settings).isPresent()).findFirst().orElse(steps.size() - 1);
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
        return steps.stream().takeWhile(s -> s.failure(settings).isEmpty()).mapToDouble(s -> s.window().rate()).max().orElse(0);
    }

    /** @return each container's memory over the run, in {@link HostCounters#ORDER} */
    Map<String, Memory> memory() {
        Map<String, Memory> out = new TreeMap<>(HostCounters.ORDER);
        steps.forEach(s -> s.memory().forEach((name, m) -> out.merge(name, m, Memory::plus)));
        return out;
    }

    /** @return the nearest-rank percentile, 0 when empty; the lowest value of its bucket: exact to 2,047 ms */
    static long percentile(Histogram h, double pct) {
        return h.getTotalCount() == 0 ? 0 : h.lowestEquivalentValue(h.getValueAtPercentile(pct));
    }

    /**
     * Records every request by the window that injected it, and watches the run from a thread of its own: CPU at every
     * window's end, memory every 2 s; in capacity mode it judges each step once all its answers are in, or
     * {@link LoadSettings#graceMs} after it ended, and stops the load at the first that does not hold. Gatling calls
     * {@link #begin} and {@link #end} from its event loops; {@link #stop} hands the run over.
     */
    static final class Recorder {

        private final LoadSettings settings;
        private final Supplier<Map<String, Long>> cpuCounters;
        private final Supplier<Map<String, Long>> memoryCounters;
        private final List<Window> windows;
        private final AtomicLongArray started;
        private final List<Queue<Answer>> answers; // by window
        private final AtomicBoolean stopAsked = new AtomicBoolean();
        private volatile String stopReason;
        // Guarded by this: the CPU counters at the first request and at each window's end; memory by window.
        private final List<Map<String, Long>> cpu = new ArrayList<>();
        private final List<Map<String, Memory>> memory;
        private volatile ScheduledExecutorService watch;
        private long startNanos;
        private int nextToJudge; // capacity: the step to judge next

        /** Records the windows of {@code settings}, reading cumulative CPU (ns) and memory (bytes) by part. */
        Recorder(LoadSettings settings, Supplier<Map<String, Long>> cpu, Supplier<Map<String, Long>> memory) {
            this.settings = settings;
            this.cpuCounters = cpu;
            this.memoryCounters = memory;
            this.windows = settings.windows();
            this.started = new AtomicLongArray(windows.size());
            this.answers = windows.stream().<Queue<Answer>>map(w -> new ConcurrentLinkedQueue<>()).toList();
            this.memory = windows.stream().<Map<String, Memory>>map(w -> new HashMap<>()).toList();
        }

        /** A request is about to be sent (Gatling's user 1, 2, ...): returns its window; the first starts the watch. */
        public int begin(long userNumber) {
            synchronized (this) {
                if (watch == null) {
                    startNanos = System.nanoTime();
                    cpu.add(cpuCounters.get());
                    sampleMemory();
                    watch = Executors.newSingleThreadScheduledExecutor();
                    watch.scheduleWithFixedDelay(this::watch, 100, 100, TimeUnit.MILLISECONDS);
                    watch.scheduleAtFixedRate(this::sampleMemory, 2000, 2000, TimeUnit.MILLISECONDS);
                }
            }
            int window = 0; // each window injects exactly its users; beyond the plan: the last window
            for (long seen = windows.get(0).users(); userNumber > seen && window < windows.size() - 1; ) {
                seen += windows.get(++window).users();
            }
            started.incrementAndGet(window);
            return window;
        }

        /**
         * A request of {@code window} ended: its status (null: no answer), time, the replica the cheap check read
         * (null: that check failed), whether any check failed, and whether the full contract was checked.
         */
        public void end(int window, Integer status, long responseTimeMs, String uuid, boolean failed, boolean sampled) {
            // Kept until the report: one String a replica, however many answers (the check reads a new one each time).
            answers.get(window).add(new Answer(Math.max(0, responseTimeMs), elapsedMs(), status == null ? 0 : status,
                    uuid == null ? null : uuid.intern(), failed, sampled));
        }

        /** @return true once, for the first caller after a capacity step failed: that user stops the load */
        public boolean shouldStop() {
            return stopReason != null && stopAsked.compareAndSet(false, true);
        }

        /** @return why the load should stop, or null */
        public String stopReason() {
            return stopReason;
        }

        /** Every 100 ms: the CPU counters at a window's end, the next capacity step when it can be judged. */
        private synchronized void watch() {
            long now = elapsedMs();
            Window underWay = windows.get(Math.min(cpu.size() - 1, windows.size() - 1));
            if (cpu.size() <= windows.size() && now >= (underWay.startSecond() + underWay.seconds()) * 1000L) {
                cpu.add(cpuCounters.get());
            }
            Step step = settings.capacity() && stopReason == null && nextToJudge < windows.size() ? step(nextToJudge) : null;
            if (step != null && (step.started() >= step.window().users() && step.inFlight() <= 0 // all in
                    || now >= (step.window().startSecond() + step.window().seconds()) * 1000L + settings.graceMs())) {
                stopReason = step.failure(settings).map(why -> "step " + (nextToJudge + 1) + " did not hold: " + why)
                        .orElse(null);
                nextToJudge++;
            }
        }

        /** Stops watching, takes the last readings and returns the run, with what the counters could not read. */
        public LoadRun stop(List<String> problems) {
            if (watch == null) { // no request was sent
                return new LoadRun(settings, steps(), Map.of(), 0, 0, null, problems);
            }
            watch.shutdown();
            synchronized (this) { // after the watch's reading under way, if any
                double seconds = elapsedMs() / 1000.0;
                sampleMemory();
                Map<String, Long> last = cpuCounters.get();
                if (cpu.size() <= windows.size()) { // the window under way when the load ended
                    cpu.add(last);
                }
                return new LoadRun(settings, steps(), difference(last, cpu.get(0)), last.getOrDefault("generator", 0L),
                        seconds, stopReason, problems);
            }
        }

        /** @return window {@code i} as recorded so far; its CPU is what the counters rose by from its start to its end */
        private synchronized Step step(int i) {
            return new Step(windows.get(i), started.get(i), List.copyOf(answers.get(i)),
                    i + 1 < cpu.size() ? difference(cpu.get(i + 1), cpu.get(i)) : null, Map.copyOf(memory.get(i)));
        }

        private List<Step> steps() {
            return IntStream.range(0, windows.size()).mapToObj(this::step).toList();
        }

        private long elapsedMs() {
            return (System.nanoTime() - startNanos) / 1_000_000;
        }

        /** Reads memory into the window under way by the clock (the last once the plan is over). */
        private synchronized void sampleMemory() {
            long now = elapsedMs();
            Map<String, Memory> into = memory.get((int) windows.stream().filter(w -> w.startSecond() * 1000L <= now).count() - 1);
            memoryCounters.get().forEach((name, bytes) -> into.merge(name, Memory.of(bytes), Memory::plus));
        }

        private static Map<String, Long> difference(Map<String, Long> later, Map<String, Long> earlier) {
            return later.entrySet().stream().collect(Collectors.toUnmodifiableMap(Map.Entry::getKey,
                    e -> e.getValue() - earlier.getOrDefault(e.getKey(), 0L)));
        }
    }
}
