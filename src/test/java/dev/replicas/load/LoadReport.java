package dev.replicas.load;

import static org.jfree.chart.plot.DefaultDrawingSupplier.DEFAULT_PAINT_SEQUENCE;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Paint;
import java.io.IOException;
import java.text.DecimalFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.ToLongFunction;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.replicas.hello.AnswerContract;
import dev.replicas.load.LoadRecorder.Tally;
import org.HdrHistogram.Histogram;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * A run's report, written by the simulation: {@code load-report.txt}, the headline figures in
 * {@code load-summary.properties} (for benchmarks/*.sh), a capacity run's curve in {@code load-capacity/replicas-N.json}
 * and the chart of all kept in {@code load-capacity.png}. {@link #main} prints it after the cluster has stopped.
 */
public final class LoadReport {

    static final String REPORT = "load-report.txt";
    static final String SUMMARY = "load-summary.properties";
    private static final double MIB = 1024.0 * 1024.0;
    private static final ObjectMapper JSON = new ObjectMapper()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    /** The CPU table's order; "" stands for the containers other than Fabio and the replicas. */
    private static final List<String> PARTS = List.of("generator", "fabio", "docker-proxy", "replicas", "", "dockerd",
            "containerd", "host");

    /** A capacity run as the chart draws it: {rate, p50, p99} per step. */
    record Curve(int replicas, long p99LimitMs, int stepSeconds, double held, List<double[]> points) {}

    /** Prints the report with where Gatling's is: {@code LoadReport results=target/gatling output=target}. */
    public static void main(String[] args) throws IOException {
        Map<String, String> a = new TreeMap<>(Map.of("results", "target/gatling", "output", "target"));
        Stream.of(args).map(arg -> arg.split("=", 2)).filter(kv -> kv.length == 2).forEach(kv -> a.put(kv[0], kv[1]));
        Path report = Path.of(a.get("output")).resolve(REPORT);
        String text = (Files.isRegularFile(report) // without the Gatling lines of an earlier call
                ? Files.readAllLines(report).stream().filter(l -> !l.startsWith("Gatling")).map(l -> l + "\n")
                        .collect(Collectors.joining())
                : "No load report: " + report.toAbsolutePath() + " is missing (the simulation did not run to its end)\n")
                + lastRun(Path.of(a.get("results")));
        Files.writeString(Files.createDirectories(report.getParent()).resolve(REPORT), text);
        System.out.printf("%n%s%n[load] written to %s%n", text, report.toAbsolutePath());
    }

    /** Writes the report, the summary and, for a capacity run, its curve and the chart of all curves kept. */
    static void write(LoadRecorder r, Path output) throws IOException {
        String text = render(r);
        Files.writeString(Files.createDirectories(output).resolve(SUMMARY), summary(r));
        if (r.settings.capacity()) {
            List<double[]> points = ran(r).stream().map(t -> new double[] {t.window.rate(), t.percentile(50, 0),
                    Math.min(20_000, t.percentile(99, t.started - t.ok - t.failed))}).toList();
            Path dir = Files.createDirectories(output.resolve("load-capacity"));
            JSON.writeValue(dir.resolve("replicas-" + r.settings.replicas() + ".json").toFile(), new Curve(
                    r.settings.replicas(), r.settings.p99LimitMs(), r.settings.stepSeconds(), held(r.tallies), points));
            text += chart(dir, output.resolve("load-capacity.png"));
        }
        Files.writeString(output.resolve(REPORT), text);
    }

    static String render(LoadRecorder r) {
        List<Tally> ran = ran(r);
        long ok = sum(ran, t -> t.ok);
        long failed = sum(ran, t -> t.failed);
        long inFlight = sum(ran, t -> t.started) - ok - failed;
        String title = r.settings.replicas() + (r.settings.replicas() == 1 ? " Container Replica" : " Container Replicas")
                + (r.settings.capacity() ? ", capacity" : "");
        Histogram all = histogram(ran, t -> t.all);
        Histogram good = histogram(ran, t -> t.successful);
        Map<String, Long> failures = merged(ran, t -> t.failures);
        Map<String, Long> byReplica = merged(ran, t -> t.replicas);
        StringBuilder out = new StringBuilder(String.format(Locale.US, "%s%n%s%nTotal Requests: %,d%n"
                        + "Request Success: %,d%nRequest Fail: %,d%nAvg: %,d (ms)%nMin: %,d (ms)%nMax: %,d (ms)%n"
                        + "p50 / p95 / p99: %,d / %,d / %,d (ms)%n", title, "-".repeat(title.length()), ok + failed, ok,
                failed, Math.round(all.getMean()), all.getMinValue(), percentile(all, 100), percentile(all, 50),
                percentile(all, 95), percentile(all, 99)));
        if (failed > 0) {
            out.append(String.format(Locale.US, "Successful requests only: Avg %,d, Min %,d, Max %,d, p50 %,d, p99 %,d"
                    + " (ms)%n", Math.round(good.getMean()), good.getMinValue(), percentile(good, 100),
                    percentile(good, 50), percentile(good, 99)));
            out.append(failures.entrySet().stream().map(e -> String.format(Locale.US, "%s x %,d", e.getKey(),
                    e.getValue())).collect(Collectors.joining(", ", "Failures by cause: ", "\n")));
        }
        out.append(inFlight <= 0 ? "" : String.format(Locale.US,
                "Not counted: %,d requests still in flight when the load stopped%n", inFlight));
        out.append(String.format(Locale.US, "Checks: every answer for status 200, its exact length (%,d bytes) and"
                        + " frame; %,d answers (every %d.) also in full as JSON: %,d failed%n",
                new AnswerContract(r.settings.payload()).length(), sum(ran, t -> t.sampled), r.settings.sampleEvery(),
                failures.getOrDefault(LoadRecorder.BAD_CONTRACT, 0L)));
        out.append(String.format(Locale.US, "Successful answers by replica: %d replica(s): %s%n", byReplica.size(),
                byReplica.values().stream().sorted(Comparator.reverseOrder()).map(v -> String.format(Locale.US, "%,d", v))
                        .toList()));
        out.append(String.format(Locale.US, "Run: %.1f s from the first arrival to the last answer, to %s%n%n",
                r.elapsedSeconds, r.settings.url()));
        out.append(windows(r, ran)).append('\n');
        String slow = slowest(r) + stalls(r);
        out.append(slow).append(slow.isEmpty() ? "" : "\n");
        if (r.startWall != null && r.endWall != null) {
            out.append(GcPauses.render(r.gcLogs, r.startWall, r.endWall)).append('\n');
        }
        out.append(cpu(r.runCpu, ok + failed, r.elapsedSeconds, r.generatorTotalNanos)).append('\n');
        out.append(memory(r.memory, HostCounters.generatorResident()));
        r.counters.problems().forEach(problem -> out.append("note: ").append(problem).append('\n'));
        return out.toString();
    }

    /**
     * The slowest answers, each with its replica and how long that replica had been answering then:
     * whether the tail belongs to replicas that had just joined (cold) or to all of them alike.
     */
    static String slowest(LoadRecorder r) {
        List<LoadRecorder.Slow> slowest;
        synchronized (r.slowest) {
            slowest = List.copyOf(r.slowest);
        }
        if (slowest.isEmpty()) {
            return "";
        }
        StringBuilder out = new StringBuilder(String.format(Locale.US, "The %d slowest answers (replicas numbered"
                + " by their first answer in the run; the host's stalls while each was under way, if any):%n",
                slowest.size()));
        long start = r.startWall == null ? 0 : r.startWall.toEpochMilli();
        for (LoadRecorder.Slow s : slowest) {
            LoadRecorder.First f = r.firstAnswer.getOrDefault(s.replica(), new LoadRecorder.First(s.endedMs(), 0));
            long stalled = StallProbe.within(r.stalls, start + s.endedMs() - s.ms(), start + s.endedMs());
            out.append(String.format(Locale.US, "  %,5d ms, ended at %6.1f s, replica %d (%s...), answering for %.1f s%s%n",
                    s.ms(), s.endedMs() / 1000.0, f.place(),
                    s.replica().substring(0, Math.min(8, s.replica().length())), (s.endedMs() - f.ms()) / 1000.0,
                    stalled == 0 ? "" : String.format(Locale.US, "; host stalled %d ms", stalled)));
        }
        return out.toString();
    }

    /**
     * The host's stalls during the load, as the {@link StallProbe} saw them: how many, and the longest with when
     * (seconds after the first request).
     */
    static String stalls(LoadRecorder r) {
        if (r.startWall == null || r.endWall == null) {
            return "";
        }
        long start = r.startWall.toEpochMilli();
        List<StallProbe.Stall> during = r.stalls.stream()
                .filter(s -> s.endEpochMs() >= start && s.startEpochMs() <= r.endWall.toEpochMilli()).toList();
        String longest = during.stream().sorted(Comparator.comparingLong(StallProbe.Stall::ms).reversed()).limit(5)
                .map(s -> String.format(Locale.US, "%d ms at %.1f s", s.ms(), (s.endEpochMs() - s.ms() - start) / 1000.0))
                .collect(Collectors.joining(", "));
        return String.format(Locale.US, "Host stalls (a probe process of its own, napping %d ms at a time: wake-ups at"
                        + " least %d ms late): %d, %,d ms in all%s%n", StallProbe.NAP_MS, StallProbe.LATE_MS,
                during.size(), during.stream().mapToLong(StallProbe.Stall::ms).sum(),
                longest.isEmpty() ? "" : "; longest " + longest);
    }

    /** The headline figures for benchmarks/*.sh: ms, CPU ms per request by part, replica memory in MiB. */
    static String summary(LoadRecorder r) {
        List<Tally> ran = ran(r);
        long requests = sum(ran, t -> t.ok + t.failed);
        Histogram all = histogram(ran, t -> t.all);
        Map<String, Long> parts = grouped(r.runCpu);
        // Consul: one container in the profiles, servers and agents in the Swarm stack.
        parts.put("consul", r.runCpu.entrySet().stream().filter(e -> e.getKey().startsWith("consul"))
                .mapToLong(Map.Entry::getValue).sum());
        List<long[]> replicas = replicas(r.memory);
        return String.format(Locale.ROOT, "requests=%d%nok=%d%nfailed=%d%navg.ms=%.1f%np50.ms=%d%np99.ms=%d%n"
                        + "max.ms=%d%n", requests, sum(ran, t -> t.ok), sum(ran, t -> t.failed), all.getMean(),
                percentile(all, 50), percentile(all, 99), percentile(all, 100))
                + Stream.of("generator", "fabio", "docker-proxy", "replicas", "host", "consul", "stolen").map(part -> String.format(
                        Locale.ROOT, "cpu.%s.ms=%.2f%n", part, ms(parts.get(part), Math.max(1, requests))))
                        .collect(Collectors.joining())
                + String.format(Locale.ROOT, "gc.pause.max.ms=%.0f%n", r.startWall == null || r.endWall == null ? 0
                        : GcPauses.longest(r.gcLogs, r.startWall, r.endWall))
                + String.format(Locale.ROOT, "memory.replica.mean.mib=%.1f%nmemory.replica.max.mib=%.1f%n",
                        replicas.stream().mapToLong(m -> m[2] / m[0]).average().orElse(0) / MIB,
                        replicas.stream().mapToLong(m -> m[3]).max().orElse(0) / MIB);
    }

    /** The windows that sent requests; in a capacity run up to the first step that did not hold, not after. */
    static List<Tally> ran(LoadRecorder r) {
        List<Tally> t = r.tallies;
        int last = IntStream.range(0, t.size()).filter(i -> t.get(i).started > 0 && t.get(i).verdict != null
                && !t.get(i).verdict.held()).findFirst().orElse(t.size() - 1);
        return t.subList(0, last + 1).stream().filter(tally -> tally.started > 0).toList();
    }

    /** The per-window table; for a capacity run with the verdict. */
    private static String windows(LoadRecorder r, List<Tally> ran) {
        boolean capacity = r.settings.capacity();
        String held = held(r.tallies) > 0 ? "highest rate held " + LoadSettings.rate(held(r.tallies)) + " requests/s"
                : "no step held";
        String last = capacity ? "%6s" : "%8s";
        StringBuilder out = new StringBuilder(capacity ? String.format(Locale.US, "Capacity (a step holds while p99"
                        + " <= %d ms and at most %s %% fail): %s%s%n", r.settings.p99LimitMs(),
                LoadSettings.rate(r.settings.failLimitPercent()), held,
                r.stopReason() == null ? "; every step ran" : "; stopped: " + r.stopReason())
                : String.format(Locale.US, "Over time (%d s windows):%n", r.tallies.get(0).window.seconds()));
        out.append(String.format(Locale.US, "%-5s %6s %9s %8s %7s %7s %7s %7s %9s " + last + " %7s  CPU ms per request:"
                        + " fabio, proxy, replicas%n", capacity ? "step" : "from", "rate/s", "requests", "failed", "p50",
                "p99", "max", "answ/s", "gen ms/r", capacity ? "held" : "rep MiB", "stolen"));
        for (Tally t : ran) {
            Map<String, Long> parts = t.cpu == null ? null : grouped(t.cpu);
            double memory = replicas(t.memory).stream().mapToLong(m -> m[1] / m[0]).average().orElse(-1);
            out.append(String.format(Locale.US, "%-5s %6s %,9d %,8d %7d %7d %7d %7.1f %9s " + last + " %7s  %s%n",
                    capacity ? String.valueOf(t.window.index() + 1) : t.window.startSecond() + "s",
                    LoadSettings.rate(t.window.rate()), t.started, t.started - t.ok, percentile(t.all, 50),
                    percentile(t.all, 99), percentile(t.all, 100), (double) t.ok / t.window.seconds(),
                    parts == null ? "-" : String.format(Locale.US, "%.2f", ms(parts.get("generator"), t.started)),
                    capacity ? (t.verdict == null ? "?" : t.verdict.held() ? "yes" : "no")
                            : memory < 0 ? "-" : String.format(Locale.US, "%.1f", memory / MIB),
                    stolen(parts, t.window.seconds()),
                    parts == null ? "" : String.format(Locale.US, "%.2f, %.2f, %.2f", ms(parts.get("fabio"), t.started),
                            ms(parts.get("docker-proxy"), t.started), ms(parts.get("replicas"), t.started))));
        }
        return out.toString();
    }

    /** @return the share of all this machine's CPUs that the hypervisor took in a window, as vmstat's {@code st} */
    private static String stolen(Map<String, Long> parts, int seconds) {
        Long stolen = parts == null ? null : parts.get("stolen");
        return stolen == null ? "-" : String.format(Locale.US, "%.0f %%",
                100.0 * stolen / (seconds * 1e9 * Runtime.getRuntime().availableProcessors()));
    }

    /** @return the highest rate of the steps that held, counting from the first, up to the first that did not */
    static double held(List<Tally> tallies) {
        return tallies.stream().takeWhile(t -> t.verdict != null && t.verdict.held()).mapToDouble(t -> t.window.rate())
                .max().orElse(0);
    }

    /** CPU per part over the run: seconds, ms per request, share of one core. */
    static String cpu(Map<String, Long> cpuNanos, long requests, double seconds, long generatorTotalNanos) {
        if (cpuNanos.isEmpty()) {
            return "No CPU counters could be read on this machine.\n";
        }
        StringBuilder out = new StringBuilder(String.format(Locale.US, "CPU by part over the run (cumulative counters"
                + " before and after: cgroup cpuacct of the containers, /proc of the processes; %,d requests, %.1f s):"
                + "%n%-28s %9s %12s %11s%n", requests, seconds, "part", "CPU s", "ms/request", "% of a core"));
        Map<String, Long> parts = grouped(cpuNanos);
        Long host = parts.remove("host");
        Long stolen = parts.remove("stolen");
        parts.forEach((part, nanos) -> out.append(row(part, nanos, requests, seconds)));
        if (host != null) {
            long rest = host - parts.entrySet().stream().filter(e -> !e.getKey().startsWith(" "))
                    .mapToLong(Map.Entry::getValue).sum(); // the indented replicas are in their sum already
            out.append(row("rest of the host (kernel...)", Math.max(0, rest), requests, seconds));
            out.append(row("host, all CPUs", host, requests, seconds));
        }
        if (stolen != null) {
            out.append(row("stolen by the hypervisor", stolen, requests, seconds));
        }
        return out + String.format(Locale.US, "The generator's JVM used %.1f CPU s since it started"
                + " (start-up and warm-up included).%n", generatorTotalNanos / 1e9);
    }

    /** The parts in {@link #PARTS} order, the replicas' sum before each replica (indented). */
    static Map<String, Long> grouped(Map<String, Long> cpuNanos) {
        Map<String, Long> out = new LinkedHashMap<>();
        long replicas = cpuNanos.entrySet().stream().filter(e -> HostCounters.isReplica(e.getKey()))
                .mapToLong(Map.Entry::getValue).sum();
        cpuNanos.keySet().stream().sorted(Comparator.comparingInt((String part) -> HostCounters.isReplica(part)
                ? 3 : PARTS.contains(part) ? PARTS.indexOf(part) : 4).thenComparing(HostCounters.ORDER)).forEach(part -> {
                    if (HostCounters.isReplica(part)) {
                        out.putIfAbsent("replicas", replicas);
                    }
                    out.put(HostCounters.isReplica(part) ? "  " + part : part, cpuNanos.get(part));
                });
        return out;
    }

    /** Memory per container ({readings, first, sum, max, last} each): first, mean, max and last reading. */
    static String memory(Map<String, long[]> memory, long generatorRss) {
        if (memory.isEmpty()) {
            return "No container memory could be read on this machine.\n";
        }
        StringBuilder out = new StringBuilder(String.format(Locale.US, "Memory (cgroup, as docker stats shows it;"
                        + " %d readings):%n%-14s %9s %9s %9s %9s%n", memory.values().stream().mapToLong(m -> m[0]).max()
                .orElse(0), "container", "first", "mean", "max", "last"));
        memory.keySet().stream().sorted(HostCounters.ORDER).map(name -> Map.entry(name, memory.get(name))).forEach(e ->
                out.append(String.format(Locale.US, "%-14s %5.1f MiB %5.1f MiB %5.1f MiB %5.1f MiB%n", e.getKey(),
                        e.getValue()[1] / MIB, e.getValue()[2] / e.getValue()[0] / MIB, e.getValue()[3] / MIB,
                        e.getValue()[4] / MIB)));
        List<long[]> replicas = replicas(memory);
        out.append(replicas.size() < 2 ? "" : String.format(Locale.US, "%-14s %15.1f MiB (mean of each, summed)%n",
                "all replicas", replicas.stream().mapToLong(m -> m[2] / m[0]).sum() / MIB));
        return out + (generatorRss <= 0 ? "" : String.format(Locale.US,
                "generator JVM: %.1f MiB resident at the end%n", generatorRss / MIB));
    }

    /** Draws the capacity runs kept in {@code dir}, p99 and p50 against the rate, and says where, or why not. */
    static String chart(Path dir, Path png) {
        List<Curve> curves = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().matches("replicas-\\d+\\.json")).toList()) {
                curves.add(JSON.readValue(f.toFile(), Curve.class));
            }
            curves.removeIf(c -> c.points() == null); // kept by an older harness
            curves.sort(Comparator.comparingInt(Curve::replicas));
            System.setProperty("java.awt.headless", "true");
            XYSeriesCollection data = new XYSeriesCollection();
            XYLineAndShapeRenderer lines = new XYLineAndShapeRenderer();
            BasicStroke dashed = new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10,
                    new float[] {6, 5}, 0);
            for (Curve c : curves) {
                int s = data.getSeriesCount();
                XYSeries p99 = new XYSeries(String.format(Locale.US, "%d replica%s: held %s/s", c.replicas(),
                        c.replicas() == 1 ? "" : "s", LoadSettings.rate(c.held())));
                XYSeries p50 = new XYSeries(s + 1);
                c.points().forEach(point -> p99.add(point[0], Math.max(1, point[2])));
                c.points().forEach(point -> p50.add(point[0], Math.max(1, point[1])));
                Stream.of(p99, p50).forEach(data::addSeries);
                Paint colour = DEFAULT_PAINT_SEQUENCE[s / 2 % DEFAULT_PAINT_SEQUENCE.length]; // one per replica count
                lines.setSeriesPaint(s, colour);
                lines.setSeriesPaint(s + 1, colour);
                lines.setSeriesStroke(s, new BasicStroke(2.5f));
                lines.setSeriesStroke(s + 1, dashed);
                lines.setSeriesShapesVisible(s + 1, false);
                lines.setSeriesVisibleInLegend(s + 1, false);
            }
            long limit = curves.isEmpty() ? 500 : curves.get(0).p99LimitMs();
            LogAxis ms = new LogAxis("response time (ms); grey: the p99 limit, " + limit + " ms");
            ms.setRange(1, 20_000);
            ms.setTickUnit(new NumberTickUnit(1)); // 1, 10, 100 ... ms
            ms.setNumberFormatOverride(new DecimalFormat("#,##0"));
            XYPlot plot = new XYPlot(data, new NumberAxis("offered rate (requests/s), a step of "
                    + (curves.isEmpty() ? 0 : curves.get(0).stepSeconds()) + " s each"), ms, lines);
            plot.addRangeMarker(new ValueMarker(limit, Color.GRAY, dashed));
            plot.setBackgroundPaint(Color.WHITE);
            plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
            JFreeChart chart = new JFreeChart("Capacity through Fabio: response time per step (p99 solid, p50 dashed)",
                    JFreeChart.DEFAULT_TITLE_FONT.deriveFont(15f), plot, true);
            chart.setBackgroundPaint(Color.WHITE);
            ChartUtils.saveChartAsPNG(png.toFile(), chart, 900, 560);
        } catch (IOException | RuntimeException | Error e) {
            return "Capacity chart not drawn: " + e + "\n";
        }
        return String.format(Locale.US, "%nHighest rate held so far (%s): %s%nChart: %s%n", dir, curves.stream()
                .map(c -> c.replicas() + " replica(s): " + LoadSettings.rate(c.held()) + "/s")
                .collect(Collectors.joining(", ")), png.toAbsolutePath());
    }

    /** Gatling's report folder and its error, from the gatling-maven-plugin's lastRun.txt ("ExecutionError: ..."). */
    static String lastRun(Path results) throws IOException {
        Path lastRun = results.resolve("lastRun.txt");
        String run = "";
        String error = "";
        for (String line : Files.isRegularFile(lastRun) ? Files.readAllLines(lastRun) : List.<String>of()) {
            String l = line.trim();
            if (l.startsWith("ExecutionError:")) {
                error = "Gatling: " + l.substring("ExecutionError:".length()).trim() + "\n";
            } else if (!l.isEmpty() && Files.isDirectory(results.resolve(l))) {
                run = "Gatling's report: " + results.resolve(l).resolve("index.html").toAbsolutePath() + "\n";
            }
        }
        return run + error;
    }

    /** @return the nearest-rank percentile, 0 when empty; the lowest value of its bucket: exact to 2,047 ms */
    static long percentile(Histogram h, double pct) {
        return h.getTotalCount() == 0 ? 0 : h.lowestEquivalentValue(h.getValueAtPercentile(pct));
    }

    private static Histogram histogram(List<Tally> tallies, Function<Tally, Histogram> field) {
        Histogram h = new Histogram(3);
        tallies.forEach(t -> h.add(field.apply(t)));
        return h;
    }

    private static long sum(List<Tally> tallies, ToLongFunction<Tally> field) {
        return tallies.stream().mapToLong(field).sum();
    }

    private static Map<String, Long> merged(List<Tally> tallies, Function<Tally, Map<String, Long>> field) {
        Map<String, Long> out = new TreeMap<>();
        tallies.forEach(t -> field.apply(t).forEach((k, v) -> out.merge(k, v, Long::sum)));
        return out;
    }

    private static List<long[]> replicas(Map<String, long[]> memory) {
        return memory.entrySet().stream().filter(e -> HostCounters.isReplica(e.getKey())).map(Map.Entry::getValue)
                .toList();
    }

    private static String row(String part, long nanos, long requests, double seconds) {
        return String.format(Locale.US, "%-28s %9.2f %12.2f %10.1f %%%n", part, nanos / 1e9, ms(nanos, requests),
                seconds > 0 ? nanos / 1e9 / seconds * 100 : 0);
    }

    private static double ms(Long nanos, long requests) {
        return nanos == null || requests == 0 ? 0 : nanos / 1e6 / requests;
    }
}
