package dev.replicas.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The run's outputs, each written by a class of its own: {@link TextReport}, {@link LoadSummary}, and for a capacity
 * run {@link CapacityCurve} and {@link CapacityChart}. {@link #main} adds Gatling's run once the cluster has stopped.
 */
public final class LoadReport {

    private LoadReport() {
    }

    /** Writes the outputs of {@code run} into {@code output}. */
    static void write(LoadRun run, Path output) throws IOException {
        Files.writeString(Files.createDirectories(output).resolve(LoadSummary.FILE), LoadSummary.render(run));
        String chart = run.settings().capacity() ? CapacityChart.draw(CapacityCurve.of(run).write(output), output) : "";
        Files.writeString(output.resolve(TextReport.FILE), TextReport.render(run) + chart);
    }

    /** Prints the report with where Gatling's is: {@code LoadReport results=target/gatling output=target}. */
    public static void main(String[] args) throws IOException {
        Map<String, String> a = new TreeMap<>(Map.of("results", "target/gatling", "output", "target"));
        Stream.of(args).map(arg -> arg.split("=", 2)).filter(kv -> kv.length == 2).forEach(kv -> a.put(kv[0], kv[1]));
        Path report = Path.of(a.get("output")).resolve(TextReport.FILE);
        String text = (Files.isRegularFile(report) // without the Gatling lines of an earlier call
                ? Files.readAllLines(report).stream().filter(l -> !l.startsWith("Gatling")).map(l -> l + "\n")
                        .collect(Collectors.joining())
                : "No load report: " + report.toAbsolutePath() + " is missing (the simulation did not run to its end)\n")
                + lastRun(Path.of(a.get("results")));
        Files.writeString(Files.createDirectories(report.getParent()).resolve(TextReport.FILE), text);
        System.out.printf("%n%s%n[load] written to %s%n", text, report.toAbsolutePath());
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
}
