package dev.replicas.load;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Tells the host's stalls from the cluster's: a process of its own that sleeps {@value #NAP_MS} ms at a time and
 * writes down every wake-up at least {@value #LATE_MS} ms late. A thread that wakes that late was kept off every core,
 * by the hypervisor (this VM not running) or by the host's own load; a replica's request thread waiting to run at that
 * moment waited as long. The probe is a separate, interpreted JVM so that the generator's pauses and compilations are
 * not counted as the host's; it costs about 1.5 % of a core (measured: docs/load-test.md, "The instrument"). It stops
 * by itself after its seconds, or when the JVM that started it goes (its standard input closes).
 */
public record StallProbe(Process process, Path file) implements AutoCloseable {

    static final long NAP_MS = 5;
    static final long LATE_MS = 10;

    /** A wake-up {@code ms} late, after a nap that began at {@code startEpochMs} (wall clock). */
    record Stall(long startEpochMs, long ms) {
        long endEpochMs() {
            return startEpochMs + NAP_MS + ms;
        }
    }

    /** Starts a probe that writes to {@code file} for at most {@code seconds}. */
    static StallProbe start(Path file, long seconds) throws IOException, URISyntaxException {
        Files.deleteIfExists(file);
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        String classes = Path.of(StallProbe.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        return new StallProbe(new ProcessBuilder(java, "-Xint", "-Xmx8m", "-XX:+UseSerialGC", "-cp", classes,
                StallProbe.class.getName(), file.toString(), String.valueOf(seconds))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.INHERIT).start(), file);
    }

    /** Stops the probe (if it has not stopped by itself) and returns the stalls it saw. */
    List<Stall> stop() throws IOException {
        close();
        return read(file);
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** @return the stalls written to {@code file}, none if it is missing */
    static List<Stall> read(Path file) throws IOException {
        return (Files.isRegularFile(file) ? Files.readAllLines(file) : List.<String>of()).stream()
                .map(line -> line.trim().split(" ")).filter(f -> f.length == 2)
                .map(f -> new Stall(Long.parseLong(f[0]), Long.parseLong(f[1]))).toList();
    }

    /** @return how many ms of stalls fall within {@code [fromEpochMs, toEpochMs]} */
    static long within(List<Stall> stalls, long fromEpochMs, long toEpochMs) {
        return stalls.stream().mapToLong(s -> Math.max(0, Math.min(toEpochMs, s.endEpochMs())
                - Math.max(fromEpochMs, s.endEpochMs() - s.ms()))).sum();
    }

    /** The probe itself: {@code StallProbe FILE SECONDS}. */
    public static void main(String[] args) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.parseLong(args[1]));
        Thread parent = new Thread(() -> { // standard input closes when the JVM that started the probe goes
            try {
                System.in.transferTo(OutputStream.nullOutputStream());
            } catch (IOException e) {
                // closed: the same
            }
            System.exit(0);
        });
        parent.setDaemon(true);
        parent.start();
        long nap = TimeUnit.MILLISECONDS.toNanos(NAP_MS);
        try (BufferedWriter out = Files.newBufferedWriter(Path.of(args[0]))) {
            while (System.nanoTime() < deadline) {
                long wall = System.currentTimeMillis();
                long before = System.nanoTime();
                LockSupport.parkNanos(nap);
                long late = (System.nanoTime() - before - nap) / 1_000_000;
                if (late >= LATE_MS) {
                    out.write(wall + " " + late + "\n");
                    out.flush(); // a probe killed at the end keeps what it saw
                }
            }
        }
    }
}
