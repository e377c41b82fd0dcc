package dev.replicas.load;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import dev.replicas.load.LoadRun.Answer;
import dev.replicas.load.LoadRun.Memory;
import dev.replicas.load.LoadRun.Step;
import dev.replicas.load.LoadRun.Verdict;
import dev.replicas.load.LoadSettings.Window;

/**
 * Records every request by the window that injected it, and watches the run from a thread of its own: CPU at every
 * window's end, memory every 2 s; in capacity mode it judges each step once all its answers are in, or
 * {@link LoadSettings#graceMs} after it ended, and stops the load at the first that does not hold. Gatling calls
 * {@link #begin} and {@link #end} from its event loops; {@link #stop} hands the run over.
 */
public final class LoadRecorder {

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
    public LoadRecorder(LoadSettings settings, Supplier<Map<String, Long>> cpu, Supplier<Map<String, Long>> memory) {
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
            Verdict verdict = step.verdict(settings);
            stopReason = verdict.held() ? null : "step " + (nextToJudge + 1) + " did not hold: " + verdict.text();
            nextToJudge++;
        }
    }

    /** Stops watching, takes the last readings and returns the run. */
    public LoadRun stop() {
        if (watch == null) { // no request was sent
            return new LoadRun(settings, steps(), Map.of(), 0, 0, null, List.of());
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
                    seconds, stopReason, List.of());
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
