package dev.replicas.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

/** A capacity run as the chart draws it, kept in {@code load-capacity/replicas-N.json}: {rate, p50, p99} per step. */
record CapacityCurve(int replicas, long p99LimitMs, int stepSeconds, double held, List<double[]> points) {

    private static final ObjectMapper JSON = new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** @return the curve of the steps that ran; a p99 past the chart's top (unanswered requests) drawn at its top */
    static CapacityCurve of(LoadRun run) {
        LoadSettings s = run.settings();
        return new CapacityCurve(s.replicas(), s.p99LimitMs(), s.stepSeconds(), run.held(), run.ran().stream()
                .map(t -> new double[] {t.window().rate(), t.percentile(50, 0),
                        Math.min(20_000, t.percentile(99, t.inFlight()))}).toList());
    }

    /** Writes it beside the curves of other runs (one a replica count). @return their folder */
    Path write(Path output) throws IOException {
        Path dir = Files.createDirectories(output.resolve("load-capacity"));
        JSON.writeValue(dir.resolve("replicas-" + replicas + ".json").toFile(), this);
        return dir;
    }

    /** @return the curves kept in {@code dir}, by replica count */
    static List<CapacityCurve> read(Path dir) throws IOException {
        List<CapacityCurve> curves = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().matches("replicas-\\d+\\.json")).toList()) {
                curves.add(JSON.readValue(f.toFile(), CapacityCurve.class));
            }
        }
        curves.removeIf(c -> c.points() == null); // kept by an older harness
        curves.sort(Comparator.comparingInt(CapacityCurve::replicas));
        return curves;
    }
}
