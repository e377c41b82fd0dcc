package dev.replicas.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LoadReportTest {

    @TempDir
    Path dir;

    private static LoadResult.Window window(int index, double rate, long ok, long failed, Map<Long, Long> latency,
                                            Boolean held) {
        Map<Long, Long> latencyOk = new TreeMap<>(latency);
        return new LoadResult.Window(index, rate, index * 10, 10, ok + failed, ok + failed, ok, failed, ok / 50,
                failed == 0 ? Map.of() : Map.of("HTTP 502", failed), Map.of("uuid-a", ok / 2, "uuid-b", ok - ok / 2),
                latency, latencyOk, Map.of("generator", 2_000_000L * (ok + failed), "fabio", 1_000_000L * (ok + failed),
                "replica-1", 3_000_000L * (ok + failed)), Map.of("replica-1", 100L << 20), held, null);
    }

    private static LoadResult result(String mode, int replicas, List<LoadResult.Window> windows) {
        Map<String, Long> cpu = new LinkedHashMap<>();
        cpu.put("consul", 100_000_000L);
        cpu.put("fabio", 2_000_000_000L);
        cpu.put("replica-1", 3_000_000_000L);
        cpu.put("replica-2", 3_000_000_000L);
        cpu.put("docker-proxy", 1_000_000_000L);
        cpu.put("generator", 2_000_000_000L);
        cpu.put("host", 12_000_000_000L);
        return new LoadResult(mode, replicas, "http://localhost:9000/hello/api/v1", 200_000, 50, 500, 0.1, 20.0,
                windows, cpu, Map.of("replica-1", new LoadResult.Memory(10, 100 << 20, 110 << 20, 120 << 20, 115 << 20),
                "replica-2", new LoadResult.Memory(10, 100 << 20, 110 << 20, 120 << 20, 115 << 20)),
                5_000_000_000L, 250L << 20, null, List.of());
    }

    @Test
    void printsTheSeedsTableAndTheCostOfEveryPart() {
        LoadResult r = result("constant", 2, List.of(
                window(0, 100, 1000, 0, Map.of(5L, 900L, 50L, 100L), null),
                window(1, 100, 999, 1, Map.of(6L, 990L, 300L, 10L), null)));
        String text = LoadReport.render(r);
        assertTrue(text.startsWith("2 Container Replicas\n--------------------\nTotal Requests: 2,000\n"
                + "Request Success: 1,999\nRequest Fail: 1\n"), text);
        assertTrue(text.contains("Failures by cause: HTTP 502 x 1"), text);
        assertTrue(text.contains("exact length (200,092 bytes)"), text);
        assertTrue(text.contains("Successful answers by replica: 2 replica(s): [1,000, 999]"), text);
        // 2,000 requests: the generator's 2 s of CPU are 1 ms per request, 10 % of a core over 20 s.
        assertTrue(text.matches("(?s).*generator\\s+2\\.00\\s+1\\.00\\s+10\\.0 %.*"), text);
        assertTrue(text.matches("(?s).*replicas\\s+6\\.00\\s+3\\.00\\s+30\\.0 %.*"), text);
        assertTrue(text.matches("(?s).*rest of the host \\(kernel\\.\\.\\.\\)\\s+0\\.90\\s+.*"), text);
        assertTrue(text.matches("(?s).*host, all CPUs\\s+12\\.00\\s+6\\.00\\s+60\\.0 %.*"), text);
        assertTrue(text.contains("all replicas"), text);
        assertTrue(text.matches("(?s).*0s\\s+100\\s+1,000\\s+0\\s+5\\s+50\\s+50\\s+100\\.0\\s+2\\.00\\s+100\\.0 .*"), text);
    }

    @Test
    void aCapacityRunNamesTheHighestRateHeldAndDrawsTheChart() throws IOException {
        LoadResult one = result("capacity", 1, List.of(
                window(0, 50, 1000, 0, Map.of(5L, 1000L), true),
                window(1, 100, 2000, 0, Map.of(8L, 1990L, 400L, 10L), true),
                window(2, 150, 2900, 100, Map.of(900L, 3000L), false),
                window(3, 200, 0, 0, Map.of(), false)));
        assertEquals(100, LoadReport.highestRateHeld(one.windows()));
        String text = LoadReport.render(one);
        assertTrue(text.contains("highest rate held 100 requests/s"), text);
        assertTrue(text.contains("yes"), text);

        Path capacity = dir.resolve("load-capacity");
        Files.createDirectories(capacity);
        one.write(capacity.resolve("replicas-1.json"));
        result("capacity", 4, List.of(window(0, 50, 1000, 0, Map.of(5L, 1000L), true)))
                .write(capacity.resolve("replicas-4.json"));
        Path png = dir.resolve("chart.png");
        String said = LoadReport.chart(capacity, png);
        assertTrue(said.contains("1 replica(s): 100/s, 4 replica(s): 50/s"), said);
        assertEquals(900, ImageIO.read(png.toFile()).getWidth());
    }

    @Test
    void theResultFileReadsBackAsWritten() throws IOException {
        LoadResult r = result("constant", 2, List.of(window(0, 100, 10, 0, Map.of(5L, 10L), null)));
        Path file = dir.resolve("r.json");
        r.write(file);
        assertEquals(r, LoadResult.read(file));
    }
}
