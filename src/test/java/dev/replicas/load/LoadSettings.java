package dev.replicas.load;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * The {@code load.*} system properties, one component each ({@code capacity}: {@code load.mode=capacity}, the rate steps up;
 * docs/load-test.md, "Settings"); a {@code -Dload.x} given to Maven reaches Gatling's JVM. Defaults (only here): the seed's.
 */
public record LoadSettings(boolean capacity, double rate, int durationSeconds, int windowSeconds, double capacityStart,
                           double capacityStep, double capacityMax, int stepSeconds, long p99LimitMs, double failLimitPercent,
                           String url, int timeoutSeconds, int payload, int sampleEvery, double successPercent, Path outputDir,
                           String containerPrefix, int replicas, int generatorWarmUp) {

    /** @throws IllegalArgumentException naming the key and the value that is wrong */
    public static LoadSettings from(Properties p) {
        String mode = p.getProperty("load.mode", "constant").trim();
        if (!mode.equals("constant") && !mode.equals("capacity")) {
            throw new IllegalArgumentException("load.mode='" + mode + "' is not constant or capacity");
        }
        LoadSettings s = new LoadSettings(mode.equals("capacity"), positive(p, "load.rate", "100"),
                (int) positive(p, "load.duration", "60"), (int) positive(p, "load.window", "10"),
                positive(p, "load.capacity.start", "50"), positive(p, "load.capacity.step", "50"),
                positive(p, "load.capacity.max", "600"), (int) positive(p, "load.capacity.stepSeconds", "20"),
                (long) positive(p, "load.capacity.p99", "500"), number(p, "load.capacity.failPercent", "0.1"),
                p.getProperty("load.url", "http://localhost:9000/hello/api/v1"), (int) positive(p, "load.timeout", "10"),
                (int) number(p, "load.payload", "200000"), (int) positive(p, "load.sampleEvery", "50"),
                number(p, "load.successPercent", "100"), Path.of(p.getProperty("load.outputDir", "target")),
                p.getProperty("load.containerPrefix", "hello-"), (int) number(p, "load.replicas", "0"),
                (int) number(p, "load.generatorWarmUp", "400"));
        if (s.capacity() && s.capacityMax() < s.capacityStart()) {
            throw new IllegalArgumentException("load.capacity.max='" + rate(s.capacityMax())
                    + "' is below load.capacity.start (" + rate(s.capacityStart()) + ")");
        }
        return s;
    }

    /** {@code rate} arrivals (one request each) a second for {@code seconds}: a time window, or a capacity step. */
    public record Window(int index, double rate, int seconds, int startSecond) {
        /** @return the users it injects: exactly these, so a user's number tells its window */
        public long users() {
            return Math.round(rate * seconds);
        }
    }

    /** @return capacity: when a step with answers missing is judged, after its end: beyond the limit, they are slower */
    public long graceMs() {
        return Math.max(1000, 2 * p99LimitMs);
    }

    /** @return the injection profile, consecutive windows */
    public List<Window> windows() {
        List<Window> windows = new ArrayList<>();
        for (double r = capacityStart; capacity() && r <= capacityMax + 1e-9; r += capacityStep) {
            windows.add(new Window(windows.size(), r, stepSeconds, windows.size() * stepSeconds));
        }
        for (int at = 0; !capacity() && at < durationSeconds; at += windowSeconds) {
            windows.add(new Window(windows.size(), rate, Math.min(windowSeconds, durationSeconds - at), at));
        }
        return windows;
    }

    /** @return a rate as people write it: 50, not 50.0; 0.1 stays */
    static String rate(double rate) {
        return rate == Math.rint(rate) ? Long.toString((long) rate) : Double.toString(rate);
    }

    private static double number(Properties p, String key, String fallback) {
        String raw = p.getProperty(key, fallback).trim();
        if (!raw.matches("\\d+(\\.\\d*)?|\\.\\d+")) {
            throw new IllegalArgumentException(key + "='" + raw + "' is not a number >= 0");
        }
        return Double.parseDouble(raw);
    }

    private static double positive(Properties p, String key, String fallback) {
        double value = number(p, key, fallback);
        if (value <= 0) {
            throw new IllegalArgumentException(key + "='" + p.getProperty(key) + "' must be greater than 0");
        }
        return value;
    }
}
