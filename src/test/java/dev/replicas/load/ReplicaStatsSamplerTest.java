package dev.replicas.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import java.util.List;

import org.junit.jupiter.api.Test;

class ReplicaStatsSamplerTest {

    @Test
    void parsesSizesInDockersUnits() {
        assertEquals(900, ReplicaStatsSampler.parseBytes("900B"));
        assertEquals(512 * 1024, ReplicaStatsSampler.parseBytes("512KiB"));
        assertEquals(Math.round(123.4 * 1024 * 1024), ReplicaStatsSampler.parseBytes("123.4MiB "));
        assertEquals(Math.round(23.48 * 1024 * 1024 * 1024), ReplicaStatsSampler.parseBytes(" 23.48GiB"));
        assertEquals(1_500_000, ReplicaStatsSampler.parseBytes("1.5MB"));
        assertEquals(2_000, ReplicaStatsSampler.parseBytes("2kB"));
        assertThrows(IllegalArgumentException.class, () -> ReplicaStatsSampler.parseBytes("--"));
    }

    @Test
    void keepsOnlyTheClusterContainersAndSkipsThoseWithoutReadings() {
        List<ReplicaStatsSampler.Sample> samples = ReplicaStatsSampler.parse(List.of(
                "hello-replica-1\t85.12%\t120.5MiB / 23.48GiB",
                "hello-fabio\t3.20%\t18MiB / 23.48GiB",
                "other-container\t50.00%\t1GiB / 23.48GiB",
                "hello-replica-2\t--\t-- / --",
                "garbage"), "hello-", 4000);
        assertEquals(2, samples.size());
        assertEquals(new ReplicaStatsSampler.Sample(4000, "hello-replica-1", 85.12, Math.round(120.5 * 1024 * 1024)),
                samples.get(0));
        assertEquals("hello-fabio", samples.get(1).container());
        assertEquals(3.2, samples.get(1).cpuPercent(), 1e-9);
    }

    @Test
    void readsTheLoadGeneratorAndTheHostFromProc() throws InterruptedException {
        assumeTrue(Files.isReadable(Path.of("/proc/stat")), "Linux only");
        ReplicaStatsSampler.ProcReader proc = new ReplicaStatsSampler.ProcReader();
        assertTrue(proc.sample(0).isEmpty(), "the first reading is only a baseline");
        long spin = System.nanoTime() + 200_000_000L;
        double sink = 0;
        while (System.nanoTime() < spin) {
            sink += Math.sqrt(sink + 1);
        }
        Thread.sleep(sink > 0 ? 10 : 11);
        List<ReplicaStatsSampler.Sample> samples = proc.sample(1000);
        assertEquals(List.of("load-generator", "host"), samples.stream().map(ReplicaStatsSampler.Sample::container).toList());
        for (ReplicaStatsSampler.Sample s : samples) {
            assertEquals(1000, s.elapsedMs());
            assertTrue(s.cpuPercent() > 0 && s.cpuPercent() <= 100.0 * Runtime.getRuntime().availableProcessors() + 5, s.toString());
            assertTrue(s.memBytes() > 1024 * 1024, s.toString());
        }
    }
}
