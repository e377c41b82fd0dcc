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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Prints the load test's result in the seed's shape (Total Requests, Request Success, Request
 * Fail, Avg, Min, Max) plus p50/p95/p99, the path of Gatling's HTML report, the memory and CPU
 * of each container sampled during the run, and the answers per replica; writes the same text to
 * {@code load-report.txt}.
 *
 * <p>Run by exec-maven-plugin in the {@code load} profile, after Gatling and after docker:stop.
 * The numbers are Gatling's own: the "All Requests" row of the statistics table in the report's
 * {@code index.html} (Gatling 3.15 writes no stats.json; its simulation.log is binary). The run is
 * the one named in {@code lastRun.txt}, which the gatling-maven-plugin writes (and its verify goal
 * reads and deletes later), else the newest run folder. This class never fails the build:
 * gatling:verify does, in the verify phase.
 *
 * <pre>
 * LoadReport results=target/gatling output=target replicas=4 [prefix=hello-]
 * </pre>
 */
public final class LoadReport {

    static final String STATS_FILE = "load-replica-stats.csv";
    static final String UUIDS_FILE = "load-responses.txt";
    static final String REPORT_FILE = "load-report.txt";

    /** Columns of Gatling's statistics table that the report prints. */
    static final List<String> COLUMNS = List.of("Total", "OK", "KO", "Min", "50th pct", "95th pct", "99th pct", "Max", "Mean");

    private static final Pattern HEADER = Pattern.compile(
            "<th id=\"col-(\\d+)\"[^>]*>\\s*<span>\\s*(?:<abbr[^>]*>)?\\s*([^<]+?)\\s*<");
    private static final Pattern CELL = Pattern.compile(
            "<td class=\"value [a-z]+ col-(\\d+)\">\\s*([^<]*?)\\s*</td>");

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
        int replicas = Integer.parseInt(a.getOrDefault("replicas", "0"));
        String prefix = a.getOrDefault("prefix", "hello-");
        String text = render(results, output, replicas, prefix);
        System.out.println();
        System.out.print(text);
        System.out.println();
        Files.createDirectories(output);
        Files.writeString(output.resolve(REPORT_FILE), text, StandardCharsets.UTF_8);
        System.out.println("[load] written to " + output.resolve(REPORT_FILE).toAbsolutePath());
    }

    static String render(Path results, Path output, int replicas, String prefix) throws IOException {
        StringBuilder out = new StringBuilder();
        String title = replicas == 1 ? "1 Container Replica" : replicas + " Container Replicas";
        out.append(title).append('\n').append("-".repeat(title.length())).append('\n');

        LastRun last = lastRun(results);
        Path index = last.run().map(r -> r.resolve("index.html")).orElse(null);
        if (index == null || !Files.isRegularFile(index)) {
            out.append("No Gatling report found under ").append(results.toAbsolutePath()).append('\n');
        } else {
            Map<String, Long> stats = statistics(Files.readString(index, StandardCharsets.UTF_8));
            if (stats.keySet().containsAll(COLUMNS)) {
                out.append(table(stats));
            } else {
                out.append("Could not read Gatling's statistics table (found ").append(stats.keySet())
                        .append(") in ").append(index).append('\n');
            }
            out.append("Gatling report: ").append(index.toAbsolutePath()).append('\n');
        }
        last.error().ifPresent(e -> out.append("Gatling: ").append(e).append('\n'));

        Path responses = output.resolve(UUIDS_FILE);
        if (Files.isRegularFile(responses)) {
            out.append(responses(Files.readAllLines(responses, StandardCharsets.UTF_8)));
        }
        Path stats = output.resolve(STATS_FILE);
        if (Files.isRegularFile(stats)) {
            out.append(containers(Files.readAllLines(stats, StandardCharsets.UTF_8), prefix));
        } else {
            out.append("\nNo container statistics (").append(stats).append(" missing)\n");
        }
        return out.toString();
    }

    /**
     * The "All Requests" row (id ROOT) of the statistics table in Gatling's index.html, by column
     * header: Total, OK, KO, % KO, Cnt/s, Min, 50th pct, 75th pct, 95th pct, 99th pct, Max, Mean,
     * Std Dev. Times in ms over all requests, OK and KO alike; "-" cells are left out.
     */
    static Map<String, Long> statistics(String html) {
        Map<String, String> names = new HashMap<>();
        Matcher h = HEADER.matcher(html);
        while (h.find()) {
            names.putIfAbsent(h.group(1), h.group(2));
        }
        Map<String, Long> values = new LinkedHashMap<>();
        int row = html.indexOf("<tr id=\"ROOT\"");
        if (row < 0) {
            return values;
        }
        int end = html.indexOf("</tr>", row);
        Matcher c = CELL.matcher(html.substring(row, end < 0 ? html.length() : end));
        while (c.find()) {
            String name = names.get(c.group(1));
            String value = c.group(2).replace(",", "");
            if (name != null && value.matches("-?[0-9]+(\\.[0-9]+)?")) {
                values.put(name, Math.round(Double.parseDouble(value)));
            }
        }
        return values;
    }

    /** The seed's lines and p50/p95/p99, from Gatling's statistics (all requests). */
    static String table(Map<String, Long> stats) {
        return line("Total Requests", stats.get("Total"), "")
                + line("Request Success", stats.get("OK"), "")
                + line("Request Fail", stats.get("KO"), "")
                + line("Avg", stats.get("Mean"), " (ms)")
                + line("Min", stats.get("Min"), " (ms)")
                + line("Max", stats.get("Max"), " (ms)")
                + line("p50", stats.get("50th pct"), " (ms)")
                + line("p95", stats.get("95th pct"), " (ms)")
                + line("p99", stats.get("99th pct"), " (ms)");
    }

    private static String line(String label, long value, String unit) {
        return String.format(Locale.US, "%s: %,d%s%n", label, value, unit);
    }

    static String responses(List<String> lines) {
        Map<String, Long> ok = new LinkedHashMap<>();
        Map<String, Long> failed = new LinkedHashMap<>();
        TreeMap<Long, Long> times = new TreeMap<>();
        for (String line : lines) {
            String[] f = line.trim().split(" ");
            if (f.length != 3) {
                continue;
            }
            switch (f[0]) {
                case "ok" -> ok.put(f[1], Long.parseLong(f[2]));
                case "fail" -> failed.put(f[1].replace('_', ' '), Long.parseLong(f[2]));
                case "time" -> times.merge(Long.parseLong(f[1]), Long.parseLong(f[2]), Long::sum);
                default -> { }
            }
        }
        StringBuilder out = new StringBuilder();
        long n = times.values().stream().mapToLong(Long::longValue).sum();
        if (n > 0 && !failed.isEmpty()) {
            // Like Ddosify's (the seed's) durations, which leave failed requests out.
            double mean = times.entrySet().stream().mapToDouble(e -> (double) e.getKey() * e.getValue()).sum() / n;
            out.append(String.format(Locale.US, "Successful requests only: Avg %,d, Min %,d, Max %,d, p50 %,d, p95 %,d,"
                            + " p99 %,d (ms)%n", Math.round(mean), times.firstKey(), times.lastKey(),
                    percentile(times, n, 50), percentile(times, n, 95), percentile(times, n, 99)));
        }
        List<Long> counts = ok.values().stream().sorted(Comparator.reverseOrder()).toList();
        out.append(String.format(Locale.US, "%nSuccessful answers by replica UUID: %d replica(s) answered: %s%n",
                ok.size(), counts.stream().map(c -> String.format(Locale.US, "%,d", c)).toList()));
        if (!failed.isEmpty()) {
            out.append("Failures by cause: ");
            List<String> parts = new ArrayList<>();
            failed.forEach((reason, count) -> parts.add(String.format(Locale.US, "%s x %,d", reason, count)));
            out.append(String.join(", ", parts)).append('\n');
        }
        return out.toString();
    }

    /** Nearest-rank percentile of a histogram (value to count) holding n values. */
    static long percentile(TreeMap<Long, Long> histogram, long n, double pct) {
        long rank = Math.max(1, (long) Math.ceil(pct / 100 * n));
        long seen = 0;
        for (Map.Entry<Long, Long> e : histogram.entrySet()) {
            seen += e.getValue();
            if (seen >= rank) {
                return e.getKey();
            }
        }
        return histogram.lastKey();
    }

    /** Per container: samples, mean and max memory (MiB), mean and max CPU (% of one core). */
    static String containers(List<String> csv, String prefix) {
        Map<String, List<double[]>> byContainer = new TreeMap<>(LoadReport::byReplicaNumber);
        List<String> problems = new ArrayList<>();
        for (String line : csv) {
            if (line.startsWith("#")) {
                problems.add(line.substring(1).trim());
                continue;
            }
            String[] f = line.split(",");
            if (f.length != 4 || f[0].equals("elapsed_ms")) {
                continue;
            }
            byContainer.computeIfAbsent(f[1], k -> new ArrayList<>())
                    .add(new double[] {Double.parseDouble(f[2]), Double.parseDouble(f[3])});
        }
        StringBuilder out = new StringBuilder();
        long rounds = byContainer.values().stream().mapToLong(List::size).max().orElse(0);
        out.append(String.format(Locale.US, "%nMemory and CPU during the load (%d samples: docker stats for the containers,"
                + " /proc for the load generator and the host; CPU %% of one core, 200 %% = both cores)%n", rounds));
        out.append(String.format(Locale.US, "%-18s %8s %12s %11s %10s %9s%n",
                "container", "samples", "mem mean", "mem max", "CPU mean", "CPU max"));
        double[] replicaTotals = new double[2];
        for (Map.Entry<String, List<double[]>> e : byContainer.entrySet()) {
            List<double[]> s = e.getValue();
            double cpuMean = s.stream().mapToDouble(x -> x[0]).average().orElse(0);
            double cpuMax = s.stream().mapToDouble(x -> x[0]).max().orElse(0);
            double memMean = s.stream().mapToDouble(x -> x[1]).average().orElse(0) / (1024 * 1024);
            double memMax = s.stream().mapToDouble(x -> x[1]).max().orElse(0) / (1024 * 1024);
            out.append(String.format(Locale.US, "%-18s %8d %8.1f MiB %7.1f MiB %8.1f %% %7.1f %%%n",
                    e.getKey(), s.size(), memMean, memMax, cpuMean, cpuMax));
            if (e.getKey().startsWith(prefix + "replica-")) {
                replicaTotals[0] += memMean;
                replicaTotals[1] += cpuMean;
            }
        }
        out.append(String.format(Locale.US, "%-18s %8s %8.1f MiB %11s %8.1f %%%n",
                "all replicas", "", replicaTotals[0], "", replicaTotals[1]));
        for (String p : problems) {
            out.append("note: ").append(p).append('\n');
        }
        return out.toString();
    }

    /**
     * hello-replica-2 before hello-replica-10; then the other containers alphabetically; then the
     * load generator; then the whole host.
     */
    private static int byReplicaNumber(String a, String b) {
        int ra = rank(a);
        int rb = rank(b);
        if (ra != rb) {
            return Integer.compare(ra, rb);
        }
        int na = replicaNumber(a);
        int nb = replicaNumber(b);
        if (na != nb) {
            return Integer.compare(na, nb);
        }
        return a.compareTo(b);
    }

    private static int rank(String name) {
        return switch (name) {
            case "load-generator" -> 1;
            case "host" -> 2;
            default -> 0;
        };
    }

    private static int replicaNumber(String name) {
        int i = name.lastIndexOf("replica-");
        if (i >= 0) {
            try {
                return Integer.parseInt(name.substring(i + "replica-".length()));
            } catch (NumberFormatException e) {
                return Integer.MAX_VALUE;
            }
        }
        return Integer.MAX_VALUE;
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
