package dev.replicas.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LoadReportTest {

    /** The statistics table of a Gatling 3.15.1 index.html, abridged (other rows, the rest of the page). */
    private static final String INDEX_HTML = """
            <table id="container_statistics_head" class="statistics-in extensible-geant">
                <thead>
                    <tr>
                        <th rowspan="2" id="col-1" class="header sortable sorted-up"><span>Requests</span></th>
                        <th colspan="5" class="header"><span class="executions">Executions</span></th>
                        <th colspan="8" class="header"><span class="response-time">Response Time (ms)</span></th>
                    </tr>
                    <tr>
                        <th id="col-2" class="header sortable"><span>Total</span></th>
                        <th id="col-3" class="header sortable"><span>OK</span></th>
                        <th id="col-4" class="header sortable"><span>KO</span></th>
                        <th id="col-5" class="header sortable"><span>% KO</span></th>
                        <th id="col-6" class="header sortable"><span><abbr title="Count of events per second">Cnt/s</abbr></span></th>
                        <th id="col-7" class="header sortable"><span>Min</span></th>
            <th id="col-8" class="header sortable"><span>50th pct</span></th>
            <th id="col-9" class="header sortable"><span>75th pct</span></th>
            <th id="col-10" class="header sortable"><span>95th pct</span></th>
            <th id="col-11" class="header sortable"><span>99th pct</span></th>
            <th id="col-12" class="header sortable"><span>Max</span></th>
            <th id="col-13" class="header sortable"><span>Mean</span></th>
            <th id="col-14" class="header sortable"><span><abbr title="Standard Deviation">Std Dev</abbr></span></th>
                    </tr>
                </thead>
                <tbody><tr id="ROOT" >
              <td class="total col-1">
                <div class="expandable-container">
                    <a href="index.html" class="withTooltip">
                        <span id="stats-table-ROOT" class="ellipsed-name">All Requests</span>
                    </a>
                  <span class="value" style="display:none;">0</span>
                </div>
              </td>
              <td class="value total col-2">6000</td>
              <td class="value ok col-3">5796</td>
              <td class="value ko col-4">204</td>
              <td class="value ko col-5">3.4</td>
              <td class="value total col-6">100</td>
              <td class="value total col-7">5</td>
              <td class="value total col-8">12</td>
              <td class="value total col-9">20</td>
              <td class="value total col-10">800</td>
              <td class="value total col-11">10004</td>
              <td class="value total col-12">9873</td>
              <td class="value total col-13">290</td>
              <td class="value total col-14">98</td>
            </tr></tbody>
            </table>
            <table id="container_statistics_body"><tbody><tr id="req_get--hello-api---1808002894" data-parent="ROOT">
              <td class="value total col-2">1</td>
            </tr></tbody></table>
            """;

    @Test
    void readsTheAllRequestsRowOfGatlingsStatisticsTable() {
        Map<String, Long> stats = LoadReport.statistics(INDEX_HTML);
        assertTrue(stats.keySet().containsAll(LoadReport.COLUMNS), stats.toString());
        assertEquals(6000, stats.get("Total"));
        assertEquals(3, stats.get("% KO"));
        assertEquals(98, stats.get("Std Dev"));
        assertEquals(100, stats.get("Cnt/s"));
    }

    @Test
    void printsTheSeedsLinesAndPercentiles() {
        String table = LoadReport.table(LoadReport.statistics(INDEX_HTML));
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
                ""), table);
    }

    @Test
    void summarisesContainerSamplesPerContainerInReplicaOrder() {
        String text = LoadReport.containers(List.of(
                "elapsed_ms,container,cpu_percent,mem_bytes",
                "0,hello-replica-10,10.00,104857600",
                "0,hello-replica-2,50.00,104857600",
                "2000,hello-replica-2,150.00,209715200",
                "0,host,180.00,2147483648",
                "0,load-generator,60.00,524288000",
                "0,hello-fabio,5.00,20971520",
                "# docker stats failed: once"), "hello-");
        String[] lines = text.strip().split("\\R");
        assertTrue(lines[2].startsWith("hello-replica-2 "), text);
        assertTrue(lines[2].matches(".*\\s2\\s+150\\.0 MiB\\s+200\\.0 MiB\\s+100\\.0 %\\s+150\\.0 %"), lines[2]);
        assertTrue(lines[3].startsWith("hello-replica-10 "), text);
        assertTrue(lines[4].startsWith("hello-fabio "), text);
        assertTrue(lines[5].startsWith("load-generator "), text);
        assertTrue(lines[6].startsWith("host "), text);
        assertTrue(lines[7].matches("all replicas\\s+250\\.0 MiB\\s+110\\.0 %"), lines[7]);
        assertTrue(text.contains("note: docker stats failed: once"), text);
    }

    @Test
    void findsTheRunNamedInLastRunAndItsError(@TempDir Path results) throws IOException {
        Path named = Files.createDirectories(results.resolve("helloloadsimulation-1"));
        Files.writeString(named.resolve("index.html"), INDEX_HTML);
        Files.createDirectories(results.resolve("helloloadsimulation-2"));
        Files.writeString(results.resolve("lastRun.txt"), "helloloadsimulation-1\nExecutionError: assertions failed\n");
        LoadReport.LastRun last = LoadReport.lastRun(results);
        assertEquals(named, last.run().orElseThrow());
        assertEquals("assertions failed", last.error().orElseThrow());
    }

    @Test
    void rendersTheWholeReportFromAGatlingRunAndTheSideFiles(@TempDir Path target) throws IOException {
        Path run = Files.createDirectories(target.resolve("gatling/helloloadsimulation-1"));
        Files.writeString(run.resolve("index.html"), INDEX_HTML);
        Files.write(target.resolve(LoadReport.UUIDS_FILE), List.of("ok a 3", "fail HTTP_502 1", "time 10 2", "time 30 1"));
        Files.write(target.resolve(LoadReport.STATS_FILE), List.of("elapsed_ms,container,cpu_percent,mem_bytes",
                "0,hello-replica-1,50.00,104857600"));
        String text = LoadReport.render(target.resolve("gatling"), target, 1, "hello-");
        assertTrue(text.startsWith("1 Container Replica\n-------------------\nTotal Requests: 6,000"), text);
        assertTrue(text.contains("Gatling report: " + run.resolve("index.html").toAbsolutePath()), text);
        assertTrue(text.contains("Successful requests only: Avg 17, Min 10, Max 30, p50 10, p95 30, p99 30 (ms)"), text);
        assertTrue(text.contains("hello-replica-1"), text);
    }

    @Test
    void countsAnswersPerReplicaAndFailuresPerCause() {
        String text = LoadReport.responses(List.of("ok a 10", "ok b 12", "fail HTTP_502 3", "fail no_answer 1"));
        assertTrue(text.contains("2 replica(s) answered: [12, 10]"), text);
        assertTrue(text.contains("Failures by cause: HTTP 502 x 3, no answer x 1"), text);
    }
}
