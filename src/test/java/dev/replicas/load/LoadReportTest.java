package dev.replicas.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LoadReportTest {

    /** The part of Gatling's js/stats.json the report reads ("-" where there is nothing). */
    private static final String STATS = """
            {"type":"GROUP","name":"All Requests","stats":{"name":"All Requests",
             "numberOfRequests":{"total":6000,"ok":5796,"ko":204},
             "minResponseTime":{"total":5,"ok":5,"ko":10000},
             "maxResponseTime":{"total":9873,"ok":9500,"ko":10012},
             "meanResponseTime":{"total":290,"ok":120,"ko":"10005"},
             "percentiles1":{"total":12,"ok":11,"ko":10004},
             "percentiles2":{"total":20,"ok":19,"ko":10005},
             "percentiles3":{"total":800,"ok":700,"ko":10010},
             "percentiles4":{"total":10004,"ok":9000,"ko":10012}}}
            """;

    @Test
    void printsTheSeedsLinesAndPercentiles() throws IOException {
        String table = LoadReport.table(new ObjectMapper().readTree(STATS).path("stats"));
        assertEquals(String.join(System.lineSeparator(),
                "Total Requests: 6,000",
                "Request Success: 5,796",
                "Request Fail: 204",
                "Avg: 290 (ms)",
                "Min: 5 (ms)",
                "Max: 9,873 (ms)",
                "p50: 12 (ms)",
                "p95: 800 (ms)",
                "p99: 10,004 (ms)",
                "Successful requests only: Avg 120, Min 5, Max 9,500, p99 9,000 (ms)",
                ""), table);
    }

    @Test
    void summarisesContainerSamplesPerContainerInReplicaOrder() {
        String text = LoadReport.containers(List.of(
                "elapsed_ms,container,cpu_percent,mem_bytes",
                "0,hello-replica-10,10.00,104857600",
                "0,hello-replica-2,50.00,104857600",
                "2000,hello-replica-2,150.00,209715200",
                "0,hello-fabio,5.00,20971520",
                "# docker stats failed: once"), "hello-");
        String[] lines = text.strip().split("\\R");
        assertTrue(lines[2].startsWith("hello-replica-2 "), text);
        assertTrue(lines[2].matches(".*\\s2\\s+150\\.0 MiB\\s+200\\.0 MiB\\s+100\\.0 %\\s+150\\.0 %"), lines[2]);
        assertTrue(lines[3].startsWith("hello-replica-10 "), text);
        assertTrue(lines[4].startsWith("hello-fabio "), text);
        assertTrue(lines[5].matches("all replicas\\s+250\\.0 MiB\\s+110\\.0 %"), lines[5]);
        assertTrue(text.contains("note: docker stats failed: once"), text);
    }

    @Test
    void findsTheRunNamedInLastRunAndItsError(@TempDir Path results) throws IOException {
        Path older = Files.createDirectories(results.resolve("hellologsimulation-1/js"));
        Files.writeString(older.resolve("stats.json"), STATS);
        Files.createDirectories(results.resolve("hellologsimulation-2/js"));
        Files.writeString(results.resolve("lastRun.txt"), "hellologsimulation-1\nExecutionError: assertions failed\n");
        LoadReport.LastRun last = LoadReport.lastRun(results);
        assertEquals(results.resolve("hellologsimulation-1"), last.run().orElseThrow());
        assertEquals("assertions failed", last.error().orElseThrow());
    }

    @Test
    void countsAnswersPerReplicaAndFailuresPerCause() {
        String text = LoadReport.responses(List.of("ok a 10", "ok b 12", "fail HTTP_502 3", "fail no_answer 1"));
        assertTrue(text.contains("2 replica(s) answered: [12, 10]"), text);
        assertTrue(text.contains("Failures by cause: HTTP 502 x 3, no answer x 1"), text);
    }
}
