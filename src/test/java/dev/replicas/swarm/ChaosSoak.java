package dev.replicas.swarm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import dev.replicas.cluster.CaseReport;
import dev.replicas.cluster.Cluster;
import dev.replicas.cluster.ConstantLoad;
import dev.replicas.testing.Poll;
import dev.replicas.testing.Settings;

/**
 * A chaos soak on the three-node stack that SwarmNodesIT deploys, run by its last case: 4 minutes in
 * mvn verify -Pswarm; mvn verify -Pswarm,chaos [-Dchaos.minutes=30] [-Dchaos.seed=N] runs it alone.
 * 6 replicas on any node, 30 requests/s through Fabio, and every 30-60 s a fault drawn from a seeded
 * sequence (the seed is printed; the same seed draws the same kinds, waits and picks).
 * Checked after every fault, not only at the end: no request without an end past its timeout;
 * every failure sent inside the window of a fault that can cause it; within 100 s of the fault,
 * Consul lists exactly the running replicas and Fabio routes exactly those. At the end: every
 * replica routed, every request counted, and no replica that ran 15 minutes or more grew more than
 * 5 % in memory from its second five minutes to its last five.
 * The report: target/chaos-report.txt and the timeline target/chaos-timeline.svg.
 */
final class ChaosSoak {

    private static final CaseReport REPORT = new CaseReport("chaos", "chaos-report.txt");
    private static final int RATE = 30;
    private static final int REPLICAS = 6;
    /**
     * How soon after a fault Consul and Fabio must agree with the running replicas: 90 s, and 10 s
     * for a killed replica's entry, which Consul drops only after it has been critical for a minute
     * (its floor for deregister-after) on the reaper's next round (every 30 s), and the check takes
     * up to 5 s to find it critical.
     */
    private static final Duration CONVERGE = Duration.ofSeconds(100);
    /**
     * A fault begins only while this much of the soak remains, so that the last one's recovery (a
     * rolling update's takes 2-3 minutes) ends near the soak's end: a 4-minute soak has a bounded length.
     */
    private static final long LAST_FAULT_BEFORE_END = 90_000;
    /** A request that has no end this long after it was sent (its timeout is 5 s) is lost. */
    private static final Duration LOST = Duration.ofSeconds(15);
    /**
     * How long after a kill (once done) or a pause requests may fail: Consul's check (interval and timeout),
     * Fabio's next read (registry.consul.pollinterval, 500 ms) and 2 s for Consul's write on a busy machine.
     */
    private static final long CHECK_WINDOW = Settings.duration("cluster.check.interval")
            .plus(Settings.duration("cluster.check.timeout")).toMillis() + 2_500;
    /** How long after a worker is cut off: Consul's servers find its agent failed, and 1 s. */
    private static final long CUT_WINDOW = 11_000;
    /**
     * How long after a cut worker is healed: when Swarm had given its replicas up and started others,
     * they come back to Consul passing (their agent checks them) while the manager's overlay no longer
     * reaches them, until Swarm, reconnected, stops them there (6 and 19 s in two soaks).
     */
    private static final long HEAL_WINDOW = 30_000;
    /**
     * Marks an agent restart on the node where every replica runs: Fabio skips the services of a node whose
     * agent is down, so requests may fail until the stack has converged again (the agent back, joined, its checks run).
     */
    private static final String EVERY_REPLICA = ", where every replica runs";
    private static final String AGENTS = Swarm.STACK + "_consul-agent";
    private static final String SERVERS = Swarm.STACK + "_consul-server";
    private static final String FABIO = Swarm.STACK + "_fabio";
    private static final List<String> NODES = List.of("node-1", "node-2");

    /** What the soak does to the stack. */
    enum Kind {
        KILL_REPLICA, STOP_REPLICA, PAUSE_REPLICA, KILL_CONSUL_SERVER, RESTART_AGENT, CUT_WORKER, RESTART_FABIO,
        ROLLING_UPDATE, SCALE
    }

    /**
     * One fault: what, to what, and when (ms of the load): begun, its action over, and the stack
     * converged again (Consul and Fabio agree with the running replicas).
     */
    record Fault(Kind kind, String what, long at, long over, long converged) {
        /** Whether {@code f} may fail for this fault: sent from 1 s before it (then in flight) to the end of its window. */
        boolean allows(ConstantLoad.Failure f) {
            long sent = f.sentMillis();
            boolean from = sent >= at - 1_000;
            return switch (kind) {
                case KILL_REPLICA -> from && sent <= over + CHECK_WINDOW; // once the kill is done
                case PAUSE_REPLICA -> from && sent <= at + CHECK_WINDOW;
                case CUT_WORKER -> from && sent <= at + CUT_WINDOW || sent >= over && sent <= over + HEAL_WINDOW;
                case RESTART_FABIO -> from && sent <= over + 1_000; // until Fabio answers again
                case RESTART_AGENT -> from && what.endsWith(EVERY_REPLICA) && sent <= converged;
                default -> false;
            };
        }
    }

    private static String manager;

    private ChaosSoak() {
    }

    /** Runs the soak for {@code chaos.minutes} with {@code chaos.seed} (a new one when not given). */
    static void run() throws Exception {
        manager = Cluster.docker("info", "--format", "{{.Name}}");
        // Replicas on every node from here on (SwarmNodesIT keeps them off node-2), as many as the soak wants.
        Cluster.docker("node", "update", "--label-rm", "hello.replicas", "node-2");
        Cluster.dockerWithin(Duration.ofMinutes(5), "service", "scale", "--detach=false", Swarm.REPLICAS + "=" + REPLICAS);
        converge();
        int minutes = Integer.parseInt(Settings.of("chaos.minutes"));
        String given = System.getProperty("chaos.seed", "");
        long seed = given.isBlank() || given.startsWith("${") ? new Random().nextLong() : Long.parseLong(given);
        REPORT.line("soak", minutes + " minutes at " + RATE + " requests/s, seed " + seed + " (re-run: -Dchaos.seed=" + seed + ")");
        Random random = new Random(seed);
        List<Fault> faults = new ArrayList<>();
        MemorySampler memory = new MemorySampler();
        int rollout = 0;
        try (memory; ConstantLoad load = ConstantLoad.start(RATE, minutes * 60 + 900)) {
            load.awaitUnderWay();
            long end = load.elapsedMillis() + minutes * 60_000L;
            long next = load.elapsedMillis() + 30_000 + random.nextInt(30_001);
            while (next < end - LAST_FAULT_BEFORE_END) {
                Thread.sleep(Math.max(0, next - load.elapsedMillis())); // the pace of the soak, not a synchronisation
                Kind kind = Kind.values()[random.nextInt(Kind.values().length)];
                int pick = random.nextInt(1_000);
                if (kind == Kind.KILL_CONSUL_SERVER || kind == Kind.CUT_WORKER) {
                    // Never two Consul servers lost at once: a cut worker takes its server along, and a killed
                    // server is back in Raft only ~50 s later (Consul refuses its name at a new address for 30 s).
                    Swarm.awaitRaftHealthy(Duration.ofMinutes(2));
                }
                long at = load.elapsedMillis();
                String what = strike(kind, pick, kind == Kind.ROLLING_UPDATE ? ++rollout : 0, random.nextBoolean());
                long over = load.elapsedMillis();
                String state = converge();
                Fault fault = new Fault(kind, what, at, over, load.elapsedMillis());
                faults.add(fault);
                REPORT.line("fault " + faults.size(), String.format("%s %s at %d ms, over after %d ms, converged after %d ms"
                        + " (%s); load %s", kind, what, at, over - at, fault.converged() - at, state, load));
                check(load, faults);
                next = Math.max(at + 30_000 + random.nextInt(30_001), load.elapsedMillis());
            }
            Thread.sleep(Math.max(0, end - load.elapsedMillis())); // the soak's length, not a synchronisation
            int desired = Swarm.desiredReplicas();
            Poll.until("all " + desired + " replicas running", CONVERGE, Duration.ofSeconds(2), ChaosSoak::running,
                    r -> r.size() == desired);
            converge();
            load.awaitMore(2);
            load.close();
            check(load, faults);
            load.assertEveryRequestCounted();
            report(load, faults, memory, seed);
            memory.assertNoGrowth();
        }
    }

    /** Does one fault; returns what it struck. */
    private static String strike(Kind kind, int pick, int rollout, boolean up) throws Exception {
        switch (kind) {
            case KILL_REPLICA, STOP_REPLICA, PAUSE_REPLICA -> {
                Task task = pick(tasks(Swarm.REPLICAS), pick);
                String container = task.container();
                if (kind == Kind.PAUSE_REPLICA) {
                    task.docker("pause", container);
                    Thread.sleep(10_000); // the fault lasts 10 s
                    task.docker("unpause", container);
                } else {
                    task.docker(kind == Kind.KILL_REPLICA ? "kill" : "stop", container);
                }
                return "replica on " + task.node();
            }
            case KILL_CONSUL_SERVER -> {
                Task task = pick(tasks(SERVERS), pick);
                task.docker("kill", task.container());
                return "server on " + task.node();
            }
            case RESTART_AGENT -> {
                Task task = pick(tasks(AGENTS), pick);
                List<Task> replicas = tasks(Swarm.REPLICAS);
                boolean every = replicas.stream().allMatch(r -> r.node().equals(task.node()));
                task.docker("restart", task.container());
                return "agent on " + task.node() + (every ? EVERY_REPLICA : "");
            }
            case CUT_WORKER -> {
                String node = NODES.get(pick % NODES.size());
                Cluster.docker("exec", "hello-" + node, "sh", "-c", "iptables -I INPUT -j DROP && iptables -I OUTPUT -j DROP");
                Thread.sleep(20_000); // cut off for 20 s
                Cluster.docker("exec", "hello-" + node, "sh", "-c", "iptables -D INPUT -j DROP && iptables -D OUTPUT -j DROP");
                return node + " for 20 s";
            }
            case RESTART_FABIO -> {
                Cluster.dockerWithin(Duration.ofMinutes(2), "service", "update", "--detach=false", "--force", FABIO);
                Poll.until("Fabio routing again", Duration.ofSeconds(60), Cluster::fabioTargets, t -> !t.isEmpty());
                return "on " + manager;
            }
            case ROLLING_UPDATE -> {
                Cluster.dockerWithin(Duration.ofMinutes(10), "service", "update", "--detach=false",
                        "--env-add", "HELLO_ROLLOUT=" + rollout, Swarm.REPLICAS);
                return "of " + Swarm.desiredReplicas() + " replicas";
            }
            case SCALE -> {
                int from = Swarm.desiredReplicas();
                int to = from <= REPLICAS - 2 ? from + 2 : from >= REPLICAS + 2 ? from - 2 : up ? from + 2 : from - 2;
                Cluster.dockerWithin(Duration.ofMinutes(5), "service", "scale", "--detach=false", Swarm.REPLICAS + "=" + to);
                return from + " -> " + to;
            }
            default -> throw new IllegalStateException(kind.name());
        }
    }

    /**
     * Waits until as many replicas run as the service wants, Consul lists exactly those (no ghost,
     * none missing), all passing, and Fabio routes exactly those; fails after {@link #CONVERGE}.
     */
    private static String converge() throws Exception {
        return Poll.until("Consul and Fabio agree with the running replicas", CONVERGE, Duration.ofSeconds(2), () -> {
            Set<String> running = running();
            Set<String> consul = new TreeSet<>();
            boolean passing = true;
            for (Swarm.Instance i : Swarm.instances()) {
                consul.add("http://" + i.address() + "/");
                passing &= i.passing();
            }
            Set<String> fabio = Cluster.fabioTargets();
            int desired = Swarm.desiredReplicas();
            return running.size() == desired && running.equals(consul) && passing && running.equals(fabio)
                    ? running.size() + " routed" : "running " + running + " of " + desired + ", Consul " + consul
                    + (passing ? "" : " (not all passing)") + ", Fabio " + fabio;
        }, state -> state.endsWith(" routed"));
    }

    /** Fails if a request went without an end, or a failure was sent outside every fault's window. */
    private static void check(ConstantLoad load, List<Fault> faults) throws Exception {
        assertEquals(0, load.lost(LOST), "requests without an end " + LOST.toSeconds() + " s after they were sent");
        List<ConstantLoad.Failure> outside = load.failures().stream()
                .filter(f -> faults.stream().noneMatch(fault -> fault.allows(f))).toList();
        if (!outside.isEmpty()) {
            REPORT.line("failures outside every window", outside.size() + ", sent from " + outside.get(0).sentMillis()
                    + " to " + outside.get(outside.size() - 1).sentMillis() + " ms; now: " + diagnosis());
        }
        assertTrue(outside.isEmpty(), outside.size() + " failures outside every fault's window, the first "
                + outside.subList(0, Math.min(5, outside.size())) + "; faults " + faults);
    }

    /** What a person looking into a failure wants first: where each replica runs, what Consul and Fabio have. */
    private static String diagnosis() throws Exception {
        StringBuilder out = new StringBuilder("Fabio routes " + Cluster.fabioTargets() + "; Consul has " + Swarm.instances());
        for (String node : allNodes()) {
            out.append("; on ").append(node).append(": ").append(new Task("", node).docker("ps", "-a", "--filter",
                    "label=com.docker.swarm.service.name=" + Swarm.REPLICAS, "--format", "{{.ID}} {{.Status}}"
                    + " {{.Label \"com.docker.swarm.task.id\"}}").replace('\n', ','));
            for (String id : new Task("", node).docker("ps", "-q", "--filter", "label=com.docker.swarm.service.name="
                    + Swarm.REPLICAS).split("\\s+")) {
                if (!id.isEmpty()) {
                    out.append(" ").append(id).append("=").append(new Task("", node).docker("inspect", "-f",
                            "{{range .NetworkSettings.Networks}}{{.IPAddress}}/{{.MacAddress}} {{end}}", id));
                }
            }
        }
        // Fabio's failed reads of Consul, and Consul's own complaints, of the last 90 s (all nodes).
        // Consul pads its levels to five letters: "[WARN]  agent...".
        for (String service : List.of("fabio", "consul-agent", "consul-server")) {
            try {
                List<String> lines = Cluster.docker("service", "logs", "--since", "90s", "--timestamps", Swarm.STACK + "_" + service)
                        .lines().filter(l -> l.contains("[WARN] consul") || l.contains("[ERROR]") || l.contains("[WARN]  agent")
                                || l.contains("election")).toList();
                out.append("; ").append(service).append(" logs: ")
                        .append(String.join(" | ", lines.subList(Math.max(0, lines.size() - 20), lines.size())));
            } catch (AssertionError e) {
                out.append("; ").append(service).append(" logs: ").append(e.getMessage());
            }
        }
        return out.toString();
    }

    /** A Swarm task that runs: its ID and node. */
    record Task(String id, String node) {
        String docker(String... args) throws Exception {
            List<String> command = new ArrayList<>(node.equals(manager) ? List.of() : List.of("exec", "hello-" + node, "docker"));
            command.addAll(List.of(args));
            return Cluster.docker(command.toArray(String[]::new));
        }

        String container() throws Exception {
            String id = docker("ps", "-q", "--filter", "label=com.docker.swarm.task.id=" + id());
            if (id.isEmpty()) {
                throw new AssertionError("no container for task " + id() + " on " + node);
            }
            return id.split("\\s+")[0];
        }
    }

    private static List<Task> tasks(String service) throws Exception {
        List<Task> tasks = new ArrayList<>();
        for (String line : Cluster.docker("service", "ps", service, "--no-trunc", "--filter", "desired-state=running",
                "--format", "{{.ID}} {{.Node}} {{.CurrentState}}").split("\n")) {
            String[] parts = line.split(" ");
            if (parts.length > 2 && parts[2].equals("Running")) {
                tasks.add(new Task(parts[0], parts[1]));
            }
        }
        // By node first: task IDs are new in every run, nodes are not, so a seed strikes the same agent or server again.
        tasks.sort(Comparator.comparing(Task::node).thenComparing(Task::id));
        return tasks;
    }

    private static Task pick(List<Task> tasks, int pick) {
        assertTrue(!tasks.isEmpty(), "no running task to strike");
        return tasks.get(pick % tasks.size());
    }

    /** The running replica containers on all three engines, as Fabio names its targets; an IOException while they change. */
    private static Set<String> running() throws Exception {
        try {
            return runningNow();
        } catch (AssertionError e) { // a container went between docker ps and docker inspect
            throw new IOException(e.getMessage(), e);
        }
    }

    private static Set<String> runningNow() throws Exception {
        Set<String> targets = new TreeSet<>();
        for (String node : allNodes()) {
            Task engine = new Task("", node);
            String ids = engine.docker("ps", "-q", "--filter", "status=running",
                    "--filter", "label=com.docker.swarm.service.name=" + Swarm.REPLICAS);
            for (String id : ids.isEmpty() ? new String[0] : ids.split("\\s+")) {
                targets.add("http://" + engine.docker("inspect", "-f", "{{range $k, $v := .NetworkSettings.Networks}}"
                        + "{{if eq $k \"" + Swarm.STACK + "_hello\"}}{{$v.IPAddress}}{{end}}{{end}}", id) + ":8000/");
            }
        }
        return targets;
    }

    private static List<String> allNodes() {
        List<String> all = new ArrayList<>(List.of(manager));
        all.addAll(NODES);
        return all;
    }

    /** The table per kind of fault, the timeline chart, and the figures of the whole soak. */
    private static void report(ConstantLoad load, List<Fault> faults, MemorySampler memory, long seed) throws Exception {
        Map<Kind, List<Fault>> byKind = new EnumMap<>(Kind.class);
        faults.forEach(f -> byKind.computeIfAbsent(f.kind(), k -> new ArrayList<>()).add(f));
        StringBuilder table = new StringBuilder("| fault | times | failed requests | routed again after (median, max) |\n|---|---:|---:|---|\n");
        byKind.forEach((kind, list) -> {
            long failed = load.failures().stream().filter(f -> list.stream().anyMatch(fault -> fault.allows(f))).count();
            long[] took = list.stream().mapToLong(f -> f.converged() - f.at()).sorted().toArray();
            double median = (took[(took.length - 1) / 2] + took[took.length / 2]) / 2000.0;
            table.append(String.format("| %s | %d | %d | %.1f s, %.1f s |%n", kind.name().toLowerCase().replace('_', ' '),
                    list.size(), failed, median, took[took.length - 1] / 1000.0));
        });
        REPORT.line("faults by kind (seed " + seed + ")", "\n" + table);
        REPORT.line("whole soak", String.format("%d faults; load %s; p99 %.1f ms; memory %s", faults.size(), load,
                load.p99Millis(), memory.summary()));
        Files.writeString(Path.of("target", "chaos-timeline.svg"), timeline(load.okBySecond(), load.failures(), faults));
    }

    /** Answers per second (grey), failures per second (red), and each fault as a line with its number. */
    static String timeline(int[] ok, List<ConstantLoad.Failure> failures, List<Fault> faults) {
        int width = 960;
        int height = 240;
        double x = (double) width / Math.max(1, ok.length);
        // Twice the usual second, not the largest: answers that queued behind a stall come in one second.
        int top = Math.max(1, 2 * Arrays.stream(ok).sorted().skip(ok.length / 2).findFirst().orElse(1));
        Map<Long, Long> failed = failures.stream().collect(Collectors.groupingBy(f -> f.atMillis() / 1000, Collectors.counting()));
        StringBuilder svg = new StringBuilder(String.format("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
                + " font-family=\"sans-serif\" font-size=\"10\"><rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>%n", width, height + 30));
        StringBuilder line = new StringBuilder();
        for (int s = 0; s < ok.length; s++) {
            line.append(String.format("%.1f,%.1f ", s * x, height - (double) Math.min(ok[s], top) / top * (height - 20)));
        }
        svg.append("<polyline fill=\"none\" stroke=\"#888\" points=\"").append(line).append("\"/>\n");
        failed.forEach((s, count) -> {
            long n = Math.min(count, top);
            svg.append(String.format("<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"red\"/>%n",
                    s * x, height - (double) n / top * (height - 20), Math.max(1, x), (double) n / top * (height - 20)));
        });
        for (int i = 0; i < faults.size(); i++) {
            double at = faults.get(i).at() / 1000.0 * x;
            svg.append(String.format("<line x1=\"%.1f\" x2=\"%.1f\" y1=\"10\" y2=\"%d\" stroke=\"#36c\" stroke-dasharray=\"3,3\"/>"
                    + "<text x=\"%.1f\" y=\"%d\" fill=\"#36c\">%d</text>%n", at, at, height, at + 2, 10 + (i % 3) * 10, i + 1));
        }
        svg.append(String.format("<text x=\"4\" y=\"%d\">requests/s answered (grey, top %d), failed (red), faults (blue,"
                + " numbered as in the table); %d s</text>%n</svg>%n", height + 20, top, ok.length));
        return svg.toString();
    }

    /** Samples every replica container's memory (docker stats) on all three engines, every 30 s. */
    private static final class MemorySampler implements AutoCloseable {
        private final long start = System.nanoTime();
        private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        /** Container name to (minute of the soak, MiB). */
        private final Map<String, List<double[]>> samples = new ConcurrentHashMap<>();

        MemorySampler() {
            timer.scheduleWithFixedDelay(this::sample, 0, 30, TimeUnit.SECONDS);
        }

        private void sample() {
            double minute = (System.nanoTime() - start) / 60e9;
            for (String node : allNodes()) {
                try {
                    String out = new Task("", node).docker("stats", "--no-stream", "--format", "{{.Name}} {{.MemUsage}}");
                    for (String line : out.split("\n")) {
                        if (line.startsWith(Swarm.REPLICAS + ".")) {
                            String used = line.substring(line.indexOf(' ') + 1).split(" / ")[0];
                            samples.computeIfAbsent(line.substring(0, line.indexOf(' ')), k -> new ArrayList<>())
                                    .add(new double[] {minute, Swarm.mib(used)});
                        }
                    }
                } catch (Exception | AssertionError e) {
                    // a node cut off or restarting: the next sample counts
                }
            }
        }

        /**
         * Fails if a replica that ran 15 minutes or more grew more than 5 % from its own second five minutes
         * to its last five: the soak replaces replicas (kills, updates), so few run through the whole soak.
         */
        void assertNoGrowth() {
            Map<String, String> grown = new TreeMap<>();
            Map<String, String> compared = new TreeMap<>();
            for (var e : samples.entrySet()) {
                double first = e.getValue().get(0)[0];
                double end = e.getValue().get(e.getValue().size() - 1)[0];
                if (end - first >= 15) {
                    double second = mean(e.getValue(), first + 5, first + 10);
                    double last = mean(e.getValue(), end - 5, end + 1);
                    String change = String.format("%.1f -> %.1f MiB over %.0f min", second, last, end - first);
                    compared.put(e.getKey(), change);
                    if (last > second * 1.05) {
                        grown.put(e.getKey(), change);
                    }
                }
            }
            REPORT.line("memory", compared.size() + " replicas ran 15 minutes or more (their second five minutes -> their last"
                    + " five): " + compared.values() + "; grown more than 5 %: " + grown);
            assertTrue(grown.isEmpty(), "replicas whose memory grew: " + grown);
        }

        String summary() {
            return samples.size() + " replica containers sampled, the most " + samples.values().stream().flatMap(List::stream)
                    .mapToDouble(s -> s[1]).max().orElse(0) + " MiB";
        }

        private static double mean(List<double[]> samples, double from, double to) {
            return samples.stream().filter(s -> s[0] >= from && s[0] < to).mapToDouble(s -> s[1]).average().orElse(0);
        }

        @Override
        public void close() throws InterruptedException {
            timer.shutdownNow();
            timer.awaitTermination(30, TimeUnit.SECONDS);
        }
    }
}
