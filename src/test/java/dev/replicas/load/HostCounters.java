package dev.replicas.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Cumulative counters of the machine the load runs on, read from files only, so that reading
 * them costs next to nothing: CPU time of every part of the stack and memory of every container.
 *
 * <ul>
 *   <li>each container of the cluster (name without the cluster prefix, e.g. {@code fabio},
 *       {@code replica-3}): its cgroup's CPU ({@code cpuacct.usage} on cgroup v1,
 *       {@code cpu.stat usage_usec} on v2) and memory (usage less inactive file pages, as
 *       {@code docker stats} shows it);</li>
 *   <li>{@code docker-proxy}: Docker's userland proxy for published ports, all its processes,
 *       {@code dockerd} and {@code containerd} (with the shims), from {@code /proc/<pid>/stat};</li>
 *   <li>{@code generator}: this JVM, the load generator;</li>
 *   <li>{@code host}: every CPU of the machine, busy time from {@code /proc/stat}.</li>
 * </ul>
 *
 * <p>The containers are found once, with two Docker CLI calls, when the counters are made.
 * Where a file cannot be read (another OS, no permission) the part is left out and the reason
 * kept in {@link #problems()}.
 */
public final class HostCounters {

    /** Linux's USER_HZ: /proc counts CPU time in these ticks. */
    private static final long NANOS_PER_TICK = 10_000_000L;

    /** The processes counted by name, outside any container. */
    static final Map<String, List<String>> PROCESSES = Map.of(
            "docker-proxy", List.of("docker-proxy"),
            "dockerd", List.of("dockerd"),
            "containerd", List.of("containerd", "containerd-shim", "containerd-shim-runc-v2"));

    /** One container's cgroup files. */
    record Cgroup(String name, Path cpu, boolean v2, Path memoryUsage, Path memoryStat) {
    }

    private final List<Cgroup> containers;
    private final List<String> problems;

    HostCounters(List<Cgroup> containers, List<String> problems) {
        this.containers = List.copyOf(containers);
        this.problems = new ArrayList<>(problems);
    }

    /**
     * @param prefix the containers whose names start with this (e.g. {@code hello-})
     * @return the counters of the host and of those containers
     */
    public static HostCounters discover(String prefix) {
        List<String> problems = new ArrayList<>();
        List<Cgroup> cgroups = new ArrayList<>();
        try {
            List<String> names = docker("ps", "--filter", "name=^" + prefix, "--format", "{{.Names}}");
            if (!names.isEmpty()) {
                List<String> args = new ArrayList<>(List.of("inspect", "--format", "{{.Name}} {{.State.Pid}}"));
                args.addAll(names);
                for (String line : docker(args.toArray(String[]::new))) {
                    String[] f = line.trim().replaceFirst("^/", "").split(" ");
                    String name = partName(f[0].startsWith(prefix) ? f[0].substring(prefix.length()) : f[0]);
                    Optional<Cgroup> cgroup = cgroupOf(name, Path.of("/proc", f[1], "cgroup"), Path.of("/sys/fs/cgroup"));
                    if (cgroup.isPresent()) {
                        cgroups.add(cgroup.get());
                    } else {
                        problems.add("no readable cgroup for container " + f[0]);
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            problems.add("cannot list the containers: " + e.getMessage());
        }
        cgroups.sort((a, b) -> Names.compare(a.name(), b.name()));
        return new HostCounters(cgroups, problems);
    }

    /**
     * A container's part name: as it is for the Maven profiles' containers ({@code replica-3}); for a
     * Swarm task's, {@code <service>.<slot>.<task>} becomes {@code <service>-<slot>} ({@code replica-3})
     * and {@code <service>.<node>.<task>} of a global service becomes {@code <service>}.
     */
    static String partName(String container) {
        String[] f = container.split("\\.");
        if (f.length != 3) {
            return container;
        }
        return f[1].matches("\\d+") ? f[0] + "-" + f[1] : f[0];
    }

    /**
     * The cgroup of a process, from its {@code /proc/<pid>/cgroup}, under the cgroup mount.
     */
    static Optional<Cgroup> cgroupOf(String name, Path procCgroup, Path mount) {
        List<String> lines;
        try {
            lines = Files.readAllLines(procCgroup);
        } catch (IOException e) {
            return Optional.empty();
        }
        String cpuPath = null;
        String memoryPath = null;
        String unified = null;
        for (String line : lines) {
            String[] f = line.split(":", 3);
            if (f.length < 3) {
                continue;
            }
            List<String> controllers = List.of(f[1].split(","));
            if (f[0].equals("0") && f[1].isEmpty()) {
                unified = f[2];
            }
            if (controllers.contains("cpuacct")) {
                cpuPath = f[2];
            }
            if (controllers.contains("memory")) {
                memoryPath = f[2];
            }
        }
        if (cpuPath != null && memoryPath != null) {
            for (String dir : List.of("cpuacct", "cpu,cpuacct", "cpuacct,cpu")) {
                Path cpu = mount.resolve(dir + cpuPath).resolve("cpuacct.usage");
                if (Files.isReadable(cpu)) {
                    Path memory = mount.resolve("memory" + memoryPath);
                    return Optional.of(new Cgroup(name, cpu, false, memory.resolve("memory.usage_in_bytes"),
                            memory.resolve("memory.stat")));
                }
            }
        }
        if (unified != null) {
            Path dir = mount.resolve(unified.substring(1));
            if (Files.isReadable(dir.resolve("cpu.stat"))) {
                return Optional.of(new Cgroup(name, dir.resolve("cpu.stat"), true, dir.resolve("memory.current"),
                        dir.resolve("memory.stat")));
            }
        }
        return Optional.empty();
    }

    /**
     * @return what could not be read, one line each
     */
    public synchronized List<String> problems() {
        return List.copyOf(problems);
    }

    /**
     * @return the containers measured, by short name
     */
    public List<String> containers() {
        return containers.stream().map(Cgroup::name).toList();
    }

    /**
     * @return cumulative CPU time in ns of every part readable now, containers first, then the
     *         processes, {@code generator} and {@code host}
     */
    public Map<String, Long> cpu() {
        Map<String, Long> cpu = new LinkedHashMap<>();
        for (Cgroup c : containers) {
            try {
                cpu.put(c.name(), c.v2() ? keyed(c.cpu(), "usage_usec") * 1000 : Long.parseLong(read(c.cpu())));
            } catch (IOException | RuntimeException e) {
                problem("cpu of " + c.name() + ": " + e.getMessage());
            }
        }
        Map<String, Long> processes = processCpu(Path.of("/proc"));
        cpu.putAll(processes);
        try {
            cpu.put("generator", ticks(read(Path.of("/proc/self/stat"))) * NANOS_PER_TICK);
            cpu.put("host", hostBusyTicks(Files.readAllLines(Path.of("/proc/stat")).get(0)) * NANOS_PER_TICK);
        } catch (IOException | RuntimeException e) {
            problem("cpu of the generator or the host: " + e.getMessage());
        }
        return cpu;
    }

    /**
     * @return memory in bytes of every container, as docker stats shows it
     */
    public Map<String, Long> memory() {
        Map<String, Long> memory = new LinkedHashMap<>();
        for (Cgroup c : containers) {
            try {
                long usage = Long.parseLong(read(c.memoryUsage()));
                long inactive = keyed(c.memoryStat(), c.v2() ? "inactive_file" : "total_inactive_file");
                memory.put(c.name(), Math.max(0, usage - inactive));
            } catch (IOException | RuntimeException e) {
                problem("memory of " + c.name() + ": " + e.getMessage());
            }
        }
        return memory;
    }

    /**
     * @return resident memory of this JVM in bytes, 0 when unknown
     */
    public static long generatorResident() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.substring(6).trim().split("\\s+")[0]) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return 0;
    }

    /** CPU (ns) of the processes in {@link #PROCESSES}, summed per group; groups with no process are left out. */
    static Map<String, Long> processCpu(Path proc) {
        Map<String, Long> sums = new LinkedHashMap<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(proc, p -> p.getFileName().toString().matches("[0-9]+"))) {
            for (Path dir : dirs) {
                try {
                    String stat = read(dir.resolve("stat"));
                    String comm = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    for (Map.Entry<String, List<String>> group : PROCESSES.entrySet()) {
                        if (group.getValue().contains(comm)) {
                            sums.merge(group.getKey(), ticks(stat) * NANOS_PER_TICK, Long::sum);
                        }
                    }
                } catch (IOException | RuntimeException e) {
                    // the process ended meanwhile
                }
            }
        } catch (IOException e) {
            return sums;
        }
        Map<String, Long> ordered = new LinkedHashMap<>();
        for (String name : List.of("docker-proxy", "dockerd", "containerd")) {
            if (sums.containsKey(name)) {
                ordered.put(name, sums.get(name));
            }
        }
        return ordered;
    }

    /** utime + stime of a {@code /proc/<pid>/stat} line, in ticks. */
    static long ticks(String stat) {
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    /** Busy ticks of all CPUs from the first line of {@code /proc/stat}: all but idle and iowait. */
    static long hostBusyTicks(String cpuLine) {
        String[] f = cpuLine.trim().split("\\s+");
        long busy = 0;
        for (int i = 1; i < f.length && i <= 8; i++) {
            if (i != 4 && i != 5) {
                busy += Long.parseLong(f[i]);
            }
        }
        return busy;
    }

    private static long keyed(Path file, String key) throws IOException {
        for (String line : Files.readAllLines(file)) {
            if (line.startsWith(key + " ")) {
                return Long.parseLong(line.substring(key.length() + 1).trim());
            }
        }
        throw new IOException("no " + key + " in " + file);
    }

    private static String read(Path file) throws IOException {
        return Files.readString(file, StandardCharsets.US_ASCII).trim();
    }

    private synchronized void problem(String problem) {
        if (!problems.contains(problem) && problems.size() < 20) {
            problems.add(problem);
        }
    }

    private static List<String> docker(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("docker"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", command) + " failed: " + out.trim());
            }
            return out.lines().filter(l -> !l.isBlank()).toList();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
