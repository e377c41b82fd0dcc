package dev.replicas.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * Cumulative counters, read from files only so that reading them costs next to nothing: each container's cgroup
 * CPU (v1 {@code cpuacct.usage}, v2 {@code cpu.stat}) and memory (as {@code docker stats} shows it), by its name
 * less the prefix; {@code docker-proxy} and this JVM ({@code generator}) from {@code /proc/<pid>/stat}; all CPUs
 * ({@code host}, {@code stolen}). What cannot be read is left out and said in {@link #problems()}.
 */
public class HostCounters {

    private static final long NANOS_PER_TICK = 10_000_000L; // Linux's USER_HZ: /proc counts CPU in 1/100 s
    /** Part names as a person reads them: consul, fabio, replica-1, replica-2, ..., replica-10. */
    static final Comparator<String> ORDER = Comparator.comparing(HostCounters::isReplica)
            .thenComparing(name -> isReplica(name) ? name.length() : 0).thenComparing(Comparator.naturalOrder());

    record Cgroup(String name, Path cpu, boolean v2, Path memoryUsage, Path memoryStat) {} // a container's files

    private final List<Cgroup> containers;
    private final Set<String> problems = Collections.synchronizedSet(new LinkedHashSet<>()); // each said once

    HostCounters(List<Cgroup> containers, List<String> problems) {
        this.containers = containers.stream().sorted(Comparator.comparing(Cgroup::name, ORDER)).toList();
        this.problems.addAll(problems);
    }

    /** @return the counters of the host and of the containers whose names start with {@code prefix} */
    public static HostCounters discover(String prefix) {
        List<String> problems = new ArrayList<>();
        List<Cgroup> cgroups = new ArrayList<>();
        try {
            List<String> names = docker("ps", "--filter", "name=^" + prefix, "--format", "{{.Names}}");
            for (String line : names.isEmpty() ? names : docker(Stream.concat(Stream.of("inspect", "--format",
                    "{{.Name}} {{.State.Pid}}"), names.stream()).toArray(String[]::new))) {
                String[] f = line.trim().replaceFirst("^/", "").split(" ");
                String name = partName(f[0].startsWith(prefix) ? f[0].substring(prefix.length()) : f[0]);
                cgroupOf(name, Path.of("/proc", f[1], "cgroup"), Path.of("/sys/fs/cgroup")).ifPresentOrElse(
                        cgroups::add, () -> problems.add("no readable cgroup for container " + f[0]));
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            problems.add("cannot list the containers: " + e.getMessage());
        }
        return new HostCounters(cgroups, problems);
    }

    /** Swarm tasks as the profiles name containers: replica.3.(task) is replica-3, a global fabio.(node).(task) fabio. */
    static String partName(String container) {
        String[] f = container.split("\\.");
        return f.length != 3 ? container : f[1].matches("\\d+") ? f[0] + "-" + f[1] : f[0];
    }

    static boolean isReplica(String name) {
        return name.startsWith("replica-");
    }

    /** @return a part's CPU, 0 if none: the replicas' summed, and Consul's (servers and agents in the Swarm stack) */
    static long part(Map<String, Long> cpu, String part) {
        return cpu.entrySet().stream().filter(e -> part.equals("replicas") ? isReplica(e.getKey()) : part.equals("consul")
                ? e.getKey().startsWith("consul") : e.getKey().equals(part)).mapToLong(Map.Entry::getValue).sum();
    }

    /** The cgroup (v1 or v2) of a process, from its {@code /proc/<pid>/cgroup}, under the cgroup mount. */
    static Optional<Cgroup> cgroupOf(String name, Path procCgroup, Path mount) {
        Map<String, Path> dirs = new HashMap<>(); // v1: cpuacct, memory... (mounted as listed, cpu,cpuacct); v2: ""
        try {
            for (String[] f : Files.readAllLines(procCgroup).stream().map(l -> l.split(":", 3)).toList()) {
                for (String controller : f.length == 3 ? f[1].split(",") : new String[0]) {
                    dirs.put(controller, Path.of(mount.toString(), f[1], f[2]));
                }
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        Path v1 = dirs.get("cpuacct");
        Path memory = dirs.get("memory");
        Path v2 = dirs.get("");
        if (v1 != null && memory != null && Files.isReadable(v1.resolve("cpuacct.usage"))) {
            return Optional.of(new Cgroup(name, v1.resolve("cpuacct.usage"), false,
                    memory.resolve("memory.usage_in_bytes"), memory.resolve("memory.stat")));
        }
        return v2 != null && Files.isReadable(v2.resolve("cpu.stat")) ? Optional.of(new Cgroup(name,
                v2.resolve("cpu.stat"), true, v2.resolve("memory.current"), v2.resolve("memory.stat"))) : Optional.empty();
    }

    /** @return what could not be read, one line each */
    public List<String> problems() {
        return List.copyOf(problems);
    }

    /** @return cumulative CPU in ns of every part readable now: containers, processes, generator, host */
    public Map<String, Long> cpu() {
        Map<String, Long> cpu = new LinkedHashMap<>();
        containers.forEach(c -> put(cpu, "cpu", c.name(),
                () -> c.v2() ? keyed(c.cpu(), "usage_usec") * 1000 : Long.parseLong(read(c.cpu()))));
        cpu.putAll(proxyCpu(Path.of("/proc")));
        put(cpu, "cpu", "generator", () -> ticks(read(Path.of("/proc/self/stat"))) * NANOS_PER_TICK);
        for (String part : List.of("host", "stolen")) {
            put(cpu, "cpu", part, () -> hostTicks(Files.readAllLines(Path.of("/proc/stat")).get(0)).get(part) * NANOS_PER_TICK);
        }
        return cpu;
    }

    /** @return memory in bytes of every container, as docker stats shows it: its usage less inactive file pages */
    public Map<String, Long> memory() {
        Map<String, Long> memory = new LinkedHashMap<>();
        containers.forEach(c -> put(memory, "memory", c.name(), () -> Math.max(0, Long.parseLong(read(c.memoryUsage()))
                - keyed(c.memoryStat(), c.v2() ? "inactive_file" : "total_inactive_file"))));
        return memory;
    }

    /** Puts what {@code reading} reads, or says what could not be read. */
    private <T> void put(Map<String, T> into, String what, String part, Callable<T> reading) {
        try {
            into.put(part, reading.call());
        } catch (Exception e) {
            if (problems.size() < 20) {
                problems.add(what + " of " + part + ": " + e.getMessage());
            }
        }
    }

    /** @return resident memory of this JVM in bytes, 0 when unknown */
    public static long generatorResident() {
        try {
            return 1024 * Long.parseLong(read(Path.of("/proc/self/status")).replaceAll("(?s).*VmRSS:\\s*(\\d+) kB.*", "$1"));
        } catch (IOException | RuntimeException e) {
            return 0; // not Linux
        }
    }

    /** CPU (ns) of the docker-proxy processes (one a published port), summed; none: left out. */
    static Map<String, Long> proxyCpu(Path proc) {
        Map<String, Long> sums = new HashMap<>();
        try (var dirs = Files.newDirectoryStream(proc, "[0-9]*")) {
            for (Path dir : dirs) {
                try {
                    String stat = read(dir.resolve("stat"));
                    if (stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')).equals("docker-proxy")) {
                        sums.merge("docker-proxy", ticks(stat) * NANOS_PER_TICK, Long::sum);
                    }
                } catch (IOException | RuntimeException e) {
                    // the process ended meanwhile
                }
            }
        } catch (IOException e) {
            // no /proc: no processes
        }
        return sums;
    }

    /** utime + stime of a {@code /proc/<pid>/stat} line, in ticks (comm may hold spaces and parentheses). */
    static long ticks(String stat) {
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    /**
     * Ticks of all CPUs from {@code /proc/stat}'s first line: {@code host}, busy (user, nice, system, irq, softirq; not idle
     * nor iowait), and {@code stolen} (steal: the hypervisor ran another machine on ours; no part's, and a slower machine).
     */
    static Map<String, Long> hostTicks(String cpuLine) {
        long[] f = Stream.of(cpuLine.trim().split("\\s+")).skip(1).mapToLong(Long::parseLong).toArray();
        return Map.of("host", f[0] + f[1] + f[2] + f[5] + f[6], "stolen", f[7]);
    }

    private static long keyed(Path file, String key) throws IOException {
        return Files.readAllLines(file).stream().filter(line -> line.startsWith(key + " ")).findFirst()
                .map(line -> Long.parseLong(line.substring(key.length() + 1).trim()))
                .orElseThrow(() -> new IOException("no " + key + " in " + file));
    }

    private static String read(Path file) throws IOException {
        return Files.readString(file, StandardCharsets.US_ASCII).trim();
    }

    private static List<String> docker(String... args) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(Stream.concat(Stream.of("docker"), Stream.of(args)).toList())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8); // until docker ends
        if (p.waitFor() != 0) {
            throw new IOException("docker " + String.join(" ", args) + " failed: " + out.trim());
        }
        return out.lines().filter(l -> !l.isBlank()).toList();
    }
}
