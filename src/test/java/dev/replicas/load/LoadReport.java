package dev.replicas.load;

import static dev.replicas.load.LoadRun.percentile;
import static org.jfree.chart.plot.DefaultDrawingSupplier.DEFAULT_PAINT_SEQUENCE;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.replicas.hello.AnswerContract;
import dev.replicas.load.LoadRun.Answer;
import dev.replicas.load.LoadRun.Memory;
import dev.replicas.load.LoadRun.Step;
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
 * The run's outputs, a method each: the report ({@link #report}), the summary ({@link #summary}), and for a capacity run
 * its curve ({@link #keep}) and the chart of every curve kept ({@link #draw}). {@link #main} adds Gatling's run.
 */
public final class LoadReport {

    static final String REPORT = "load-report.txt";
    static final String SUMMARY = "load-summary.properties";
    static final String CHART = "load-capacity.png";
    private static final String BAD_CONTRACT = "HTTP 200 failing the full contract check";
    private static final double MIB = 1024.0 * 1024.0;
    private static final List<String> PARTS = List.of("generator", "fabio", "docker-proxy", "replicas"); // CPU table's first rows
    private static final ObjectMapper JSON = new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private LoadReport() {
    }

    /** Writes the outputs of {@code run} into {@code output}. */
    static void write(LoadRun run, Path output) throws IOException {
        Files.writeString(Files.createDirectories(output).resolve(SUMMARY), summary(run));
        String chart = run.settings().capacity() ? draw(keep(run, output), output) : "";
        Files.writeString(output.resolve(REPORT), report(run) + chart);
    }

    /** The report, {@value #REPORT}: the seed's figures, the windows, the slowest answers, CPU and memory. */
    static String report(LoadRun run) {
        LoadSettings s = run.settings();
        Step total = run.total();
        long ok = total.ok();
        long failed = total.answers().size() - ok;
        String title = s.replicas() + " Container Replica" + (s.replicas() == 1 ? "" : "s") + (s.capacity() ? ", capacity" : "");
        Histogram all = total.histogram(false);
        Histogram good = total.histogram(true);
        Map<String, Long> failures = total.answers().stream().filter(Answer::failed).collect(Collectors.groupingBy(
                a -> a.status() == 0 ? "no answer (timeout or connection error)" : a.status() != 200 ? "HTTP " + a.status()
                        : a.uuid() == null ? "HTTP 200 with a wrong body (length or frame)" : BAD_CONTRACT,
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
        out.append(windows(run)).append('\n').append(slowest(run));
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
        out.append(format("%-5s %6s %9s %8s %7s %7s %7s %7s %9s " + last + "  CPU ms per request: fabio, proxy,"
                        + " replicas%n", s.capacity() ? "step" : "from", "rate/s", "requests", "failed", "p50", "p99",
                "max", "answ/s", "gen ms/r", s.capacity() ? "held" : "rep MiB"));
        for (Step t : run.ran()) {
            Map<String, Long> cpu = t.cpu();
            Histogram all = t.histogram(false);
            double memory = replicas(t.memory()).stream().mapToLong(Memory::mean).average().orElse(-1);
            out.append(format("%-5s %6s %,9d %,8d %7d %7d %7d %7.1f %9s " + last + "  %s%n",
                    s.capacity() ? String.valueOf(t.window().index() + 1) : t.window().startSecond() + "s",
                    LoadSettings.rate(t.window().rate()), t.started(), t.started() - t.ok(), percentile(all, 50),
                    percentile(all, 99), percentile(all, 100), (double) t.ok() / t.window().seconds(),
                    cpu == null ? "-" : perRequest(cpu, t.started(), "generator"),
                    s.capacity() ? (t.failure(s).isEmpty() ? "yes" : "no") : memory < 0 ? "-" : format("%.1f", memory / MIB),
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
                        : PARTS.contains(part) ? PARTS.indexOf(part) : PARTS.size()).thenComparing(HostCounters.ORDER))
                .forEach(part -> {
                    if (HostCounters.isReplica(part)) {
                        parts.putIfAbsent("replicas", HostCounters.part(cpu, "replicas"));
                    }
                    parts.put(HostCounters.isReplica(part) ? "  " + part : part, cpu.get(part));
                });
        if (cpu.containsKey("host")) { // with stolen, from one line of /proc/stat; the indented replicas are in their sum
            parts.put("rest of the host (kernel...)", Math.max(0, cpu.get("host") - parts.entrySet().stream()
                    .filter(e -> !e.getKey().startsWith(" ")).mapToLong(Map.Entry::getValue).sum()));
            parts.put("host, all CPUs", cpu.get("host"));
            parts.put("stolen by the hypervisor", cpu.get("stolen"));
        }
        return parts.entrySet().stream().map(e -> format("%-28s %9.2f %12.2f %10.1f %%%n", e.getKey(), e.getValue() / 1e9,
                        msPerRequest(e.getValue(), requests), seconds > 0 ? e.getValue() / 1e9 / seconds * 100 : 0))
                .collect(Collectors.joining("", format("CPU by part over the run (cumulative counters before and after: cgroup"
                        + " cpuacct of the containers, /proc of the processes; %,d requests, %.1f s):%n%-28s %9s %12s %11s%n",
                        requests, seconds, "part", "CPU s", "ms/request", "% of a core"), format("The generator's JVM used %.1f"
                        + " CPU s since it started (start-up and warm-up included).%n", generatorNanos / 1e9)));
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
        List<Memory> replicas = replicas(memory);
        out.append(replicas.size() < 2 ? "" : format("%-14s %15.1f MiB (mean of each, summed)%n", "all replicas",
                replicas.stream().mapToLong(Memory::mean).sum() / MIB));
        return out + (generatorRss <= 0 ? "" : format("generator JVM: %.1f MiB resident at the end%n", generatorRss / MIB));
    }

    /** The headline figures, {@value #SUMMARY}, for benchmarks/*.sh: ms, CPU ms per request by part, replica MiB. */
    static String summary(LoadRun run) {
        Step total = run.total();
        long requests = total.answers().size();
        Histogram all = total.histogram(false);
        List<Memory> replicas = replicas(run.memory());
        return format("requests=%d%nok=%d%nfailed=%d%navg.ms=%.1f%np50.ms=%d%np99.ms=%d%nmax.ms=%d%n", requests, total.ok(),
                requests - total.ok(), all.getMean(), percentile(all, 50), percentile(all, 99), percentile(all, 100))
                + Stream.of("generator", "fabio", "docker-proxy", "replicas", "host", "consul", "stolen").map(part -> format(
                        "cpu.%s.ms=%.2f%n", part, msPerRequest(HostCounters.part(run.cpu(), part), Math.max(1, requests))))
                        .collect(Collectors.joining())
                + format("memory.replica.mean.mib=%.1f%nmemory.replica.max.mib=%.1f%n", replicas.stream().mapToLong(Memory::mean)
                        .average().orElse(0) / MIB, replicas.stream().mapToLong(Memory::max).max().orElse(0) / MIB);
    }

    /** A capacity run as the chart draws it: {rate, p50, p99} per step. */
    record Curve(int replicas, long p99LimitMs, int stepSeconds, double held, List<double[]> points) {}

    /** Keeps the curve of the steps that ran beside other runs' (one a replica count); @return their folder */
    static Path keep(LoadRun run, Path output) throws IOException {
        LoadSettings s = run.settings();
        Curve curve = new Curve(s.replicas(), s.p99LimitMs(), s.stepSeconds(), run.held(), run.ran().stream()
                .map(t -> new double[] {t.window().rate(), t.percentile(50, 0), // a p99 past the chart's top: at its top
                        Math.min(20_000, t.percentile(99, t.inFlight()))}).toList());
        Path dir = Files.createDirectories(output.resolve("load-capacity"));
        JSON.writeValue(dir.resolve("replicas-" + s.replicas() + ".json").toFile(), curve);
        return dir;
    }

    /** Draws the curves kept in {@code dir} into {@code output}; @return where, and what each held, or why not drawn */
    static String draw(Path dir, Path output) {
        Path png = output.resolve(CHART);
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
            BasicStroke dashed = new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[] {6, 5}, 0);
            for (Curve c : curves) {
                for (int p : new int[] {2, 1}) { // p99 solid and in the legend, then p50 dashed; both in one colour
                    int s = data.getSeriesCount();
                    XYSeries series = new XYSeries(p == 1 ? s : format("%d replica%s: held %s/s",
                            c.replicas(), c.replicas() == 1 ? "" : "s", LoadSettings.rate(c.held())));
                    c.points().forEach(point -> series.add(point[0], Math.max(1, point[p])));
                    data.addSeries(series);
                    lines.setSeriesPaint(s, DEFAULT_PAINT_SEQUENCE[s / 2 % DEFAULT_PAINT_SEQUENCE.length]);
                    lines.setSeriesStroke(s, p == 2 ? new BasicStroke(2.5f) : dashed);
                    lines.setSeriesShapesVisible(s, p == 2);
                    lines.setSeriesVisibleInLegend(s, p == 2);
                }
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
        return format("%nHighest rate held so far (%s): %s%nChart: %s%n", dir, curves.stream().map(c -> c.replicas()
                + " replica(s): " + LoadSettings.rate(c.held()) + "/s").collect(Collectors.joining(", ")), png.toAbsolutePath());
    }

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

    /** Gatling's report folder and its error, from the gatling-maven-plugin's lastRun.txt ("ExecutionError: ..."). */
    static String lastRun(Path results) throws IOException {
        Path file = results.resolve("lastRun.txt");
        List<String> lines = Files.isRegularFile(file) ? Files.readAllLines(file) : List.of();
        return lines.stream().map(String::trim).filter(l -> !l.isEmpty() && Files.isDirectory(results.resolve(l)))
                .map(l -> "Gatling's report: " + results.resolve(l).resolve("index.html").toAbsolutePath() + "\n")
                .collect(Collectors.joining()) + lines.stream().map(String::trim).filter(l -> l.startsWith("ExecutionError:"))
                .map(l -> "Gatling: " + l.substring("ExecutionError:".length()).trim() + "\n").collect(Collectors.joining());
    }

    private static List<Memory> replicas(Map<String, Memory> memory) {
        return memory.entrySet().stream().filter(e -> HostCounters.isReplica(e.getKey())).map(Map.Entry::getValue).toList();
    }

    private static double msPerRequest(long nanos, long requests) {
        return requests == 0 ? 0 : nanos / 1e6 / requests;
    }

    private static String format(String format, Object... args) {
        return String.format(Locale.US, format, args);
    }
}
