package dev.replicas.load;

import static dev.replicas.load.LoadRun.MIB;
import static dev.replicas.load.LoadRun.msPerRequest;
import static dev.replicas.load.LoadRun.percentile;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import dev.replicas.hello.AnswerContract;
import dev.replicas.load.LoadRun.Answer;
import dev.replicas.load.LoadRun.Memory;
import dev.replicas.load.LoadRun.Step;
import org.HdrHistogram.Histogram;

/** The report, {@value #FILE}: the seed's figures, the windows, the slowest answers, CPU and memory. */
final class TextReport {

    static final String FILE = "load-report.txt";
    static final String BAD_CONTRACT = "HTTP 200 failing the full contract check";
    /** The CPU table's order; "" stands for the containers other than Fabio and the replicas. */
    private static final List<String> PARTS = List.of("generator", "fabio", "docker-proxy", "replicas", "", "dockerd",
            "containerd");

    private TextReport() {
    }

    static String render(LoadRun run) {
        LoadSettings s = run.settings();
        Step total = run.total();
        long ok = total.ok();
        long failed = total.answers().size() - ok;
        String title = s.replicas() + (s.replicas() == 1 ? " Container Replica" : " Container Replicas")
                + (s.capacity() ? ", capacity" : "");
        Histogram all = total.histogram(false);
        Histogram good = total.histogram(true);
        Map<String, Long> failures = total.answers().stream().filter(Answer::failed).collect(Collectors.groupingBy(
                a -> a.status() == 0 ? "no answer (timeout or connection error)" : a.status() != 200 ? "HTTP "
                        + a.status() : a.uuid() == null ? "HTTP 200 with a wrong body (length or frame)" : BAD_CONTRACT,
                TreeMap::new, Collectors.counting()));
        Map<String, Long> byReplica = total.answers().stream().filter(a -> !a.failed()).collect(Collectors.groupingBy(
                a -> Objects.requireNonNullElse(a.uuid(), "?"), Collectors.counting()));
        StringBuilder out = new StringBuilder(format("%s%n%s%nTotal Requests: %,d%nRequest Success: %,d%nRequest Fail: %,d%n"
                        + "Avg: %,d (ms)%nMin: %,d (ms)%nMax: %,d (ms)%np50 / p95 / p99: %,d / %,d / %,d (ms)%n", title,
                "-".repeat(title.length()), ok + failed, ok, failed, Math.round(all.getMean()), all.getMinValue(),
                percentile(all, 100), percentile(all, 50), percentile(all, 95), percentile(all, 99)));
        if (failed > 0) {
            out.append(format("Successful requests only: Avg %,d, Min %,d, Max %,d, p50 %,d, p99 %,d (ms)%n",
                    Math.round(good.getMean()), good.getMinValue(), percentile(good, 100), percentile(good, 50),
                    percentile(good, 99)));
            out.append(failures.entrySet().stream().map(e -> format("%s x %,d", e.getKey(), e.getValue()))
                    .collect(Collectors.joining(", ", "Failures by cause: ", "\n")));
        }
        out.append(total.inFlight() <= 0 ? ""
                : format("Not counted: %,d requests still in flight when the load stopped%n", total.inFlight()));
        out.append(format("Checks: every answer for status 200, its exact length (%,d bytes) and frame; %,d answers"
                        + " (every %d.) also in full as JSON: %,d failed%n", new AnswerContract(s.payload()).length(),
                total.answers().stream().filter(a -> a.sampled() && a.status() == 200 && a.uuid() != null).count(),
                s.sampleEvery(), failures.getOrDefault(BAD_CONTRACT, 0L)));
        out.append(format("Successful answers by replica: %d replica(s): %s%n", byReplica.size(), byReplica.values()
                .stream().sorted(Comparator.reverseOrder()).map(v -> format("%,d", v)).toList()));
        out.append(format("Run: %.1f s from the first arrival to the last answer, to %s%n%n", run.seconds(), s.url()));
        out.append(windows(run)).append('\n');
        out.append(slowest(run));
        out.append(cpu(run.cpu(), ok + failed, run.seconds(), run.generatorNanos())).append('\n');
        out.append(memory(run.memory(), HostCounters.generatorResident()));
        run.problems().forEach(problem -> out.append("note: ").append(problem).append('\n'));
        return out.toString();
    }

    /** The per-window table; for a capacity run with the verdict. */
    private static String windows(LoadRun run) {
        LoadSettings s = run.settings();
        String last = s.capacity() ? "%6s" : "%8s";
        StringBuilder out = new StringBuilder(s.capacity() ? format("Capacity (a step holds while p99 <= %d ms and"
                        + " at most %s %% fail): %s%s%n", s.p99LimitMs(), LoadSettings.rate(s.failLimitPercent()),
                run.held() > 0 ? "highest rate held " + LoadSettings.rate(run.held()) + " requests/s" : "no step held",
                run.stopReason() == null ? "; every step ran" : "; stopped: " + run.stopReason())
                : format("Over time (%d s windows):%n", run.steps().get(0).window().seconds()));
        out.append(format("%-5s %6s %9s %8s %7s %7s %7s %7s %9s " + last + " %7s  CPU ms per request: fabio, proxy,"
                        + " replicas%n", s.capacity() ? "step" : "from", "rate/s", "requests", "failed", "p50", "p99",
                "max", "answ/s", "gen ms/r", s.capacity() ? "held" : "rep MiB", "stolen"));
        for (Step t : run.ran()) {
            Map<String, Long> cpu = t.cpu();
            Histogram all = t.histogram(false);
            double memory = LoadRun.replicas(t.memory()).stream().mapToLong(Memory::mean).average().orElse(-1);
            out.append(format("%-5s %6s %,9d %,8d %7d %7d %7d %7.1f %9s " + last + " %7s  %s%n",
                    s.capacity() ? String.valueOf(t.window().index() + 1) : t.window().startSecond() + "s",
                    LoadSettings.rate(t.window().rate()), t.started(), t.started() - t.ok(), percentile(all, 50),
                    percentile(all, 99), percentile(all, 100), (double) t.ok() / t.window().seconds(),
                    cpu == null ? "-" : perRequest(cpu, t.started(), "generator"),
                    s.capacity() ? (t.verdict(s).held() ? "yes" : "no") : memory < 0 ? "-" : format("%.1f", memory / MIB),
                    // as vmstat's st: the share of all this machine's CPUs that the hypervisor took
                    cpu == null || !cpu.containsKey("stolen") ? "-" : format("%.0f %%", 100.0 * cpu.get("stolen")
                            / (t.window().seconds() * 1e9 * Runtime.getRuntime().availableProcessors())),
                    cpu == null ? "" : perRequest(cpu, t.started(), "fabio", "docker-proxy", "replicas")));
        }
        return out.toString();
    }

    private static String perRequest(Map<String, Long> cpu, long requests, String... parts) {
        return Stream.of(parts).map(part -> format("%.2f", msPerRequest(HostCounters.part(cpu, part), requests)))
                .collect(Collectors.joining(", "));
    }

    /**
     * The slowest answers, each with its replica and how long that replica had been answering then:
     * whether the tail belongs to replicas that had just joined (cold) or to all of them alike.
     */
    private static String slowest(LoadRun run) {
        List<Answer> answered = run.steps().stream().flatMap(s -> s.answers().stream())
                .filter(a -> !a.failed() && a.uuid() != null).sorted(Comparator.comparingLong(Answer::endedMs)).toList();
        Map<String, Answer> first = new LinkedHashMap<>(); // by replica, numbered in order: answers may tie on time
        answered.forEach(a -> first.putIfAbsent(a.uuid(), a));
        List<String> replicas = List.copyOf(first.keySet());
        List<Answer> slowest = answered.stream().filter(a -> a.ms() > 0)
                .sorted(Comparator.comparingLong(Answer::ms).reversed()).limit(10).toList();
        return slowest.stream().map(a -> format("  %,5d ms, ended at %6.1f s, replica %d (%s...), answering for %.1f s%n",
                        a.ms(), a.endedMs() / 1000.0, replicas.indexOf(a.uuid()) + 1, a.uuid().substring(0,
                                Math.min(8, a.uuid().length())), (a.endedMs() - first.get(a.uuid()).endedMs()) / 1000.0))
                .collect(Collectors.joining("", slowest.isEmpty() ? "" : format("The %d slowest answers (replicas"
                        + " numbered by their first answer in the run):%n", slowest.size()), slowest.isEmpty() ? "" : "\n"));
    }

    /** CPU per part over the run: seconds, ms per request, share of one core; each replica below their sum. */
    private static String cpu(Map<String, Long> cpu, long requests, double seconds, long generatorNanos) {
        if (cpu.isEmpty()) {
            return "No CPU counters could be read on this machine.\n";
        }
        Map<String, Long> parts = new LinkedHashMap<>();
        cpu.keySet().stream().filter(part -> !part.equals("host") && !part.equals("stolen"))
                .sorted(Comparator.comparingInt((String part) -> HostCounters.isReplica(part) ? 3
                        : PARTS.contains(part) ? PARTS.indexOf(part) : 4).thenComparing(HostCounters.ORDER))
                .forEach(part -> {
                    if (HostCounters.isReplica(part)) {
                        parts.putIfAbsent("replicas", HostCounters.part(cpu, "replicas"));
                    }
                    parts.put(HostCounters.isReplica(part) ? "  " + part : part, cpu.get(part));
                });
        if (cpu.containsKey("host")) { // the indented replicas are in their sum already
            parts.put("rest of the host (kernel...)", Math.max(0, cpu.get("host") - parts.entrySet().stream()
                    .filter(e -> !e.getKey().startsWith(" ")).mapToLong(Map.Entry::getValue).sum()));
            parts.put("host, all CPUs", cpu.get("host"));
        }
        if (cpu.containsKey("stolen")) {
            parts.put("stolen by the hypervisor", cpu.get("stolen"));
        }
        return parts.entrySet().stream().map(e -> format("%-28s %9.2f %12.2f %10.1f %%%n", e.getKey(),
                e.getValue() / 1e9, msPerRequest(e.getValue(), requests), seconds > 0 ? e.getValue() / 1e9 / seconds * 100 : 0))
                .collect(Collectors.joining("", format("CPU by part over the run (cumulative counters before and after:"
                        + " cgroup cpuacct of the containers, /proc of the processes; %,d requests, %.1f s):%n"
                        + "%-28s %9s %12s %11s%n", requests, seconds, "part", "CPU s", "ms/request", "% of a core"),
                        format("The generator's JVM used %.1f CPU s since it started (start-up and warm-up included).%n",
                                generatorNanos / 1e9)));
    }

    /** Memory per container: first, mean, max and last reading. */
    private static String memory(Map<String, Memory> memory, long generatorRss) {
        if (memory.isEmpty()) {
            return "No container memory could be read on this machine.\n";
        }
        StringBuilder out = new StringBuilder(format("Memory (cgroup, as docker stats shows it; %d readings):%n"
                        + "%-14s %9s %9s %9s %9s%n", memory.values().stream().mapToLong(Memory::readings).max().orElse(0),
                "container", "first", "mean", "max", "last"));
        memory.forEach((name, m) -> out.append(format("%-14s %5.1f MiB %5.1f MiB %5.1f MiB %5.1f MiB%n", name,
                m.first() / MIB, m.mean() / MIB, m.max() / MIB, m.last() / MIB)));
        List<Memory> replicas = LoadRun.replicas(memory);
        out.append(replicas.size() < 2 ? "" : format("%-14s %15.1f MiB (mean of each, summed)%n", "all replicas",
                replicas.stream().mapToLong(Memory::mean).sum() / MIB));
        return out + (generatorRss <= 0 ? "" : format("generator JVM: %.1f MiB resident at the end%n", generatorRss / MIB));
    }

    private static String format(String format, Object... args) {
        return String.format(Locale.US, format, args);
    }
}
