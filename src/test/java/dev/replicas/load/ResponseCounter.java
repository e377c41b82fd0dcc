package dev.replicas.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts, while the load runs, the successful answers per replica UUID (does Fabio spread the
 * load round-robin?), the failed ones per reason (HTTP status, or no answer at all), and the
 * response times (Gatling's, in ms) of the successful ones. Written as lines
 * {@code ok <uuid> <count>}, {@code fail <reason> <count>} and {@code time <ms> <count>}.
 */
public final class ResponseCounter {

    private final Map<String, LongAdder> ok = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> failed = new ConcurrentHashMap<>();
    private final Map<Integer, LongAdder> okTimes = new ConcurrentHashMap<>();

    public void ok(String uuid, int responseTimeMs) {
        ok.computeIfAbsent(uuid, k -> new LongAdder()).increment();
        okTimes.computeIfAbsent(responseTimeMs, k -> new LongAdder()).increment();
    }

    public void failed(String reason) {
        failed.computeIfAbsent(reason, k -> new LongAdder()).increment();
    }

    public void write(Path file) throws IOException {
        List<String> lines = new ArrayList<>();
        new TreeMap<>(ok).forEach((uuid, n) -> lines.add("ok " + uuid + " " + n.sum()));
        new TreeMap<>(failed).forEach((reason, n) -> lines.add("fail " + reason.replace(' ', '_') + " " + n.sum()));
        new TreeMap<>(okTimes).forEach((ms, n) -> lines.add("time " + ms + " " + n.sum()));
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.write(file, lines, StandardCharsets.UTF_8);
    }
}
