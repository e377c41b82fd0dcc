package dev.replicas.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

import dev.replicas.hello.AnswerContract;

/**
 * Prints a load run's result: the seed's table (Total Requests, Request Success, Request Fail,
 * Avg, Min, Max) with percentiles, the checks made, the answers per replica, the figures per time
 * window (or per capacity step), CPU per request of every part of the stack, and memory; writes
 * the same text to {@code load-report.txt}. A capacity run is also kept in
 * {@code load-capacity/replicas-N.json} and drawn, with the other replica counts measured so far,
 * in {@code load-capacity.png}.
 *
 * <p>Reads only {@link LoadResult}, the simulation's own counters, and the name of Gatling's
 * report folder. Run by exec-maven-plugin in the {@code load} profile, after docker:stop. It
 * never fails the build: gatling:verify does, in the verify phase.
 *
 * <pre>
 * LoadReport results=target/gatling output=target
 * </pre>
 */
public final class LoadReport {

    static final String REPORT_FILE = "load-report.txt";
    static final String CAPACITY_DIR = "load-capacity";
    static final String CHART_FILE = "load-capacity.png";
    static final String SUMMARY_FILE = "load-summary.properties";

    private static final double MIB = 1024.0 * 1024.0;

    private LoadReport() {
    }

    public static void main(String[] args) throws IOException {
        Map<String, String> a = new HashMap<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (eq > 0) {
                a.put(arg.substring(0, eq), arg.substring(eq + 1));
            }
        }
        Path results = Path.of(a.getOrDefault("results", "target/gatling"));
        Path output = Path.of(a.getOrDefault("output", "target"));
        Path resultFile = output.resolve(LoadResult.FILE);
        StringBuilder text = new StringBuilder();
        LastRun last = lastRun(results);
        if (Files.isRegularFile(resultFile)) {
            LoadResult result = LoadResult.read(resultFile);
            text.append(render(result));
            Files.writeString(output.resolve(SUMMARY_FILE), summary(result), StandardCharsets.UTF_8);
            if ("capacity".equals(result.mode())) {
                Path dir = output.resolve(CAPACITY_DIR);
                Files.createDirectories(dir);
                result.write(dir.resolve("replicas-" + result.replicas() + ".json"));
                text.append(chart(dir, output.resolve(CHART_FILE)));
            }
        } else {
            text.append("No load result: ").append(resultFile.toAbsolutePath())
                    .append(" is missing (the simulation did not run to its end)\n");
        }
        last.run().ifPresent(r -> text.append("Gatling's report: ").append(r.resolve("index.html").toAbsolutePath()).append('\n'));
        last.error().ifPresent(e -> text.append("Gatling: ").append(e).append('\n'));
        System.out.println();
        System.out.print(text);
        System.out.println();
        Files.createDirectories(output);
        Files.writeString(output.resolve(REPORT_FILE), text, StandardCharsets.UTF_8);
        System.out.println("[load] written to " + output.resolve(REPORT_FILE).toAbsolutePath());
    }

    static String render(LoadResult r) {
        StringBuilder out = new StringBuilder();
        List<LoadResult.Window> ran = ran(r);
        long ok = ran.stream().mapToLong(LoadResult.Window::ok).sum();
        long failed = ran.stream().mapToLong(LoadResult.Window::failed).sum();
        long requests = ok + failed;
        long inFlight = ran.stream().mapToLong(LoadResult.Window::started).sum() - requests;
        boolean capacity = "capacity".equals(r.mode());

        String title = (r.replicas() == 1 ? "1 Container Replica" : r.replicas() + " Container Replicas")
                + (capacity ? ", capacity" : "");
        out.append(title).append('\n').append("-".repeat(title.length())).append('\n');
        LatencyHistogram all = latency(ran, false);
        out.append(line("Total Requests", requests, ""));
        out.append(line("Request Success", ok, ""));
        out.append(line("Request Fail", failed, ""));
        out.append(line("Avg", Math.round(all.mean()), " (ms)"));
        out.append(line("Min", all.min(), " (ms)"));
        out.append(line("Max", all.max(), " (ms)"));
        out.append(String.format(Locale.US, "p50 / p95 / p99: %,d / %,d / %,d (ms)%n",
                all.percentile(50), all.percentile(95), all.percentile(99)));
        if (failed > 0) {
            LatencyHistogram good = latency(ran, true);
            out.append(String.format(Locale.US, "Successful requests only: Avg %,d, Min %,d, Max %,d, p50 %,d, p99 %,d (ms)%n",
                    Math.round(good.mean()), good.min(), good.max(), good.percentile(50), good.percentile(99)));
            Map<String, Long> causes = new TreeMap<>();
            ran.forEach(w -> w.failures().forEach((k, v) -> causes.merge(k, v, Long::sum)));
            List<String> parts = new ArrayList<>();
            causes.forEach((k, v) -> parts.add(String.format(Locale.US, "%s x %,d", k, v)));
            out.append("Failures by cause: ").append(String.join(", ", parts)).append('\n');
        }
        if (inFlight > 0) {
            out.append(String.format(Locale.US, "Not counted: %,d requests still in flight when the load stopped%n", inFlight));
        }
        long sampled = ran.stream().mapToLong(LoadResult.Window::sampled).sum();
        long contractFailures = ran.stream().mapToLong(w -> w.failures().getOrDefault(LoadRecorder.BAD_CONTRACT, 0L)).sum();
        out.append(String.format(Locale.US, "Checks: every answer for status 200, its exact length (%,d bytes) and frame;"
                        + " %,d answers (every %d.) also in full as JSON: %,d failed%n",
                new AnswerContract(r.payload()).length(), sampled, r.sampleEvery(), contractFailures));
        Map<String, Long> byReplica = new TreeMap<>();
        ran.forEach(w -> w.replicas().forEach((k, v) -> byReplica.merge(k, v, Long::sum)));
        out.append(String.format(Locale.US, "Successful answers by replica: %d replica(s): %s%n", byReplica.size(),
                byReplica.values().stream().sorted(Comparator.reverseOrder()).map(v -> String.format(Locale.US, "%,d", v)).toList()));
        out.append(String.format(Locale.US, "Run: %.1f s from the first arrival to the last answer, to %s%n",
                r.elapsedSeconds(), r.url()));

        out.append('\n').append(windows(r, ran, capacity));
        out.append('\n').append(cpu(r.cpuNanos(), requests, r.elapsedSeconds(), r.generatorTotalNanos()));
        out.append('\n').append(memory(r.memory(), r.generatorRssBytes()));
        for (String problem : r.problems()) {
            out.append("note: ").append(problem).append('\n');
        }
        return out.toString();
    }

    /**
     * The headline figures as {@code key=value} lines, for scripts (benchmarks/replica.sh): requests,
     * ok, failed, avg/p50/p99/max ms, CPU ms per answer of the generator, Fabio, docker-proxy, all
     * replicas, Consul (all its containers) and the host, and replica memory (MiB: mean of the replicas' means, largest max).
     */
    static String summary(LoadResult r) {
        List<LoadResult.Window> ran = ran(r);
        long ok = ran.stream().mapToLong(LoadResult.Window::ok).sum();
        long failed = ran.stream().mapToLong(LoadResult.Window::failed).sum();
        LatencyHistogram all = latency(ran, false);
        Map<String, Long> parts = grouped(r.cpuNanos() == null ? Map.of() : r.cpuNanos());
        long answers = Math.max(1, ok + failed);
        StringBuilder out = new StringBuilder();
        out.append("requests=").append(ok + failed).append('\n');
        out.append("ok=").append(ok).append('\n');
        out.append("failed=").append(failed).append('\n');
        out.append(String.format(Locale.ROOT, "avg.ms=%.1f%n", all.mean()));
        out.append("p50.ms=").append(all.percentile(50)).append('\n');
        out.append("p99.ms=").append(all.percentile(99)).append('\n');
        out.append("max.ms=").append(all.max()).append('\n');
        for (String part : List.of("generator", "fabio", "docker-proxy", "replicas", "host")) {
            out.append(String.format(Locale.ROOT, "cpu.%s.ms=%.2f%n", part, ms(parts.get(part), answers)));
        }
        // Consul: one container in the profiles, servers and agents in the Swarm stack.
        long consul = parts.entrySet().stream().filter(e -> e.getKey().startsWith("consul"))
                .mapToLong(Map.Entry::getValue).sum();
        out.append(String.format(Locale.ROOT, "cpu.consul.ms=%.2f%n", ms(consul, answers)));
        List<LoadResult.Memory> replicas = r.memory() == null ? List.of() : r.memory().entrySet().stream()
                .filter(e -> Names.isReplica(e.getKey())).map(Map.Entry::getValue).toList();
        out.append(String.format(Locale.ROOT, "memory.replica.mean.mib=%.1f%n",
                replicas.stream().mapToLong(LoadResult.Memory::mean).average().orElse(0) / MIB));
        out.append(String.format(Locale.ROOT, "memory.replica.max.mib=%.1f%n",
                replicas.stream().mapToLong(LoadResult.Memory::max).max().orElse(0) / MIB));
        return out.toString();
    }

    /**
     * The windows that count: those that sent requests; in a capacity run, up to the first step
     * that did not hold (what the stopping load sent after it is not a measurement).
     */
    static List<LoadResult.Window> ran(LoadResult r) {
        List<LoadResult.Window> ran = new ArrayList<>();
        for (LoadResult.Window w : r.windows()) {
            if (w.started() == 0) {
                continue;
            }
            ran.add(w);
            if (Boolean.FALSE.equals(w.held())) {
                break;
            }
        }
        return ran;
    }

    /** The response times of these windows together: all answers, or the successful ones only. */
    static LatencyHistogram latency(List<LoadResult.Window> windows, boolean okOnly) {
        LatencyHistogram merged = new LatencyHistogram();
        windows.forEach(w -> merged.addAll(LatencyHistogram.of(okOnly ? w.latencyOk() : w.latency())));
        return merged;
    }

    /** The per-window table, and for a capacity run the verdict. */
    static String windows(LoadResult r, List<LoadResult.Window> ran, boolean capacity) {
        StringBuilder out = new StringBuilder();
        if (capacity) {
            double held = highestRateHeld(r.windows());
            out.append(String.format(Locale.US, "Capacity (a step holds while p99 <= %d ms and at most %s %% fail): ",
                    r.p99LimitMs(), LoadMonitor.rate(r.failLimitPercent())));
            out.append(held > 0 ? "highest rate held " + LoadMonitor.rate(held) + " requests/s" : "no step held");
            out.append(r.stopReason() == null ? "; every step ran" : "; stopped: " + r.stopReason()).append('\n');
            out.append(String.format(Locale.US, "%-5s %6s %9s %8s %7s %7s %7s %7s %9s %6s  %s%n", "step", "rate/s", "requests",
                    "failed", "p50", "p99", "max", "answ/s", "gen ms/r", "held", "CPU ms per request: fabio, proxy, replicas"));
        } else {
            out.append(String.format(Locale.US, "Over time (%d s windows):%n", r.windows().get(0).seconds()));
            out.append(String.format(Locale.US, "%-5s %6s %9s %8s %7s %7s %7s %7s %9s %8s  %s%n", "from", "rate/s", "requests",
                    "failed", "p50", "p99", "max", "answ/s", "gen ms/r", "rep MiB", "CPU ms per request: fabio, proxy, replicas"));
        }
        for (LoadResult.Window w : ran) {
            LatencyHistogram h = LatencyHistogram.of(w.latency());
            String first = capacity ? String.valueOf(w.index() + 1) : w.startSecond() + "s";
            String cpu = "";
            String gen = "-";
            if (w.cpuNanos() != null && w.started() > 0) {
                Map<String, Long> parts = grouped(w.cpuNanos());
                gen = String.format(Locale.US, "%.2f", ms(parts.get("generator"), w.started()));
                cpu = String.format(Locale.US, "%.2f, %.2f, %.2f", ms(parts.get("fabio"), w.started()),
                        ms(parts.get("docker-proxy"), w.started()), ms(parts.get("replicas"), w.started()));
            }
            out.append(String.format(Locale.US, "%-5s %6s %,9d %,8d %7d %7d %7d %7.1f %9s ", first, LoadMonitor.rate(w.rate()),
                    w.started(), w.started() - w.ok(), h.percentile(50), h.percentile(99), h.max(),
                    (double) w.ok() / w.seconds(), gen));
            if (capacity) {
                out.append(String.format(Locale.US, "%6s ", w.held() == null ? "?" : w.held() ? "yes" : "no"));
            } else {
                out.append(String.format(Locale.US, "%8s ", replicaMemory(w.memoryBytes())));
            }
            out.append(' ').append(cpu).append('\n');
        }
        return out.toString();
    }

    /** Mean memory of one replica (the mean of the replicas' means) in a window, in MiB, or "-". */
    static String replicaMemory(Map<String, Long> memory) {
        if (memory == null) {
            return "-";
        }
        double mean = memory.entrySet().stream().filter(e -> Names.isReplica(e.getKey()))
                .mapToLong(Map.Entry::getValue).average().orElse(-1);
        return mean < 0 ? "-" : String.format(Locale.US, "%.1f", mean / MIB);
    }

    /** The highest rate of the steps that held, counting from the first, up to the first that did not. */
    static double highestRateHeld(List<LoadResult.Window> windows) {
        double held = 0;
        for (LoadResult.Window w : windows) {
            if (w.held() == null || !w.held()) {
                break;
            }
            held = w.rate();
        }
        return held;
    }

    /** CPU per part over the run: seconds, ms per request, share of one core. */
    static String cpu(Map<String, Long> cpuNanos, long requests, double seconds, long generatorTotalNanos) {
        StringBuilder out = new StringBuilder();
        if (cpuNanos == null || cpuNanos.isEmpty()) {
            return "No CPU counters could be read on this machine.\n";
        }
        Map<String, Long> parts = grouped(cpuNanos);
        out.append(String.format(Locale.US, "CPU by part over the run (cumulative counters before and after: cgroup cpuacct of"
                + " the containers, /proc of the processes; %,d requests, %.1f s):%n", requests, seconds));
        out.append(String.format(Locale.US, "%-28s %9s %12s %11s%n", "part", "CPU s", "ms/request", "% of a core"));
        long accounted = 0;
        for (Map.Entry<String, Long> e : parts.entrySet()) {
            if (e.getKey().equals("host")) {
                continue;
            }
            if (!e.getKey().startsWith("  ")) {
                accounted += e.getValue();
            }
            out.append(row(e.getKey(), e.getValue(), requests, seconds));
        }
        Long host = parts.get("host");
        if (host != null) {
            out.append(row("rest of the host (kernel...)", Math.max(0, host - accounted), requests, seconds));
            out.append(row("host, all CPUs", host, requests, seconds));
        }
        out.append(String.format(Locale.US, "The generator's JVM used %.1f CPU s since it started (start-up and warm-up included).%n",
                generatorTotalNanos / 1e9));
        return out.toString();
    }

    /**
     * The parts in the order the report shows them: generator, fabio, docker-proxy, replicas
     * (their sum, then each, indented), consul, the other containers, dockerd, containerd, host.
     */
    static Map<String, Long> grouped(Map<String, Long> cpuNanos) {
        Map<String, Long> out = new LinkedHashMap<>();
        List<String> replicas = cpuNanos.keySet().stream().filter(Names::isReplica).sorted(Names::compare).toList();
        for (String part : List.of("generator", "fabio", "docker-proxy")) {
            if (cpuNanos.containsKey(part)) {
                out.put(part, cpuNanos.get(part));
            }
        }
        if (!replicas.isEmpty()) {
            out.put("replicas", replicas.stream().mapToLong(cpuNanos::get).sum());
            replicas.forEach(name -> out.put("  " + name, cpuNanos.get(name)));
        }
        cpuNanos.forEach((part, value) -> {
            if (!Names.isReplica(part) && !List.of("generator", "fabio", "docker-proxy", "dockerd", "containerd", "host")
                    .contains(part)) {
                out.put(part, value);
            }
        });
        for (String part : List.of("dockerd", "containerd", "host")) {
            if (cpuNanos.containsKey(part)) {
                out.put(part, cpuNanos.get(part));
            }
        }
        return out;
    }

    private static String row(String part, long nanos, long requests, double seconds) {
        return String.format(Locale.US, "%-28s %9.2f %12.2f %10.1f %%%n", part, nanos / 1e9, ms(nanos, requests),
                seconds > 0 ? nanos / 1e9 / seconds * 100 : 0);
    }

    private static double ms(Long nanos, long requests) {
        return nanos == null || requests == 0 ? 0 : nanos / 1e6 / requests;
    }

    static String memory(Map<String, LoadResult.Memory> memory, long generatorRss) {
        StringBuilder out = new StringBuilder();
        if (memory == null || memory.isEmpty()) {
            return "No container memory could be read on this machine.\n";
        }
        long samples = memory.values().stream().mapToLong(LoadResult.Memory::samples).max().orElse(0);
        out.append(String.format(Locale.US, "Memory (cgroup, as docker stats shows it; %d readings):%n", samples));
        out.append(String.format(Locale.US, "%-14s %9s %9s %9s %9s%n", "container", "first", "mean", "max", "last"));
        List<String> names = new ArrayList<>(memory.keySet());
        names.sort(Names::compare);
        long replicas = 0;
        int count = 0;
        for (String name : names) {
            LoadResult.Memory m = memory.get(name);
            out.append(String.format(Locale.US, "%-14s %5.1f MiB %5.1f MiB %5.1f MiB %5.1f MiB%n", name,
                    m.first() / MIB, m.mean() / MIB, m.max() / MIB, m.last() / MIB));
            if (Names.isReplica(name)) {
                replicas += m.mean();
                count++;
            }
        }
        if (count > 1) {
            out.append(String.format(Locale.US, "%-14s %15.1f MiB (mean of each, summed)%n", "all replicas", replicas / MIB));
        }
        if (generatorRss > 0) {
            out.append(String.format(Locale.US, "generator JVM: %.1f MiB resident at the end%n", generatorRss / MIB));
        }
        return out.toString();
    }

    /** Draws every capacity result kept so far; returns a line saying where, or why not. */
    static String chart(Path dir, Path png) {
        List<LoadResult> results = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().matches("replicas-\\d+\\.json")).toList()) {
                results.add(LoadResult.read(f));
            }
        } catch (IOException e) {
            return "Capacity chart not drawn: " + e.getMessage() + "\n";
        }
        results.sort(Comparator.comparingInt(LoadResult::replicas));
        try {
            CapacityChart.draw(results, png);
        } catch (IOException | RuntimeException | Error e) {
            return "Capacity chart not drawn: " + e + "\n";
        }
        List<String> held = new ArrayList<>();
        for (LoadResult r : results) {
            held.add(r.replicas() + " replica(s): " + LoadMonitor.rate(highestRateHeld(r.windows())) + "/s");
        }
        return String.format(Locale.US, "%nHighest rate held so far (%s): %s%nChart: %s%n", dir,
                String.join(", ", held), png.toAbsolutePath());
    }

    private static String line(String label, long value, String unit) {
        return String.format(Locale.US, "%s: %,d%s%n", label, value, unit);
    }

    record LastRun(Optional<Path> run, Optional<String> error) {
    }

    /**
     * The run folder named in lastRun.txt (the gatling-maven-plugin writes one folder name a line,
     * and "ExecutionError: ..." when Gatling failed), else the newest folder with an index.html.
     */
    static LastRun lastRun(Path results) throws IOException {
        Path lastRun = results.resolve("lastRun.txt");
        Optional<String> error = Optional.empty();
        if (Files.isRegularFile(lastRun)) {
            Optional<Path> run = Optional.empty();
            for (String line : Files.readAllLines(lastRun, StandardCharsets.UTF_8)) {
                String l = line.trim();
                if (l.contains("ExecutionError:")) {
                    error = Optional.of(l.substring(l.indexOf("ExecutionError:") + "ExecutionError:".length()).trim());
                } else if (!l.isEmpty() && Files.isDirectory(results.resolve(l))) {
                    run = Optional.of(results.resolve(l));
                }
            }
            if (run.isPresent()) {
                return new LastRun(run, error);
            }
        }
        if (!Files.isDirectory(results)) {
            return new LastRun(Optional.empty(), error);
        }
        try (Stream<Path> runs = Files.list(results)) {
            return new LastRun(runs.filter(p -> Files.isRegularFile(p.resolve("index.html")))
                    .max(Comparator.comparingLong(LoadReport::modified)), error);
        }
    }

    private static long modified(Path p) {
        try {
            return Files.getLastModifiedTime(p).toMillis();
        } catch (IOException e) {
            return 0;
        }
    }
}
