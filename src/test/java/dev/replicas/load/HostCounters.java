package dev.replicas.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
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
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * Cumulative counters, read from files only so that reading them costs next to nothing: each container's cgroup
 * CPU (v1 {@code cpuacct.usage}, v2 {@code cpu.stat}) and memory (as {@code docker stats} shows it), by its name
 * less the prefix; {@code docker-proxy}, {@code dockerd}, {@code containerd} and this JVM ({@code generator}) from
 * {@code /proc/<pid>/stat}; all CPUs ({@code host}). What cannot be read is left out and said in {@link #problems()}.
 */
public class HostCounters {

    private static final long NANOS_PER_TICK = 10_000_000L; // Linux's USER_HZ: /proc counts CPU in 1/100 s
    private static final List<String> PROCESSES = List.of("docker-proxy", "dockerd", "containerd");
    /** Part names as a person reads them: consul, fabio, replica-1, replica-2, ..., replica-10. */
    static final Comparator<String> ORDER = Comparator.comparing(HostCounters::isReplica)
            .thenComparing(name -> isReplica(name) ? name.length() : 0).thenComparing(Comparator.naturalOrder());

    record Cgroup(String name, Path cpu, boolean v2, Path memoryUsage, Path memoryStat) {} // a container's files

    private final List<Cgroup> containers;
    private final Set<String> problems; // guarded by this; each said once, not at every reading
    private final Map<String, String> replicaContainers; // part name -> container, for the GC logs

    HostCounters(List<Cgroup> containers, List<String> problems, Map<String, String> replicaContainers) {
        this.containers = List.copyOf(containers);
        this.problems = new LinkedHashSet<>(problems);
        this.replicaContainers = new TreeMap<>(ORDER);
        this.replicaContainers.putAll(replicaContainers);
    }

    /** @return the counters of the host and of the containers whose names start with {@code prefix} */
    public static HostCounters discover(String prefix) {
        List<String> problems = new ArrayList<>();
        List<Cgroup> cgroups = new ArrayList<>();
        Map<String, String> replicas = new HashMap<>();
        try {
            List<String> names = docker("ps", "--filter", "name=^" + prefix, "--format", "{{.Names}}");
            for (String line : names.isEmpty() ? names : docker(Stream.concat(Stream.of("inspect", "--format",
                    "{{.Name}} {{.State.Pid}}"), names.stream()).toArray(String[]::new))) {
                String[] f = line.trim().replaceFirst("^/", "").split(" ");
                String name = partName(f[0].startsWith(prefix) ? f[0].substring(prefix.length()) : f[0]);
                if (isReplica(name)) {
                    replicas.put(name, f[0]);
                }
                cgroupOf(name, Path.of("/proc", f[1], "cgroup"), Path.of("/sys/fs/cgroup")).ifPresentOrElse(
                        cgroups::add, () -> problems.add("no readable cgroup for container " + f[0]));
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            problems.add("cannot list the containers: " + e.getMessage());
        }
        cgroups.sort(Comparator.comparing(Cgroup::name, ORDER));
        return new HostCounters(cgroups, problems, replicas);
    }

    /**
     * @return each replica's GC log (the image's {@code /opt/wlp/output/gc.log}, the rotated file first), read with
     *         {@code docker exec} once the load is over, then the generator's from {@code generatorLog}; a log that
     *         cannot be read is left out, a replica's said in {@link #problems()}
     */
    public Map<String, String> gcLogs(Path generatorLog) {
        Map<String, String> logs = new LinkedHashMap<>();
        replicaContainers.forEach((name, container) -> put(logs, "GC log", name, () -> String.join("\n", docker("exec",
                container, "sh", "-c", "cat /opt/wlp/output/gc.log.0 /opt/wlp/output/gc.log 2>/dev/null; true"))));
        try {
            logs.put("generator", Files.readString(generatorLog));
        } catch (IOException e) {
            // none: a run outside the load profile
        }
        return Collections.unmodifiableMap(logs);
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
        return cpu.entrySet().stream().filter(e -> part.equals("replicas") ? isReplica(e.getKey())
                : part.equals("consul") ? e.getKey().startsWith("consul") : e.getKey().equals(part))
                .mapToLong(Map.Entry::getValue).sum();
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
    public synchronized List<String> problems() {
        return List.copyOf(problems);
    }

    /** @return cumulative CPU in ns of every part readable now: containers, processes, generator, host */
    public Map<String, Long> cpu() {
        Map<String, Long> cpu = new LinkedHashMap<>();
        containers.forEach(c -> put(cpu, "cpu", c.name(),
                () -> c.v2() ? keyed(c.cpu(), "usage_usec") * 1000 : Long.parseLong(read(c.cpu()))));
        cpu.putAll(processCpu(Path.of("/proc")));
        put(cpu, "cpu", "generator", () -> ticks(read(Path.of("/proc/self/stat"))) * NANOS_PER_TICK);
        put(cpu, "cpu", "host", () -> hostBusyTicks(Files.readAllLines(Path.of("/proc/stat")).get(0)) * NANOS_PER_TICK);
        put(cpu, "cpu", "stolen", () -> stolenTicks(Files.readAllLines(Path.of("/proc/stat")).get(0)) * NANOS_PER_TICK);
        return cpu;
    }

    /** @return memory in bytes of every container, as docker stats shows it */
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
            synchronized (this) {
                if (problems.size() < 20) {
                    problems.add(what + " of " + part + ": " + e.getMessage());
                }
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

    /** CPU (ns) of docker-proxy, dockerd and containerd (with its shims), all processes of each; absent ones left out. */
    static Map<String, Long> processCpu(Path proc) {
        Map<String, Long> sums = new TreeMap<>(Comparator.comparing(PROCESSES::indexOf));
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(proc, "[0-9]*")) {
            for (Path dir : dirs) {
                try {
                    String stat = read(dir.resolve("stat"));
                    String comm = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    String group = comm.startsWith("containerd") ? "containerd" : comm;
                    if (PROCESSES.contains(group)) {
                        sums.merge(group, ticks(stat) * NANOS_PER_TICK, Long::sum);
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
     * Busy ticks of all CPUs from the first line of {@code /proc/stat}: user, nice, system, irq and softirq (not idle,
     * iowait, nor steal: time the hypervisor gave another machine is no part's CPU).
     */
    static long hostBusyTicks(String cpuLine) {
        String[] f = cpuLine.trim().split("\\s+");
        return IntStream.rangeClosed(1, Math.min(7, f.length - 1)).filter(i -> i != 4 && i != 5)
                .mapToLong(i -> Long.parseLong(f[i])).sum();
    }

    /**
     * Steal ticks of all CPUs (the 8th field of {@code /proc/stat}'s first line): time this virtual machine's CPUs were
     * ready to run but the hypervisor ran something else. A run with much of it measured a slower machine.
     */
    static long stolenTicks(String cpuLine) {
        String[] f = cpuLine.trim().split("\\s+");
        return f.length > 8 ? Long.parseLong(f[8]) : 0;
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
        List<String> command = Stream.concat(Stream.of("docker"), Stream.of(args)).toList();
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", command) + " failed: " + out.trim());
        }
        return out.lines().filter(l -> !l.isBlank()).toList();
    }
}
