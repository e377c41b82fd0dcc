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

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Prints the load test's result in the seed's shape (Total Requests, Request Success, Request
 * Fail, Avg, Min, Max) plus p50/p95/p99, the path of Gatling's HTML report, the memory and CPU
 * of each container sampled during the run, and the answers per replica; writes the same text to
 * {@code load-report.txt}.
 *
 * <p>Run by exec-maven-plugin in the {@code load} profile, after Gatling and after docker:stop.
 * It reads Gatling's {@code js/stats.json} from the run named in {@code lastRun.txt} (which the
 * gatling-maven-plugin writes, and its verify goal reads and deletes later), else from the
 * newest run folder. It never fails the build itself: gatling:verify does, in the verify phase.
 *
 * <pre>
 * LoadReport results=target/gatling output=target replicas=4 [prefix=hello-]
 * </pre>
 */
public final class LoadReport {

    static final String STATS_FILE = "load-replica-stats.csv";
    static final String UUIDS_FILE = "load-responses.txt";
    static final String REPORT_FILE = "load-report.txt";

    private static final ObjectMapper JSON = new ObjectMapper();

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
        Optional<Path> run = last.run();
        Path statsJson = run.map(r -> r.resolve("js").resolve("stats.json")).orElse(null);
        if (statsJson == null || !Files.isRegularFile(statsJson)) {
            out.append("No Gatling results found under ").append(results.toAbsolutePath()).append('\n');
        } else {
            out.append(table(JSON.readTree(statsJson.toFile()).path("stats")));
            out.append("Gatling report: ").append(run.get().resolve("index.html").toAbsolutePath()).append('\n');
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

    /** The seed's lines, from the "stats" object of Gatling's js/stats.json (all requests). */
    static String table(JsonNode stats) {
        StringBuilder out = new StringBuilder();
        long total = number(stats, "numberOfRequests", "total");
        long ok = number(stats, "numberOfRequests", "ok");
        long ko = number(stats, "numberOfRequests", "ko");
        out.append(line("Total Requests", total, ""));
        out.append(line("Request Success", ok, ""));
        out.append(line("Request Fail", ko, ""));
        out.append(line("Avg", number(stats, "meanResponseTime", "total"), " (ms)"));
        out.append(line("Min", number(stats, "minResponseTime", "total"), " (ms)"));
        out.append(line("Max", number(stats, "maxResponseTime", "total"), " (ms)"));
        // Gatling's default percentiles: 1 = 50, 2 = 75, 3 = 95, 4 = 99.
        out.append(line("p50", number(stats, "percentiles1", "total"), " (ms)"));
        out.append(line("p95", number(stats, "percentiles3", "total"), " (ms)"));
        out.append(line("p99", number(stats, "percentiles4", "total"), " (ms)"));
        if (ko > 0 && ok > 0) {
            out.append(String.format(Locale.US, "Successful requests only: Avg %,d, Min %,d, Max %,d, p99 %,d (ms)%n",
                    number(stats, "meanResponseTime", "ok"), number(stats, "minResponseTime", "ok"),
                    number(stats, "maxResponseTime", "ok"), number(stats, "percentiles4", "ok")));
        }
        return out.toString();
    }

    private static String line(String label, long value, String unit) {
        return String.format(Locale.US, "%s: %s%s%n", label, value < 0 ? "-" : String.format(Locale.US, "%,d", value), unit);
    }

    /** A count or a time in ms; -1 when Gatling wrote "-" (nothing of that kind). */
    static long number(JsonNode stats, String field, String kind) {
        JsonNode n = stats.path(field).path(kind);
        if (n.isNumber()) {
            return Math.round(n.asDouble());
        }
        try {
            return Math.round(Double.parseDouble(n.asText()));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    static String responses(List<String> lines) {
        Map<String, Long> ok = new LinkedHashMap<>();
        Map<String, Long> failed = new LinkedHashMap<>();
        for (String line : lines) {
            String[] f = line.trim().split(" ");
            if (f.length == 3) {
                (f[0].equals("ok") ? ok : failed).put(f[1].replace('_', ' '), Long.parseLong(f[2]));
            }
        }
        StringBuilder out = new StringBuilder();
        List<Long> counts = ok.values().stream().sorted(Comparator.reverseOrder()).toList();
        out.append(String.format(Locale.US, "%nSuccessful answers by replica UUID: %d replica(s) answered: %s%n",
                ok.size(), counts.stream().map(c -> String.format(Locale.US, "%,d", c)).toList()));
        if (!failed.isEmpty()) {
            out.append("Failures by cause: ");
            List<String> parts = new ArrayList<>();
            failed.forEach((reason, n) -> parts.add(String.format(Locale.US, "%s x %,d", reason, n)));
            out.append(String.join(", ", parts)).append('\n');
        }
        return out.toString();
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
        out.append(String.format(Locale.US, "%nContainers during the load (docker stats, %d samples; CPU %% of one core,"
                + " 200 %% = both cores)%n", rounds));
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

    /** hello-replica-2 before hello-replica-10; other names alphabetically after the replicas. */
    private static int byReplicaNumber(String a, String b) {
        int na = replicaNumber(a);
        int nb = replicaNumber(b);
        if (na != nb) {
            return Integer.compare(na, nb);
        }
        return a.compareTo(b);
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
     * and "ExecutionError: ..." when Gatling failed), else the newest folder with a stats.json.
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
            return new LastRun(runs.filter(p -> Files.isRegularFile(p.resolve("js").resolve("stats.json")))
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
