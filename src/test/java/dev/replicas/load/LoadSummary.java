package dev.replicas.load;

import static dev.replicas.load.LoadRun.MIB;
import static dev.replicas.load.LoadRun.percentile;

import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import dev.replicas.load.LoadRun.Memory;
import dev.replicas.load.LoadRun.Step;
import org.HdrHistogram.Histogram;

/** The headline figures, {@value #FILE}, for benchmarks/*.sh: ms, CPU ms per request by part, replica memory in MiB. */
final class LoadSummary {

    static final String FILE = "load-summary.properties";

    private LoadSummary() {
    }

    static String render(LoadRun run) {
        Step total = run.total();
        long requests = total.answers().size();
        Histogram all = total.histogram(false);
        List<Memory> replicas = LoadRun.replicas(run.memory());
        return String.format(Locale.ROOT, "requests=%d%nok=%d%nfailed=%d%navg.ms=%.1f%np50.ms=%d%np99.ms=%d%n"
                        + "max.ms=%d%n", requests, total.ok(), requests - total.ok(), all.getMean(), percentile(all, 50),
                percentile(all, 99), percentile(all, 100))
                + Stream.of("generator", "fabio", "docker-proxy", "replicas", "host", "consul", "stolen")
                        .map(part -> String.format(Locale.ROOT, "cpu.%s.ms=%.2f%n", part, LoadRun.msPerRequest(
                                HostCounters.part(run.cpu(), part), Math.max(1, requests)))).collect(Collectors.joining())
                + String.format(Locale.ROOT, "memory.replica.mean.mib=%.1f%nmemory.replica.max.mib=%.1f%n",
                        replicas.stream().mapToLong(Memory::mean).average().orElse(0) / MIB,
                        replicas.stream().mapToLong(Memory::max).max().orElse(0) / MIB);
    }
}
