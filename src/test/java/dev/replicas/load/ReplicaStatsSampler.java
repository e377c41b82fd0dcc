package dev.replicas.load;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Samples memory and CPU of the cluster's containers from the Docker engine while the load runs:
 * {@code docker stats --no-stream} for every container whose name starts with a prefix
 * ({@code hello-}: the replicas, Fabio and Consul), about once per period, on one daemon thread.
 *
 * <p>{@code docker stats --no-stream} itself takes one to two seconds (it reads the CPU counters
 * twice), so a period shorter than that only means "back to back". Its CPU % is of one core:
 * on this 2-core machine 200 % is everything. Its memory is the container's cgroup usage less
 * the page cache, as {@code docker stats} shows it.
 *
 * <p>Each round also samples, from /proc, the load generator itself (this JVM: Gatling; CPU over
 * the round, resident memory) as {@code load-generator}, and the whole machine (CPU of all
 * processes, memory in use = MemTotal - MemAvailable) as {@code host}: everything shares the same
 * cores, so these say how much was left for the replicas.
 *
 * <p>The samples go to a CSV file: {@code elapsed_ms,container,cpu_percent,mem_bytes}.
 */
public final class ReplicaStatsSampler {

    /** One reading of one container. */
    public record Sample(long elapsedMs, String container, double cpuPercent, long memBytes) {
    }

    private static final Pattern SIZE = Pattern.compile("\\s*([0-9.]+)\\s*([kKMGT]?i?B)\\s*");
    private static final Duration DOCKER_TIMEOUT = Duration.ofSeconds(15);

    private final String prefix;
    private final Duration period;
    private final List<Sample> samples = new ArrayList<>();
    private final List<String> problems = new ArrayList<>();
    private volatile boolean running;
    private volatile Process current;
    private Thread thread;
    private long startNanos;

    public ReplicaStatsSampler(String prefix, Duration period) {
        this.prefix = prefix;
        this.period = period;
    }

    public synchronized void start() {
        if (thread != null) {
            return;
        }
        running = true;
        startNanos = System.nanoTime();
        thread = new Thread(this::loop, "replica-stats-sampler");
        thread.setDaemon(true);
        thread.start();
    }

    public void stop() {
        running = false;
        Thread t;
        synchronized (this) {
            t = thread;
        }
        if (t == null) {
            return;
        }
        try {
            // Let a docker stats call under way finish, so that the last sample counts.
            t.join(DOCKER_TIMEOUT.toMillis() + 1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Process p = current;
        if (t.isAlive() && p != null) {
            p.destroyForcibly();
        }
    }

    public synchronized List<Sample> samples() {
        return List.copyOf(samples);
    }

    public void write(Path file) throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add("elapsed_ms,container,cpu_percent,mem_bytes");
        for (Sample s : samples()) {
            lines.add(String.format(Locale.ROOT, "%d,%s,%.2f,%d", s.elapsedMs(), s.container(), s.cpuPercent(), s.memBytes()));
        }
        synchronized (this) {
            for (String problem : problems) {
                lines.add("# " + problem.replace('\n', ' '));
            }
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.write(file, lines, StandardCharsets.UTF_8);
    }

    private void loop() {
        int failures = 0;
        ProcReader proc = new ProcReader();
        proc.sample(); // the first reading only sets the baseline for CPU
        while (running && failures < 5) {
            long began = System.nanoTime();
            try {
                List<Sample> batch = new ArrayList<>(sampleOnce(elapsedMs()));
                batch.addAll(proc.sample(elapsedMs()));
                synchronized (this) {
                    samples.addAll(batch);
                }
                failures = 0;
            } catch (IOException | RuntimeException e) {
                failures++;
                synchronized (this) {
                    problems.add("docker stats failed: " + e.getMessage());
                }
            } catch (InterruptedException e) {
                return;
            }
            long rest = period.toMillis() - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);
            if (running && rest > 0) {
                try {
                    Thread.sleep(rest);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    private long elapsedMs() {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }

    private List<Sample> sampleOnce(long at) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("docker", "stats", "--no-stream", "--format",
                "{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}")
                .redirectErrorStream(true)
                .start();
        current = p;
        List<String> lines = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                lines.add(line);
            }
        }
        if (!p.waitFor(DOCKER_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new IOException("docker stats did not finish within " + DOCKER_TIMEOUT.toSeconds() + " s");
        }
        current = null;
        if (p.exitValue() != 0) {
            throw new IOException("docker stats exited " + p.exitValue() + ": " + String.join(" ", lines));
        }
        return parse(lines, prefix, at);
    }

    /**
     * CPU and memory of this JVM (the load generator) and of the whole machine, from /proc: CPU as
     * the difference of the counters between two readings, in % of one core. Silent where there
     * is no /proc.
     */
    static final class ProcReader {
        private static final double TICKS_PER_SECOND = 100; // USER_HZ on Linux
        private final int cores = Runtime.getRuntime().availableProcessors();
        private long lastNanos;
        private long lastSelfTicks = -1;
        private long lastHostTotal = -1;
        private long lastHostIdle;

        List<Sample> sample() {
            return sample(0);
        }

        List<Sample> sample(long at) {
            List<Sample> out = new ArrayList<>();
            try {
                long now = System.nanoTime();
                String[] self = Files.readString(Path.of("/proc/self/stat")).replaceFirst("^.*\\) ", "").split(" ");
                long selfTicks = Long.parseLong(self[11]) + Long.parseLong(self[12]); // utime + stime
                String[] cpu = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
                long total = 0;
                for (int i = 1; i <= 8 && i < cpu.length; i++) {
                    total += Long.parseLong(cpu[i]);
                }
                long idle = Long.parseLong(cpu[4]) + Long.parseLong(cpu[5]); // idle + iowait
                if (lastSelfTicks >= 0 && now > lastNanos && total > lastHostTotal) {
                    double seconds = (now - lastNanos) / 1e9;
                    double selfCpu = (selfTicks - lastSelfTicks) / TICKS_PER_SECOND / seconds * 100;
                    double hostCpu = (1 - (double) (idle - lastHostIdle) / (total - lastHostTotal)) * cores * 100;
                    out.add(new Sample(at, "load-generator", selfCpu, meminfo(Path.of("/proc/self/status"), "VmRSS:")));
                    out.add(new Sample(at, "host", hostCpu, meminfo(Path.of("/proc/meminfo"), "MemTotal:")
                            - meminfo(Path.of("/proc/meminfo"), "MemAvailable:")));
                }
                lastNanos = now;
                lastSelfTicks = selfTicks;
                lastHostTotal = total;
                lastHostIdle = idle;
            } catch (IOException | RuntimeException e) {
                // no /proc (not Linux): the containers' figures still come from docker stats
            }
            return out;
        }

        /** A "Name:   123 kB" line of a /proc file, in bytes. */
        private static long meminfo(Path file, String key) throws IOException {
            for (String line : Files.readAllLines(file)) {
                if (line.startsWith(key)) {
                    return Long.parseLong(line.substring(key.length()).trim().split("\\s+")[0]) * 1024;
                }
            }
            throw new IOException(key + " not in " + file);
        }
    }

    /** Parses {@code docker stats} lines formatted as {@code name<TAB>cpu%<TAB>used / limit}. */
    static List<Sample> parse(List<String> lines, String prefix, long at) {
        List<Sample> batch = new ArrayList<>();
        for (String line : lines) {
            String[] f = line.split("\t");
            if (f.length < 3 || !f[0].startsWith(prefix)) {
                continue;
            }
            String cpu = f[1].trim().replace("%", "");
            String used = f[2].split("/")[0];
            if (cpu.isEmpty() || cpu.startsWith("-")) {
                continue; // a container that is starting or stopping: "--"
            }
            batch.add(new Sample(at, f[0].trim(), Double.parseDouble(cpu), parseBytes(used)));
        }
        return batch;
    }

    /** "123.4MiB", "1.2GiB", "512KiB", "900B", "1.5MB" to bytes. */
    static long parseBytes(String size) {
        Matcher m = SIZE.matcher(size);
        if (!m.matches()) {
            throw new IllegalArgumentException("not a size: " + size);
        }
        double value = Double.parseDouble(m.group(1));
        String unit = m.group(2);
        boolean binary = unit.contains("i");
        double base = binary ? 1024 : 1000;
        int power = switch (Character.toUpperCase(unit.charAt(0))) {
            case 'K' -> 1;
            case 'M' -> 2;
            case 'G' -> 3;
            case 'T' -> 4;
            default -> 0;
        };
        return Math.round(value * Math.pow(base, power));
    }
}
