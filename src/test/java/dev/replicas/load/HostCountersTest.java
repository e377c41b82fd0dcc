package dev.replicas.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostCountersTest {

    @TempDir
    Path dir;

    private Path write(String relative, String content) throws IOException {
        Files.createDirectories(dir.resolve(relative).getParent());
        return Files.writeString(dir.resolve(relative), content);
    }

    /** A container's CPU (ns) and memory (bytes, less inactive file pages), from its process's {@code cgroup} file. */
    private List<Long> read(String name, String procCgroup) throws IOException {
        Path file = write("proc/" + name + "/cgroup", procCgroup);
        HostCounters counters = new HostCounters(List.of(HostCounters.cgroupOf(name, file, dir.resolve("sys")).orElseThrow()),
                List.of());
        return List.of(counters.cpu().get(name), counters.memory().get(name));
    }

    @Test
    void readsAContainersCgroupOnVersion1AndVersion2OrLeavesItOut() throws IOException {
        write("sys/cpu,cpuacct/docker/abc/cpuacct.usage", "123456789\n");
        write("sys/memory/docker/abc/memory.usage_in_bytes", "104857600\n");
        write("sys/memory/docker/abc/memory.stat", "cache 5\ntotal_inactive_file 4194304\n");
        assertEquals(List.of(123456789L, 100L * 1024 * 1024 - 4 * 1024 * 1024),
                read("replica-1", "12:memory:/docker/abc\n4:cpu,cpuacct:/docker/abc\n1:name=systemd:/docker/abc\n"));

        write("sys/system.slice/docker-abc.scope/cpu.stat", "usage_usec 2500\nuser_usec 2000\n");
        write("sys/system.slice/docker-abc.scope/memory.current", "2097152\n");
        write("sys/system.slice/docker-abc.scope/memory.stat", "anon 1\ninactive_file 1048576\n");
        assertEquals(List.of(2_500_000L, 1024L * 1024), read("fabio", "0::/system.slice/docker-abc.scope\n"));

        Path gone = write("proc/44/cgroup", "4:cpu,cpuacct:/docker/gone\n12:memory:/docker/gone\n");
        assertEquals(Optional.empty(), HostCounters.cgroupOf("x", gone, dir.resolve("sys")), "no readable cgroup");
        assertEquals(Optional.empty(), HostCounters.cgroupOf("x", dir.resolve("proc/45/cgroup"), dir.resolve("sys")), "ended");
    }

    @Test
    void sumsTheProcessesOfEachGroupAndTheHostsBusyTicksFromProc() throws IOException {
        // comm may hold spaces and parentheses; utime and stime are fields 14 and 15.
        write("proc/99/stat", "99 (containerd-shim) S 1 99 99 0 -1 4194560 1 0 0 0 1 0 0 0 20 0 8 0 5 0 0\n");
        write("proc/100/stat", "100 (docker-proxy) S 1 100 100 0 -1 4194560 1 0 0 0 30 20 0 0 20 0 8 0 5 0 0\n");
        write("proc/101/stat", "101 (docker-proxy) S 1 101 101 0 -1 4194560 1 0 0 0 5 5 0 0 20 0 8 0 5 0 0\n");
        write("proc/102/stat", "102 (my (odd) name) S 1 102 102 0 -1 4194560 1 0 0 0 99 99 0 0 20 0 8 0 5 0 0\n");
        write("proc/self/stat", "ignored\n");
        Map<String, Long> cpu = HostCounters.processCpu(dir.resolve("proc"));
        assertEquals(Map.of("docker-proxy", 600_000_000L, "containerd", 10_000_000L), cpu);
        assertEquals(List.of("docker-proxy", "containerd"), List.copyOf(cpu.keySet()));
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
        assertEquals("replica-3", HostCounters.partName("replica.3.k2h5y0l8tqvd2lk5kqg2w6m4v"));
        assertEquals("fabio", HostCounters.partName("fabio.jbj432f62yfed1z0wflsyqcbh.9wzrsjdn5y82sd0m1xjk3wq2c"));
        assertEquals("consul-server-1", HostCounters.partName("consul-server.1.a622fhu7pivx0t5x4g8x7e1mq"));
        assertEquals("replica-3", HostCounters.partName("replica-3"));
        assertEquals(List.of("consul", "fabio", "replica-2", "replica-10"),
                List.of("replica-10", "fabio", "consul", "replica-2").stream().sorted(HostCounters.ORDER).toList());
    }
}
