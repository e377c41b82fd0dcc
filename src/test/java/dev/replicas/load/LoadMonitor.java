package dev.replicas.load;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Watches a run from a thread of its own: reads the CPU counters at every window boundary and
 * memory every {@code memoryPeriodMs}, and in capacity mode judges each step as soon as its
 * answers are in, asking the load to stop at the first step that does not hold.
 *
 * <p>A step is judged when all its requests have ended, or {@code graceMs} after it ended; a
 * request still unanswered then counts as slower than every answer (it is older than the grace,
 * which is longer than the p99 limit), so the verdict is the one the final figures give.
 */
public final class LoadMonitor {

    private final LoadRecorder recorder;
    private final HostCounters counters;
    private final long p99LimitMs;
    private final double failLimitPercent;
    private final long graceMs;
    private final long memoryPeriodMs;

    private final Map<String, long[]> memory = new LinkedHashMap<>(); // name -> {samples, first, sum, max, last}
    private final Map<Integer, Map<String, Long>> windowCpu = new HashMap<>();
    /** Per window: container -> {samples, sum of bytes}. */
    private final Map<Integer, Map<String, long[]>> windowMemory = new HashMap<>();
    private volatile String stopReason;
    private final AtomicBoolean stopAsked = new AtomicBoolean();
    private volatile boolean running;
    private Thread thread;
    private long startNanos;
    private Map<String, Long> startCpu;
    private Map<String, Long> runCpu = Map.of();
    /** The window whose end is the next CPU boundary, and the reading at the last boundary. */
    private int nextBoundary;
    private Map<String, Long> lastCpu;

    /**
     * @param recorder         the run's requests
     * @param counters         the host's counters
     * @param p99LimitMs       capacity: a step holds while its p99 stays at or below this
     * @param failLimitPercent capacity: ... and at most this share of its requests fail
     * @param memoryPeriodMs   how often to read memory
     */
    public LoadMonitor(LoadRecorder recorder, HostCounters counters, long p99LimitMs, double failLimitPercent,
                       long memoryPeriodMs) {
        this.recorder = recorder;
        this.counters = counters;
        this.p99LimitMs = p99LimitMs;
        this.failLimitPercent = failLimitPercent;
        this.graceMs = Math.max(1000, 2 * p99LimitMs);
        this.memoryPeriodMs = memoryPeriodMs;
    }

    /** Takes the first readings and starts watching, the first time it is called. */
    public synchronized void startOnce() {
        if (thread != null) {
            return;
        }
        startNanos = System.nanoTime();
        startCpu = counters.cpu();
        lastCpu = startCpu;
        sampleMemory();
        running = true;
        thread = new Thread(this::loop, "load-monitor");
        thread.setDaemon(true);
        thread.start();
    }

    /** Stops watching and takes the last readings. */
    public void stop() {
        running = false;
        Thread t;
        synchronized (this) {
            t = thread;
        }
        if (t == null) {
            return;
        }
        t.interrupt();
        try {
            t.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            sampleMemory();
            Map<String, Long> cpu = counters.cpu();
            runCpu = difference(cpu, startCpu);
            // The window under way when the load ended (the last one, or where a capacity run stopped).
            if (nextBoundary < recorder.plan().windows().size()) {
                windowCpu.put(nextBoundary, difference(cpu, lastCpu));
            }
        }
    }

    /**
     * @return true once, for the first caller after a capacity step failed: that user stops the
     *         load (Gatling then ends the run; more requests to stop would only be logged as dropped)
     */
    public boolean shouldStop() {
        return stopReason != null && stopAsked.compareAndSet(false, true);
    }

    /** @return why the load should stop, or null */
    public String stopReason() {
        return stopReason;
    }

    /** @return seconds since {@link #start()} */
    public synchronized double elapsedSeconds() {
        return thread == null ? 0 : (System.nanoTime() - startNanos) / 1e9;
    }

    /** @return CPU per part over the whole run, once stopped */
    public synchronized Map<String, Long> runCpu() {
        return runCpu;
    }

    /** @return CPU per part during a window, or null if the run never reached its end */
    public synchronized Map<String, Long> windowCpu(int index) {
        return windowCpu.get(index);
    }

    /** @return mean memory per container during a window, or null if none was read */
    public synchronized Map<String, Long> windowMemory(int index) {
        Map<String, long[]> sums = windowMemory.get(index);
        if (sums == null) {
            return null;
        }
        Map<String, Long> out = new LinkedHashMap<>();
        sums.forEach((name, m) -> out.put(name, m[1] / Math.max(1, m[0])));
        return out;
    }

    /** @return memory per container over the run */
    public synchronized Map<String, LoadResult.Memory> memory() {
        Map<String, LoadResult.Memory> out = new LinkedHashMap<>();
        memory.forEach((name, m) -> out.put(name, new LoadResult.Memory(m[0], m[1], m[0] == 0 ? 0 : m[2] / m[0], m[3], m[4])));
        return out;
    }

    /** Whether a capacity step held, and the figures that say so. */
    record Verdict(boolean held, String text) {
    }

    /**
     * The verdict on one window of a capacity run.
     *
     * @param last judge on the figures as they are, even if answers are still missing
     * @return null while it cannot be judged yet
     */
    Verdict judge(int index, boolean last) {
        LoadPlan plan = recorder.plan();
        long[] s = recorder.standing(index, 99);
        long started = s[0];
        long completed = s[1];
        long failed = s[2];
        long p99 = s[3];
        long endMs = plan.startSecond(index + 1) * 1000L;
        boolean allIn = started >= plan.windows().get(index).users() && completed >= started;
        if (!last && !allIn && elapsedMs() < endMs + graceMs) {
            return null;
        }
        double failPct = started == 0 ? 0 : 100.0 * failed / started;
        boolean held = started > 0 && p99 <= p99LimitMs && failPct <= failLimitPercent;
        String p99Text = p99 == Long.MAX_VALUE ? "> " + graceMs + " ms (unanswered)" : p99 + " ms";
        String text = String.format(Locale.ROOT, "%s/s: p99 %s, %.2f %% failed (%d of %d)%s",
                rate(plan.windows().get(index).rate()), p99Text, failPct, failed, started,
                held ? "" : started == 0 ? ": no requests" : p99 > p99LimitMs ? ": p99 above " + p99LimitMs + " ms"
                        : ": more than " + failLimitPercent + " % failed");
        return new Verdict(held, text);
    }

    private void loop() {
        LoadPlan plan = recorder.plan();
        int nextToJudge = 0;
        long nextMemory = memoryPeriodMs;
        while (running) {
            long now = elapsedMs();
            synchronized (this) {
                if (nextBoundary < plan.windows().size() && now >= plan.startSecond(nextBoundary + 1) * 1000L) {
                    Map<String, Long> cpu = counters.cpu();
                    windowCpu.put(nextBoundary, difference(cpu, lastCpu));
                    lastCpu = cpu;
                    nextBoundary++;
                }
            }
            if (now >= nextMemory) {
                synchronized (this) {
                    sampleMemory();
                }
                nextMemory += memoryPeriodMs;
            }
            if (plan.capacity() && stopReason == null && nextToJudge < plan.windows().size()) {
                Verdict verdict = judge(nextToJudge, false);
                if (verdict != null) {
                    if (!verdict.held()) {
                        stopReason = "step " + (nextToJudge + 1) + " did not hold: " + verdict.text();
                    }
                    nextToJudge++;
                }
            }
            try {
                TimeUnit.MILLISECONDS.sleep(100);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private long elapsedMs() {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }

    private void sampleMemory() {
        int window = Math.min(nextBoundary, recorder.plan().windows().size() - 1);
        Map<String, long[]> inWindow = windowMemory.computeIfAbsent(window, k -> new LinkedHashMap<>());
        counters.memory().forEach((name, bytes) -> {
            long[] w = inWindow.computeIfAbsent(name, k -> new long[2]);
            w[0]++;
            w[1] += bytes;
            long[] m = memory.computeIfAbsent(name, k -> new long[] {0, bytes, 0, 0, 0});
            m[0]++;
            m[2] += bytes;
            m[3] = Math.max(m[3], bytes);
            m[4] = bytes;
        });
    }

    static Map<String, Long> difference(Map<String, Long> later, Map<String, Long> earlier) {
        Map<String, Long> out = new LinkedHashMap<>();
        later.forEach((part, value) -> out.put(part, value - earlier.getOrDefault(part, 0L)));
        return out;
    }

    static String rate(double rate) {
        return rate == Math.rint(rate) ? Long.toString((long) rate) : Double.toString(rate);
    }

    /** @return the verdicts of all windows, judged on the final figures (capacity mode) */
    List<Verdict> finalVerdicts() {
        List<Verdict> out = new ArrayList<>();
        for (int i = 0; i < recorder.plan().windows().size(); i++) {
            out.add(judge(i, true));
        }
        return out;
    }
}
