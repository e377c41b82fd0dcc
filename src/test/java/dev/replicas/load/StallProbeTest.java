package dev.replicas.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.replicas.load.StallProbe.Stall;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The probe as a real process: a stall made by stopping it is written down; it ends by itself; the overlap sums. */
class StallProbeTest {

    @TempDir
    Path dir;

    @Test
    void aProbeKeptOffTheCpuWritesTheStallDown() throws Exception {
        Path file = dir.resolve("stalls.txt");
        try (StallProbe probe = StallProbe.start(file, 60)) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!file.toFile().isFile()) { // its loop has begun
                assertTrue(System.nanoTime() < deadline, "the probe's loop never began");
                Thread.sleep(20);
            }
            long before = System.currentTimeMillis();
            // Stopped before its loop is under way (its first, interpreted steps), a probe has nothing to measure:
            // then it is stopped again.
            for (int stops = 1; StallProbe.read(file).stream().noneMatch(s -> s.ms() >= 250); stops++) {
                assertTrue(stops <= 5, "no stall written after the probe was stopped for 300 ms, five times");
                signal("-STOP", probe.process().pid());
                Thread.sleep(300); // the stall itself
                signal("-CONT", probe.process().pid());
                Thread.sleep(500); // for the probe to write it down, on a busy machine
            }
            List<Stall> stalls = probe.stop();
            Stall longest = stalls.stream().max((a, b) -> Long.compare(a.ms(), b.ms())).orElseThrow();
            assertTrue(longest.ms() >= 250 && longest.ms() < 5000, stalls.toString());
            assertTrue(longest.startEpochMs() >= before - 50, longest + " began before the stop at " + before);
            assertTrue(!probe.process().isAlive(), "stop() ends the process");
        }
    }

    @Test
    void aProbeStopsByItselfAfterItsSeconds() throws Exception {
        try (StallProbe probe = StallProbe.start(dir.resolve("stalls.txt"), 1)) {
            assertTrue(probe.process().waitFor(30, TimeUnit.SECONDS), "still running 30 s after a 1 s probe began");
            assertEquals(0, probe.process().exitValue());
        }
    }

    @Test
    void withinSumsOnlyTheStalledPartOfAnInterval() {
        // Naps of 5 ms: the stalls are [1005, 1045] and [2005, 2025].
        List<Stall> stalls = List.of(new Stall(1000, 40), new Stall(2000, 20));
        assertEquals(40, StallProbe.within(stalls, 900, 1100));
        assertEquals(15, StallProbe.within(stalls, 1030, 1100));
        assertEquals(40 + 10, StallProbe.within(stalls, 1000, 2015));
        assertEquals(0, StallProbe.within(stalls, 1045, 2005));
        assertEquals(0, StallProbe.within(List.of(), 0, 10_000));
    }

    private static void signal(String signal, long pid) throws Exception {
        assertEquals(0, new ProcessBuilder("kill", signal, String.valueOf(pid)).inheritIO().start().waitFor());
    }
}
