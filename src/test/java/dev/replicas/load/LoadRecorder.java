package dev.replicas.load;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.HdrHistogram.Histogram;

/**
 * Records every request by the window that injected it, and watches the run from a thread of its own: CPU at
 * every window boundary, memory every 2 s; in capacity mode it judges each step once all its answers are in, or
 * {@code graceMs} after it ended (a request unanswered then counts as slower than every answer), and stops the
 * load at the first that does not hold. Gatling calls {@link #begin} and {@link #end} from its event loops.
 */
public final class LoadRecorder {

    static final String BAD_CONTRACT = "HTTP 200 failing the full contract check";
    static final long UNANSWERED = 3_600_000; // ms, where requests still unanswered count: slower than any answer

    /** What happened in one window. Histograms in ms: exact up to 2,047 ms, within 0.1 % above. */
    static final class Tally {
        final LoadSettings.Window window;
        long started;
        long ok;
        long failed;
        long sampled;
        final Histogram all = new Histogram(3);
        final Histogram successful = new Histogram(3);
        final Map<String, Long> failures = new TreeMap<>();
        final Map<String, Long> replicas = new TreeMap<>();
        Map<String, Long> cpu; // per part; null if the run never reached the window's end
        final Map<String, long[]> memory = new LinkedHashMap<>(); // container -> {readings, sum}
        Verdict verdict; // capacity: on the final figures

        Tally(LoadSettings.Window window) {
            this.window = window;
        }

        /** @return the percentile of all requests, {@code unanswered} more counted as slower than every answer */
        long percentile(double pct, long unanswered) {
            Histogram h = all.copy();
            h.recordValueWithCount(UNANSWERED, Math.max(0, unanswered));
            long value = LoadReport.percentile(h, pct);
            return h.valuesAreEquivalent(value, UNANSWERED) ? Long.MAX_VALUE : value;
        }
    }

    /** A slow answer: how long it took, when it ended (ms after the first request), and from which replica. */
    record Slow(long ms, long endedMs, String replica) {}

    /** A replica's first successful answer: when, ms after the first request, and its place (1, 2...) among them. */
    record First(long ms, long place) {}

    /** Whether a capacity step held, and the figures that say so. */
    record Verdict(boolean held, String text) {}

    final LoadSettings settings;
    final HostCounters counters;
    final List<Tally> tallies;
    final Map<String, long[]> memory = new LinkedHashMap<>(); // container -> {readings, first, sum, max, last}
    /**
     * The replica (its UUID) to its first successful answer: when (ms after the first request) and
     * its place among the replicas' first answers (answers in one millisecond would tie on time).
     */
    final Map<String, First> firstAnswer = new ConcurrentHashMap<>();
    private final AtomicLong firstAnswers = new AtomicLong();
    /** The {@value #SLOWEST} slowest successful answers, slowest first; guarded by itself. */
    final List<Slow> slowest = new ArrayList<>();
    static final int SLOWEST = 10;
    private volatile long slowEnough; // an answer must take longer than this to enter slowest
    Map<String, Long> runCpu = Map.of();
    long generatorTotalNanos;
    double elapsedSeconds;
    private final AtomicBoolean stopAsked = new AtomicBoolean();
    private volatile String stopReason;
    private volatile ScheduledExecutorService watch;
    private int nextToJudge; // capacity: the step to judge next
    private long nextMemoryMs = 2000;
    /** The generator's GC log, in the output directory (the load profile's jvmArgs). */
    static final String GENERATOR_GC_LOG = "generator-gc.log";
    private long startNanos;
    /** When the first request went, and when the load was over (wall clock, as the GC logs tell time). */
    Instant startWall;
    Instant endWall;
    Map<String, String> gcLogs = Map.of();
    /** What the {@link StallProbe} beside the run saw, set after the stop. */
    List<StallProbe.Stall> stalls = List.of();
    private Map<String, Long> startCpu;
    private Map<String, Long> lastCpu;
    private int nextBoundary; // the window whose end is the next CPU reading

    /** Records the windows of {@code settings}, reading {@code counters}. */
    public LoadRecorder(LoadSettings settings, HostCounters counters) {
        this.settings = settings;
        this.counters = counters;
        this.tallies = settings.windows().stream().map(Tally::new).toList();
    }

    /** A request is about to be sent (Gatling's user 1, 2, ...): returns its window; the first starts the watch. */
    public int begin(long userNumber) {
        synchronized (this) {
            if (watch == null) {
                startNanos = System.nanoTime();
                startWall = Instant.now();
                startCpu = lastCpu = counters.cpu();
                sampleMemory();
                watch = Executors.newSingleThreadScheduledExecutor();
                watch.scheduleWithFixedDelay(this::watch, 100, 100, TimeUnit.MILLISECONDS);
            }
        }
        int window = 0; // each window injects exactly its users; beyond the plan: the last window
        for (long seen = tallies.get(0).window.users(); userNumber > seen && window < tallies.size() - 1; ) {
            seen += tallies.get(++window).window.users();
        }
        Tally t = tallies.get(window);
        synchronized (t) {
            t.started++;
        }
        return window;
    }

    /**
     * A request of {@code window} ended: its status (null: no answer), time, the replica the cheap check read
     * (null: that check failed), whether any check failed, and whether the full contract was checked.
     */
    public void end(int window, Integer status, long responseTimeMs, String uuid, boolean failed, boolean sampled) {
        Tally t = tallies.get(window);
        synchronized (t) {
            t.all.recordValue(Math.max(0, responseTimeMs));
            t.sampled += sampled && status != null && status == 200 && uuid != null ? 1 : 0;
            if (failed) {
                t.failed++;
                t.failures.merge(status == null ? "no answer (timeout or connection error)" : status != 200
                        ? "HTTP " + status : uuid == null ? "HTTP 200 with a wrong body (length or frame)" : BAD_CONTRACT,
                        1L, Long::sum);
            } else {
                t.ok++;
                t.successful.recordValue(Math.max(0, responseTimeMs));
                t.replicas.merge(uuid == null ? "?" : uuid, 1L, Long::sum);
            }
        }
        if (!failed && uuid != null) {
            answered(uuid, responseTimeMs);
        }
    }

    /** Notes a replica's first answer and keeps the slowest answers; most answers take no lock here. */
    private void answered(String uuid, long responseTimeMs) {
        boolean slow = responseTimeMs > slowEnough;
        if (!slow && firstAnswer.containsKey(uuid)) {
            return;
        }
        long now = elapsedMs();
        firstAnswer.computeIfAbsent(uuid, u -> new First(now, firstAnswers.incrementAndGet()));
        if (!slow) {
            return;
        }
        synchronized (slowest) {
            if (responseTimeMs > slowEnough) {
                slowest.add(new Slow(responseTimeMs, now, uuid));
                slowest.sort(Comparator.comparingLong(Slow::ms).reversed());
                if (slowest.size() > SLOWEST) {
                    slowest.remove(SLOWEST);
                    slowEnough = slowest.get(SLOWEST - 1).ms();
                }
            }
        }
    }

    /** @return true once, for the first caller after a capacity step failed: that user stops the load */
    public boolean shouldStop() {
        return stopReason != null && stopAsked.compareAndSet(false, true);
    }

    /** @return why the load should stop, or null */
    public String stopReason() {
        return stopReason;
    }

    /** The verdict on a capacity step: null while it cannot be judged yet, unless {@code last} (judge it as it is). */
    Verdict judge(int index, boolean last) {
        Tally t = tallies.get(index);
        long limit = settings.p99LimitMs();
        long graceMs = Math.max(1000, 2 * limit); // longer than the limit: an unanswered request is slower
        long started;
        long failed;
        long p99;
        synchronized (t) {
            started = t.started;
            failed = t.failed;
            p99 = t.percentile(99, started - t.ok - t.failed);
            last |= started >= t.window.users() && t.ok + t.failed >= started; // all in
        }
        if (!last && elapsedMs() < (t.window.startSecond() + t.window.seconds()) * 1000L + graceMs) {
            return null;
        }
        double failPct = started == 0 ? 0 : 100.0 * failed / started;
        boolean held = started > 0 && p99 <= limit && failPct <= settings.failLimitPercent();
        return new Verdict(held, String.format(Locale.ROOT, "%s/s: p99 %s, %.2f %% failed (%d of %d)%s",
                LoadSettings.rate(t.window.rate()), p99 == Long.MAX_VALUE ? "> " + graceMs + " ms (unanswered)"
                        : p99 + " ms", failPct, failed, started, held ? "" : started == 0 ? ": no requests"
                        : p99 > limit ? ": p99 above " + limit + " ms" : ": more than " + settings.failLimitPercent()
                        + " % failed"));
    }

    /** Every 100 ms: the CPU counters at a window's end, memory every 2 s, the next capacity step when it can be judged. */
    private synchronized void watch() {
        long now = elapsedMs();
        LoadSettings.Window w = tallies.get(Math.min(nextBoundary, tallies.size() - 1)).window;
        if (nextBoundary < tallies.size() && now >= (w.startSecond() + w.seconds()) * 1000L) {
            boundary(counters.cpu());
        }
        if (now >= nextMemoryMs) {
            sampleMemory();
            nextMemoryMs += 2000;
        }
        Verdict verdict = settings.capacity() && stopReason == null && nextToJudge < tallies.size()
                ? judge(nextToJudge, false) : null;
        if (verdict != null) {
            stopReason = verdict.held() ? null : "step " + (nextToJudge + 1) + " did not hold: " + verdict.text();
            nextToJudge++;
        }
    }

    /** Stops watching, takes the last readings and, in capacity mode, judges every step on its final figures. */
    public void stop() {
        if (watch == null) {
            return;
        }
        watch.shutdown();
        try {
            watch.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            elapsedSeconds = elapsedMs() / 1000.0;
            endWall = Instant.now();
            sampleMemory();
            Map<String, Long> cpu = counters.cpu();
            runCpu = difference(cpu, startCpu);
            generatorTotalNanos = cpu.getOrDefault("generator", 0L);
            if (nextBoundary < tallies.size()) { // the window under way when the load ended
                boundary(cpu);
            }
        }
        for (Tally tally : settings.capacity() ? tallies : List.<Tally>of()) {
            tally.verdict = judge(tally.window.index(), true);
        }
        Map<String, String> logs = new LinkedHashMap<>(counters.gcLogs());
        try { // the pom's -Xlog:gc for this JVM
            logs.put("generator", Files.readString(settings.outputDir().resolve(GENERATOR_GC_LOG)));
        } catch (IOException e) {
            // no such log: a run outside the load profile
        }
        gcLogs = logs;
    }

    /** The window under way ends: its CPU is what the counters rose by since the last boundary. */
    private void boundary(Map<String, Long> cpu) {
        tallies.get(nextBoundary++).cpu = difference(cpu, lastCpu);
        lastCpu = cpu;
    }

    private long elapsedMs() {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    /** Reads memory into the window under way and into the run's figures; called holding this lock. */
    private void sampleMemory() {
        Tally t = tallies.get(Math.min(nextBoundary, tallies.size() - 1));
        counters.memory().forEach((name, bytes) -> {
            long[] w = t.memory.computeIfAbsent(name, k -> new long[2]);
            w[0]++;
            w[1] += bytes;
            long[] m = memory.computeIfAbsent(name, k -> new long[] {0, bytes, 0, 0, 0});
            m[0]++;
            m[2] += bytes;
            m[3] = Math.max(m[3], bytes);
            m[4] = bytes;
        });
    }

    private static Map<String, Long> difference(Map<String, Long> later, Map<String, Long> earlier) {
        Map<String, Long> out = new LinkedHashMap<>();
        later.forEach((part, value) -> out.put(part, value - earlier.getOrDefault(part, 0L)));
        return out;
    }
}
