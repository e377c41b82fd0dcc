package dev.replicas.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/**
 * Everything a load run measured, as the simulation writes it ({@code target/load-result.json})
 * and {@link LoadReport} reads it: our own format, independent of Gatling's.
 *
 * @param mode                 {@code constant} or {@code capacity}
 * @param replicas             replicas in the cluster
 * @param url                  the endpoint loaded
 * @param payload              letters of Data in a good answer
 * @param sampleEvery          every n-th answer had the full contract check
 * @param p99LimitMs           capacity: a step holds while p99 stays at or below this
 * @param failLimitPercent     capacity: ... and at most this share of its requests fail
 * @param elapsedSeconds       from the first arrival to the last answer
 * @param windows              the plan's windows with what happened in each
 * @param cpuNanos             CPU time per part over the run (see {@link HostCounters})
 * @param memory               memory per container, sampled during the run
 * @param generatorTotalNanos  CPU of the generator's JVM since it started (start-up and warm-up included)
 * @param generatorRssBytes    resident memory of the generator's JVM at the end
 * @param stopReason           capacity: why the rate stopped stepping up; null if it ran to the end
 * @param problems             counters that could not be read
 */
public record LoadResult(String mode, int replicas, String url, int payload, int sampleEvery, long p99LimitMs,
                         double failLimitPercent, double elapsedSeconds, List<Window> windows,
                         Map<String, Long> cpuNanos, Map<String, Memory> memory, long generatorTotalNanos,
                         long generatorRssBytes, String stopReason, List<String> problems) {

    /** The file name in the output directory. */
    public static final String FILE = "load-result.json";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * One window of the plan.
     *
     * @param index       0, 1, ...
     * @param rate        arrivals per second
     * @param startSecond when it began, from the start of the run
     * @param seconds     how long it lasted
     * @param planned     users the plan injects in it
     * @param started     requests sent
     * @param ok          requests that passed every check
     * @param failed      requests that failed
     * @param sampled     answers that had the full contract check
     * @param failures    failed requests by cause
     * @param replicas    successful answers by replica UUID
     * @param latency     response times of all requests that ended, ms to count
     * @param latencyOk   response times of the successful ones
     * @param cpuNanos    CPU per part during the window (null if not measured)
     * @param held        capacity: whether the window met the criteria (null in constant mode)
     * @param verdict     capacity: the figures the verdict rests on
     */
    public record Window(int index, double rate, int startSecond, int seconds, long planned, long started, long ok,
                         long failed, long sampled, Map<String, Long> failures, Map<String, Long> replicas,
                         Map<Long, Long> latency, Map<Long, Long> latencyOk, Map<String, Long> cpuNanos,
                         Map<String, Long> memoryBytes, Boolean held, String verdict) {

        /** @return this window with its CPU and memory figures */
        public Window withCounters(Map<String, Long> cpu, Map<String, Long> memory) {
            return new Window(index, rate, startSecond, seconds, planned, started, ok, failed, sampled, failures,
                    replicas, latency, latencyOk, cpu, memory, held, verdict);
        }

        /** @return this window with a capacity verdict */
        public Window withVerdict(boolean held, String verdict) {
            return new Window(index, rate, startSecond, seconds, planned, started, ok, failed, sampled, failures,
                    replicas, latency, latencyOk, cpuNanos, memoryBytes, held, verdict);
        }

        /** @return requests that ended, with or without an answer */
        public long completed() {
            return ok + failed;
        }
    }

    /**
     * Memory of one container over the run.
     *
     * @param samples how many readings
     * @param first   the first reading, bytes
     * @param mean    mean of the readings
     * @param max     the largest
     * @param last    the last reading
     */
    public record Memory(long samples, long first, long mean, long max, long last) {
    }

    /** Writes this result as JSON. */
    public void write(Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        JSON.writeValue(file.toFile(), this);
    }

    /** Reads a result written by {@link #write}. */
    public static LoadResult read(Path file) throws IOException {
        return JSON.readValue(file.toFile(), LoadResult.class);
    }

    /** @return response times of all ended requests of all windows */
    public LatencyHistogram latency() {
        LatencyHistogram h = new LatencyHistogram();
        windows.forEach(w -> h.addAll(LatencyHistogram.of(w.latency())));
        return h;
    }

    /** @return response times of the successful requests of all windows */
    public LatencyHistogram latencyOk() {
        LatencyHistogram h = new LatencyHistogram();
        windows.forEach(w -> h.addAll(LatencyHistogram.of(w.latencyOk())));
        return h;
    }
}
