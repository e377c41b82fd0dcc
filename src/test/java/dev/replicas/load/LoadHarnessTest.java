package dev.replicas.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import javax.imageio.ImageIO;

import dev.replicas.load.LoadSettings.Window;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The harness on made-up input: settings, recorder, outputs; the counters on made-up files and on this machine's own. */
class LoadHarnessTest {

    @TempDir
    Path dir;
    private long readings;
    private long users;

    /** A recorder of {@code settings}; its counters, read at the first request and at the stop, rise by known amounts. */
    private LoadRun.Recorder recorder(String settings) {
        return new LoadRun.Recorder(of(settings), () -> {
            Map<String, Long> cpu = new HashMap<>(Map.of("generator", 5_000_000_000L));
            Map.of("consul", 1, "fabio", 20, "replica-10", 10, "replica-2", 50, "docker-proxy", 10, "generator", 20, "host", 120,
                    "stolen", 8).forEach((part, tenths) -> cpu.merge(part, readings * tenths * 100_000_000L, Long::sum));
            readings++;
            return cpu;
        }, () -> Map.of("replica-2", 100L << 20, "replica-10", 120L << 20));
    }

    /** @return the settings of {@code "key=value key=value ..."}, the defaults for the others */
    private static LoadSettings of(String settings) {
        Properties p = new Properties();
        Stream.of(settings.split(" ")).map(kv -> kv.split("=")).filter(kv -> kv.length == 2)
                .forEach(kv -> p.setProperty(kv[0], kv[1]));
        return LoadSettings.from(p);
    }

    /** Sends {@code n} requests of {@code ms} each, the next users in order; every 50th is sampled. */
    private void answer(LoadRun.Recorder r, int n, long ms, Integer status, String uuid, boolean failed) {
        for (int i = 0; i < n; i++) {
            users++;
            r.end(r.begin(users), status, ms, uuid, failed, users % 50 == 1);
        }
    }

    private static void contains(String text, String... parts) {
        Stream.of(parts).forEach(part -> assertTrue(text.contains(part), part + "\nnot in:\n" + text));
    }

    private Path write(String relative, String content) throws IOException {
        Files.createDirectories(dir.resolve(relative).getParent());
        return Files.writeString(dir.resolve(relative), content);
    }

    @Test
    void printsTheSeedsTableTheWindowsAndTheCostOfEveryPart() {
        LoadRun.Recorder r = recorder("load.replicas=2 load.rate=100 load.duration=20");
        answer(r, 900, 5, 200, "uuid-a", false);
        answer(r, 100, 50, 200, "uuid-b", false);
        answer(r, 996, 6, 200, "uuid-b", false);
        answer(r, 1, 300, 502, null, true);
        answer(r, 1, 10_000, null, null, true);
        answer(r, 1, 7, 200, null, true);
        answer(r, 1, 8, 200, "uuid-a", true);
        LoadRun stopped = r.stop(List.of());
        // 20 s by the clock, as the load would have taken.
        LoadRun run = new LoadRun(stopped.settings(), stopped.steps(), stopped.cpu(), stopped.generatorNanos(), 20,
                null, List.of("cpu of replica-9: gone"));
        String text = LoadReport.report(run);
        assertTrue(text.startsWith("2 Container Replicas\n--------------------\nTotal Requests: 2,000\n"
                + "Request Success: 1,996\nRequest Fail: 4\nAvg: 13 (ms)\nMin: 5 (ms)\nMax: 10,000 (ms)\n"
                + "p50 / p95 / p99: 6 / 50 / 50 (ms)\nSuccessful requests only: Avg 8, Min 5, Max 50, p50 6, p99 50 (ms)\n"
                + "Failures by cause: HTTP 200 failing the full contract check x 1, HTTP 200 with a wrong body (length or frame)"
                + " x 1, HTTP 502 x 1, no answer (timeout or connection error) x 1\n"), text);
        contains(text, "exact length (200,092 bytes) and frame; 40 answers (every 50.) also in full as JSON: 1 failed",
                "Successful answers by replica: 2 replica(s): [1,096, 900]",
                "Over time (10 s windows):\nfrom  rate/s  requests   failed     p50     p99     max  answ/s  gen ms/r  rep MiB"
                        + "  CPU ms per request: fabio, proxy, replicas\n",
                // The counters rose once, so all CPU falls in the window under way at the stop: the first.
                "\n0s       100     1,000        0       5      50      50   100.0      2.00    110.0  2.00, 1.00, 6.00\n",
                "\n10s      100     1,000        4       6       6   10000    99.6         -        -  \n",
                // 2,000 requests in 20 s: the generator's 2 s of CPU are 1 ms a request and 10 % of a core.
                "\ngenerator                         2.00         1.00       10.0 %\n",
                "\nreplicas                          6.00         3.00       30.0 %\n  replica-2 ",
                "\nrest of the host (kernel...)      0.90         0.45        4.5 %\n",
                "\nstolen by the hypervisor          0.80         0.40        4.0 %\n", "The generator's JVM used 7.0 CPU s",
                "\nreplica-2      100.0 MiB 100.0 MiB 100.0 MiB 100.0 MiB\nreplica-10",
                "all replicas             220.0 MiB (mean of each, summed)", "note: cpu of replica-9: gone",
                // uuid-b's 100 answers of 50 ms, after uuid-a's first: failed requests are not answers.
                "The 10 slowest answers (replicas numbered by their first answer in the run):\n     50 ms, ended at ");
        String slowest = text.substring(text.indexOf("The 10 slowest"), text.indexOf("\n\nCPU by part"));
        assertEquals(10, slowest.lines().filter(l -> l.startsWith("     50 ms") && l.contains(", replica 2 (uuid-b...),"
                + " answering for ")).count(), slowest);

        // What benchmarks/*.sh read.
        assertEquals("requests=2000\nok=1996\nfailed=4\navg.ms=12.9\np50.ms=6\np99.ms=50\nmax.ms=10000\ncpu.generator.ms=1.00\n"
                + "cpu.fabio.ms=1.00\ncpu.docker-proxy.ms=0.50\ncpu.replicas.ms=3.00\ncpu.host.ms=6.00\ncpu.consul.ms=0.05\n"
                + "cpu.stolen.ms=0.40\nmemory.replica.mean.mib=110.0\nmemory.replica.max.mib=120.0\n", LoadReport.summary(run));
    }

    @Test
    void aCapacityRunStopsAtTheFirstStepThatDoesNotHoldAndIsDrawn() throws IOException {
        LoadRun.Recorder r = recorder("load.replicas=1 load.mode=capacity load.capacity.max=200");
        answer(r, 1000, 5, 200, "uuid-a", false);
        answer(r, 1990, 8, 200, "uuid-a", false);
        answer(r, 10, 400, 200, "uuid-a", false);
        answer(r, 2950, 900, 200, "uuid-a", false);
        answer(r, 10, 900, 502, null, true);
        IntStream.rangeClosed(5961, 6000).forEach(r::begin); // sent, unanswered
        LoadRun run = r.stop(List.of());
        assertEquals(Optional.of("150/s: p99 > 1000 ms (unanswered), 0.33 % failed (10 of 3000): p99 above 500 ms"),
                run.steps().get(2).failure(run.settings()));
        String text = LoadReport.report(run);
        contains(text, "Capacity (a step holds while p99 <= 500 ms and at most 0.1 % fail): highest rate held 100 requests/s",
                "\n2        100     2,000        0       8       8     400   100.0",
                "Not counted: 40 requests still in flight when the load stopped");
        assertTrue(!text.contains("\n4        200"), "nothing after the first step that did not hold:\n" + text);

        LoadReport.write(run, dir);
        LoadReport.write(recorder("load.replicas=4 load.mode=capacity load.capacity.max=50").stop(List.of()), dir);
        assertEquals(900, ImageIO.read(dir.resolve(LoadReport.CHART).toFile()).getWidth());
        // After the cluster has stopped, main adds where Gatling's report is, once however often it runs.
        Files.createDirectories(dir.resolve("gatling/run-1"));
        Files.writeString(dir.resolve("gatling/lastRun.txt"), "run-1\nExecutionError: assertion failed\n");
        LoadReport.main(new String[] {"results=" + dir.resolve("gatling"), "output=" + dir});
        LoadReport.main(new String[] {"results=" + dir.resolve("gatling"), "output=" + dir});
        String report = Files.readString(dir.resolve(LoadReport.REPORT));
        assertTrue(report.endsWith("Highest rate held so far (" + dir.resolve("load-capacity") + "): 1 replica(s): 100/s,"
                + " 4 replica(s): 0/s\nChart: " + dir.resolve(LoadReport.CHART).toAbsolutePath() + "\nGatling's report: "
                + dir.resolve("gatling/run-1/index.html").toAbsolutePath() + "\nGatling: assertion failed\n"), report);
    }

    @Test
    void theSettingsCutTheRunIntoWindowsAndNameABadValueWithItsKey() {
        assertEquals(6000, of("").windows().stream().mapToLong(Window::users).sum());
        assertEquals(List.of(new Window(0, 100, 10, 0), new Window(1, 100, 10, 10), new Window(2, 100, 5, 20)),
                of("load.duration=25").windows(), "the last window may be shorter");
        assertEquals(List.of(new Window(0, 50, 20, 0), new Window(1, 100, 20, 20), new Window(2, 150, 20, 40),
                new Window(3, 200, 20, 60)), of("load.mode=capacity load.capacity.max=200").windows());
        Map.of("load.rate=fast", "load.rate='fast' is not a number >= 0",
                "load.mode=soak", "load.mode='soak' is not constant or capacity",
                "load.duration=0", "load.duration='0' must be greater than 0",
                "load.mode=capacity load.capacity.start=100 load.capacity.max=50",
                "load.capacity.max='50' is below load.capacity.start (100)").forEach((settings, message) ->
                assertEquals(message, assertThrows(IllegalArgumentException.class, () -> of(settings)).getMessage(), settings));
    }

    @Test
    void readsAContainersCgroupOnVersion1AndVersion2OrLeavesItOut() throws IOException {
        write("sys/cpu,cpuacct/docker/v1/cpuacct.usage", "123456789\n");
        write("sys/memory/docker/v1/memory.usage_in_bytes", "104857600\n");
        write("sys/memory/docker/v1/memory.stat", "cache 5\ntotal_inactive_file 4194304\n");
        write("sys/system.slice/docker-v2.scope/cpu.stat", "usage_usec 2500\nuser_usec 2000\n");
        write("sys/system.slice/docker-v2.scope/memory.current", "2097152\n");
        write("sys/system.slice/docker-v2.scope/memory.stat", "anon 1\ninactive_file 1048576\n");
        assertEquals(Optional.of(List.of(123456789L, (100L - 4) << 20)),
                read("12:memory:/docker/v1\n4:cpu,cpuacct:/docker/v1\n1:name=systemd:/docker/v1\n"));
        assertEquals(Optional.of(List.of(2_500_000L, (2L - 1) << 20)), read("0::/system.slice/docker-v2.scope\n"));
        assertEquals(Optional.empty(), read("4:cpu,cpuacct:/docker/gone\n12:memory:/docker/gone\n"), "no readable cgroup");
        assertEquals(Optional.empty(), HostCounters.cgroupOf("x", dir.resolve("proc/2/cgroup"), dir.resolve("sys")), "ended");
    }

    /** A container's CPU (ns) and memory (bytes, less inactive file pages), from its process's {@code cgroup} file. */
    private Optional<List<Long>> read(String procCgroup) throws IOException {
        return HostCounters.cgroupOf("x", write("proc/1/cgroup", procCgroup), dir.resolve("sys"))
                .map(cgroup -> new HostCounters(List.of(cgroup), List.of()))
                .map(counters -> List.of(counters.cpu().get("x"), counters.memory().get("x")));
    }

    @Test
    void sumsTheDockerProxiesAndTheHostsBusyTicksFromProc() throws IOException {
        // comm may hold spaces and parentheses; utime and stime are fields 14 and 15.
        write("proc/99/stat", "99 (containerd-shim) S 1 99 99 0 -1 4194560 1 0 0 0 1 0 0 0 20 0 8 0 5 0 0\n");
        write("proc/100/stat", "100 (docker-proxy) S 1 100 100 0 -1 4194560 1 0 0 0 30 20 0 0 20 0 8 0 5 0 0\n");
        write("proc/101/stat", "101 (docker-proxy) S 1 101 101 0 -1 4194560 1 0 0 0 5 5 0 0 20 0 8 0 5 0 0\n");
        write("proc/102/stat", "102 (my (odd) name) S 1 102 102 0 -1 4194560 1 0 0 0 99 99 0 0 20 0 8 0 5 0 0\n");
        write("proc/self/stat", "ignored\n");
        assertEquals(Map.of("docker-proxy", 600_000_000L), HostCounters.proxyCpu(dir.resolve("proc")));
        assertEquals(99 + 99, HostCounters.ticks(Files.readString(dir.resolve("proc/102/stat"))));
        // user nice system idle iowait irq softirq steal
        assertEquals(Map.of("host", 100L + 2 + 30 + 4 + 5, "stolen", 6L),
                HostCounters.hostTicks("cpu  100 2 30 999 888 4 5 6 0 0"));
        assumeTrue(Files.isReadable(Path.of("/proc/self/stat")), "this machine's own counters: Linux only");
        Map<String, Long> own = new HostCounters(List.of(), List.of()).cpu();
        assertTrue(own.get("generator") > 0 && own.get("host") >= own.get("generator"), own.toString());
        assertTrue(HostCounters.generatorResident() > 1024 * 1024);
    }

    @Test
    void swarmTasksAreNamedAsTheProfilesContainersAndOrderedAsPeopleCount() {
        Map.of("replica.3.k2h5y0l8tqvd2lk5kqg2w6m4v", "replica-3", "replica-3", "replica-3",
                "fabio.jbj432f62yfed1z0wflsyqcbh.9wzrsjdn5y82sd0m1xjk3wq2c", "fabio",
                "consul-server.1.a622fhu7pivx0t5x4g8x7e1mq", "consul-server-1")
                .forEach((container, part) -> assertEquals(part, HostCounters.partName(container), container));
        assertEquals(List.of("consul", "fabio", "replica-2", "replica-10"),
                List.of("replica-10", "fabio", "consul", "replica-2").stream().sorted(HostCounters.ORDER).toList());
    }
}
