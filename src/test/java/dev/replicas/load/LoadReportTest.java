package dev.replicas.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The recorder fed as Gatling feeds it, with counters that rise by known amounts, and the report it gives. */
class LoadReportTest {

    @TempDir
    Path dir;

    /** Counters read at the first request and at the stop: each part's CPU rises by a known amount between. */
    private static HostCounters counters() {
        return new HostCounters(List.of(), List.of("cpu of replica-9: gone")) {
            private long readings;

            @Override
            public synchronized Map<String, Long> cpu() {
                long n = readings++;
                Map<String, Long> cpu = new HashMap<>(Map.of("generator", 5_000_000_000L));
                Map.of("consul", 1, "fabio", 20, "replica-10", 10, "replica-2", 50, "docker-proxy", 10, "generator", 20, "host", 120)
                        .forEach((part, tenths) -> cpu.merge(part, n * tenths * 100_000_000L, Long::sum));
                return cpu;
            }

            @Override
            public Map<String, Long> memory() {
                return Map.of("replica-2", 100L << 20, "replica-10", 120L << 20);
            }
        };
    }

    private static LoadRecorder recorder(String... keysAndValues) {
        Properties p = new Properties();
        p.setProperty("load.replicas", "2");
        for (int i = 0; i < keysAndValues.length; i += 2) {
            p.setProperty(keysAndValues[i], keysAndValues[i + 1]);
        }
        return new LoadRecorder(LoadSettings.from(p), counters());
    }

    /** Sends {@code n} requests of {@code ms} each, the next users in order. */
    private static void answer(LoadRecorder r, long[] user, int n, long ms, Integer status, String uuid, boolean failed) {
        for (int i = 0; i < n; i++) {
            r.end(r.begin(++user[0]), status, ms, uuid, failed, user[0] % 50 == 1);
        }
    }

    @Test
    void printsTheSeedsTableTheWindowsAndTheCostOfEveryPart() throws IOException {
        LoadRecorder r = recorder("load.rate", "100", "load.duration", "20");
        long[] user = {0};
        answer(r, user, 900, 5, 200, "uuid-a", false);
        answer(r, user, 100, 50, 200, "uuid-b", false);
        answer(r, user, 996, 6, 200, "uuid-b", false);
        answer(r, user, 1, 300, 502, null, true);
        answer(r, user, 1, 10_000, null, null, true);
        answer(r, user, 1, 7, 200, null, true);
        answer(r, user, 1, 8, 200, "uuid-a", true);
        r.stop();
        r.elapsedSeconds = 20;
        String text = LoadReport.render(r);
        assertTrue(text.startsWith("2 Container Replicas\n--------------------\nTotal Requests: 2,000\n"
                + "Request Success: 1,996\nRequest Fail: 4\nAvg: 13 (ms)\nMin: 5 (ms)\nMax: 10,000 (ms)\n"
                + "p50 / p95 / p99: 6 / 50 / 50 (ms)\nSuccessful requests only: Avg 8, Min 5, Max 50, p50 6, p99 50 (ms)\n"
                + "Failures by cause: HTTP 200 failing the full contract check x 1, HTTP 200 with a wrong body (length or frame)"
                + " x 1, HTTP 502 x 1, no answer (timeout or connection error) x 1\n"), text);
        assertTrue(text.contains("exact length (200,092 bytes) and frame; 40 answers (every 50.) also in full as JSON: 1 failed"), text);
        assertTrue(text.contains("Successful answers by replica: 2 replica(s): [1,096, 900]"), text);
        assertTrue(text.contains("from  rate/s  requests   failed     p50     p99     max  answ/s  gen ms/r  rep MiB"), text);
        // The counters rose once, so all CPU falls in the window under way at the stop: the first.
        assertTrue(text.contains("\n0s       100     1,000        0       5      50      50   100.0      2.00    110.0  2.00, 1.00, 6.00\n"), text);
        assertTrue(text.contains("\n10s      100     1,000        4       6       6   10000    99.6         -        -  \n"), text);
        // 2,000 requests in 20 s: the generator's 2 s of CPU are 1 ms a request and 10 % of a core.
        assertTrue(text.contains("\ngenerator                         2.00         1.00       10.0 %\n"), text);
        assertTrue(text.contains("\nreplicas                          6.00         3.00       30.0 %\n  replica-2 "), text);
        assertTrue(text.contains("\nrest of the host (kernel...)      0.90         0.45        4.5 %\n"), text);
        assertTrue(text.contains("The generator's JVM used 7.0 CPU s since it started"), text);
        assertTrue(text.contains("\nreplica-2      100.0 MiB 100.0 MiB 100.0 MiB 100.0 MiB\nreplica-10"), text);
        assertTrue(text.contains("all replicas             220.0 MiB (mean of each, summed)"), text);
        assertTrue(text.contains("note: cpu of replica-9: gone"), text);

        // What benchmarks/*.sh read.
        assertEquals("requests=2000\nok=1996\nfailed=4\navg.ms=12.9\np50.ms=6\np99.ms=50\nmax.ms=10000\ncpu.generator.ms=1.00\n"
                + "cpu.fabio.ms=1.00\ncpu.docker-proxy.ms=0.50\ncpu.replicas.ms=3.00\ncpu.host.ms=6.00\ncpu.consul.ms=0.05\n"
                + "memory.replica.mean.mib=110.0\nmemory.replica.max.mib=120.0\n", LoadReport.summary(r));
    }

    @Test
    void aCapacityRunStopsAtTheFirstStepThatDoesNotHoldAndIsDrawn() throws IOException {
        LoadRecorder r = recorder("load.mode", "capacity", "load.capacity.max", "200", "load.replicas", "1");
        long[] user = {0};
        answer(r, user, 1000, 5, 200, "uuid-a", false);
        answer(r, user, 1990, 8, 200, "uuid-a", false);
        answer(r, user, 10, 400, 200, "uuid-a", false);
        answer(r, user, 2950, 900, 200, "uuid-a", false);
        answer(r, user, 10, 900, 502, null, true);
        for (int i = 0; i < 40; i++) {
            r.begin(++user[0]);
        }
        assertEquals("150/s: p99 > 1000 ms (unanswered), 0.33 % failed (10 of 3000): p99 above 500 ms", r.judge(2, true).text());
        r.stop();
        String text = LoadReport.render(r);
        assertTrue(text.contains("Capacity (a step holds while p99 <= 500 ms and at most 0.1 % fail): highest rate held 100 requests/s"), text);
        assertTrue(text.contains("\n2        100     2,000        0       8       8     400   100.0"), text);
        assertTrue(text.contains("Not counted: 40 requests still in flight when the load stopped"), text);
        assertTrue(!text.contains("\n4        200"), "nothing after the first step that did not hold:\n" + text);

        LoadReport.write(r, dir);
        LoadReport.write(recorder("load.mode", "capacity", "load.capacity.max", "50", "load.replicas", "4"), dir);
        String report = Files.readString(dir.resolve(LoadReport.REPORT));
        assertTrue(report.contains("Highest rate held so far (" + dir.resolve("load-capacity") + "): 1 replica(s): 100/s,"
                + " 4 replica(s): 0/s"), report);
        assertEquals(900, ImageIO.read(dir.resolve("load-capacity.png").toFile()).getWidth());
    }

    @Test
    void mainPrintsTheReportWithWhereGatlingsIsOnceHoweverOftenItRuns() throws IOException {
        Files.writeString(dir.resolve(LoadReport.REPORT), "the table\n");
        Files.createDirectories(dir.resolve("gatling/run-1"));
        Files.writeString(dir.resolve("gatling/lastRun.txt"), "run-1\nExecutionError: assertion failed\n");
        String[] args = {"results=" + dir.resolve("gatling"), "output=" + dir};
        LoadReport.main(args);
        LoadReport.main(args);
        assertEquals("the table\nGatling's report: " + dir.resolve("gatling/run-1/index.html").toAbsolutePath()
                + "\nGatling: assertion failed\n", Files.readString(dir.resolve(LoadReport.REPORT)));
    }
}
