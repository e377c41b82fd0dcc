package dev.replicas.load;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The GC pauses during a run, from the GC logs the replicas write ({@code -Xlog:gc} with time decorations,
 * src/main/docker/Dockerfile) and the generator's (the load profile's jvmArgs): the first thing to look at beside a
 * slow window, since a replica that collects its heap answers nothing meanwhile, and a generator that collects its
 * own counts the wait as the cluster's (docs/load-test.md, "Cold tails").
 */
final class GcPauses {

    /** Pauses this long or longer are listed one by one. */
    static final double LISTED_MS = 20;
    private static final Pattern PAUSE = Pattern.compile(
            "^\\[([^\\]]+)\\]\\[[0-9.]+s\\] GC\\(\\d+\\) (Pause (Young|Full) .*) ([0-9.]+)ms$");
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSZ");

    /** One pause; the log line is written at its end. */
    record Pause(String replica, Instant end, double ms, boolean full, String what) {}

    private GcPauses() {
    }

    /** @return the pauses in one replica's GC log that overlap {@code from}..{@code to} */
    static List<Pause> parse(String replica, String log, Instant from, Instant to) {
        return log.lines().map(line -> PAUSE.matcher(line.trim())).filter(Matcher::matches)
                .map(m -> new Pause(replica, OffsetDateTime.parse(m.group(1), TIME).toInstant(),
                        Double.parseDouble(m.group(4)), m.group(3).equals("Full"), m.group(2)))
                .filter(p -> !p.end().isBefore(from) && !p.end().minusNanos((long) (p.ms() * 1e6)).isAfter(to)).toList();
    }

    /** The report's section: counts, the longest, and every pause of {@value #LISTED_MS} ms or more with its second. */
    static String render(Map<String, String> logs, Instant start, Instant end) {
        if (logs.isEmpty()) {
            return "GC pauses: no GC log could be read.\n";
        }
        List<Pause> all = logs.entrySet().stream().flatMap(e -> parse(e.getKey(), e.getValue(), start, end).stream())
                .sorted(Comparator.comparing(Pause::end)).toList();
        List<String> without = logs.keySet().stream().filter(replica -> !logs.get(replica).contains(" Pause ")).toList();
        StringBuilder out = new StringBuilder(String.format(Locale.US, "GC pauses during the run (the replicas' and"
                        + " the generator's GC logs): %d young, %d full, %.0f ms paused in all, the longest %.0f ms%n",
                all.stream().filter(p -> !p.full()).count(), all.stream().filter(Pause::full).count(),
                all.stream().mapToDouble(Pause::ms).sum(), all.stream().mapToDouble(Pause::ms).max().orElse(0)));
        all.stream().filter(p -> p.ms() >= LISTED_MS).forEach(p -> out.append(String.format(Locale.US,
                "  %.1f s  %-11s %s, %.0f ms%n", Math.max(0, Duration.between(start, p.end()).toMillis() / 1000.0
                        - p.ms() / 1000), p.replica(), p.what(), p.ms())));
        return out + (without.isEmpty() ? "" : "  no GC log lines from " + String.join(", ", without)
                + " (an image without -Xlog:gc with time decorations?)\n");
    }

    /** @return the longest pause of the run in ms, 0 if none */
    static double longest(Map<String, String> logs, Instant start, Instant end) {
        return logs.entrySet().stream().flatMap(e -> parse(e.getKey(), e.getValue(), start, end).stream())
                .mapToDouble(Pause::ms).max().orElse(0);
    }
}
