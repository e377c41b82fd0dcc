package dev.replicas.swarm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.replicas.cluster.Cluster;
import dev.replicas.metrics.PrometheusTargets;
import dev.replicas.testing.Poll;
import dev.replicas.testing.Settings;

/**
 * The Swarm a suite runs on, and the stack on it, as a user makes them: this Docker engine as the
 * manager (put into Swarm mode for the suite when it was not, and taken out again after), simulated
 * worker nodes (Docker-in-Docker containers, see {@link #addNode}), and the stack deployed and
 * removed with {@code cluster-profiles/swarm}. {@link #close} leaves the engine as it found it, also
 * when a test failed.
 */
final class Swarm implements AutoCloseable {

    static final String STACK = "hello";
    static final String REPLICAS = STACK + "_replica";
    private static final Path SCRIPT = Path.of("cluster-profiles", "swarm");
    private static final Path SECRETS = Path.of("target", "swarm-secrets");
    private static final String NODE_IMAGE = Settings.of("swarm.node.image");
    private static final String APP_IMAGE = Settings.of("app.image");
    private static final String CONSUL_IMAGE = Settings.of("consul.image");
    /** The manager's address as the node containers see it: docker0's. */
    static final String MANAGER_ADDRESS = Settings.of("cluster.gateway");

    private final boolean madeSwarm;
    private final boolean madeGatewayBridge;
    private final List<String> nodes = new ArrayList<>();
    private boolean deployed;

    private Swarm(boolean madeSwarm, boolean madeGatewayBridge) {
        this.madeSwarm = madeSwarm;
        this.madeGatewayBridge = madeGatewayBridge;
    }

    /** This engine as a Swarm manager: made one if it is not in Swarm mode. */
    static Swarm open() throws Exception {
        String state = Cluster.docker("info", "--format", "{{.Swarm.LocalNodeState}}");
        boolean bridgeBefore = !Cluster.docker("network", "ls", "-q", "--filter", "name=^docker_gwbridge$").isEmpty();
        if (state.equals("active")) {
            return new Swarm(false, false);
        }
        Cluster.docker("swarm", "init", "--advertise-addr", MANAGER_ADDRESS);
        return new Swarm(true, !bridgeBefore);
    }

    /**
     * {@code cluster-profiles/swarm deploy}, as Maven runs it, with more settings.
     *
     * @param settings environment variables for the script, e.g. {@code HELLO_REPLICAS}
     * @return how long it took until it returned, every replica routed
     */
    Duration deploy(Map<String, String> settings) throws Exception {
        deployed = true;
        long start = System.nanoTime();
        script(settings, "deploy");
        return Duration.ofNanos(System.nanoTime() - start);
    }

    /** {@code cluster-profiles/swarm rm}. */
    void remove() throws Exception {
        script(Map.of(), "rm");
        deployed = false;
    }

    private void script(Map<String, String> settings, String command) throws Exception {
        // The images and timings: target/cluster.env, which this build wrote.
        ProcessBuilder builder = new ProcessBuilder("bash", SCRIPT.toString(), command).redirectErrorStream(true);
        Map<String, String> env = builder.environment();
        env.put("HELLO_STACK", STACK);
        env.put("HELLO_PUBLIC_NAMES", MANAGER_ADDRESS);
        env.put("HELLO_SECRETS", SECRETS.toAbsolutePath().toString());
        env.putAll(settings);
        Process process = builder.start();
        String output;
        try (var in = process.getInputStream()) {
            output = new String(in.readAllBytes(), StandardCharsets.UTF_8); // ends when the script does
        }
        if (!process.waitFor(1, TimeUnit.MINUTES) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new AssertionError("cluster-profiles/swarm " + command + " failed:\n" + output + diagnosis());
        }
        System.out.print(output);
    }

    /** What a failed deploy leaves to read: the stack's tasks and the last words of Consul's. */
    private static String diagnosis() {
        StringBuilder text = new StringBuilder();
        for (String[] args : List.of(new String[] {"stack", "ps", STACK, "--no-trunc", "--format",
                        "{{.Name}} {{.Node}} {{.CurrentState}} {{.Error}}"},
                new String[] {"service", "logs", "--tail", "25", "--timestamps", STACK + "_consul-server"},
                new String[] {"service", "logs", "--tail", "25", "--timestamps", STACK + "_consul-agent"})) {
            text.append("\n$ docker ").append(String.join(" ", args)).append('\n');
            try {
                text.append(Cluster.docker(args));
            } catch (Exception | AssertionError e) {
                text.append(e.getMessage());
            }
        }
        return text.toString();
    }

    /**
     * Starts a simulated node, a Docker engine in a container, joins it to the Swarm as a worker and
     * gives it the images (there is no registry): the node is named {@code name} in the Swarm, its
     * container {@code hello-<name>}.
     */
    void addNode(String name) throws Exception {
        String container = "hello-" + name;
        nodes.add(container);
        String entrypoint = Files.readString(Path.of("src", "test", "resources", "swarm", "node-entrypoint.sh"));
        Cluster.docker("run", "-d", "--name", container, "--hostname", name,
                // Everything a Docker engine needs but CAP_SYS_RESOURCE, which our machines lack (no --privileged).
                "--cap-add", "ALL", "--cap-drop", "SYS_RESOURCE", "--security-opt", "seccomp=unconfined",
                "--security-opt", "apparmor=unconfined", "--security-opt", "systempaths=unconfined",
                "-v", "/var/lib/docker", "--entrypoint", "sh", NODE_IMAGE, "-c", entrypoint);
        awaitEngine(container);
        String token = Cluster.docker("swarm", "join-token", "-q", "worker");
        Cluster.docker("exec", container, "docker", "swarm", "join", "--token", token, MANAGER_ADDRESS + ":2377");
        Process load = new ProcessBuilder("bash", "-c", "docker save " + APP_IMAGE + " " + CONSUL_IMAGE
                + " | docker exec -i " + container + " docker load").redirectErrorStream(true).start();
        String output = new String(load.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!load.waitFor(5, TimeUnit.MINUTES) || load.exitValue() != 0) {
            throw new AssertionError("loading the images into " + container + " failed: " + output);
        }
    }

    /** Waits until the engine in a node container answers (after a start or a restart). */
    static void awaitEngine(String container) throws Exception {
        Poll.until(container + "'s Docker engine", Duration.ofSeconds(60), () -> {
            try {
                return Cluster.docker("exec", container, "docker", "info", "--format", "{{.ServerVersion}}");
            } catch (AssertionError e) {
                throw new IOException(container + "'s engine does not answer yet", e);
            }
        }, version -> !version.isEmpty());
    }

    /** A call to Consul's HTTP API on this node, as a person logged in to the dashboard. */
    static JsonNode consul(String path) throws IOException, InterruptedException {
        String token = Files.readString(SECRETS.resolve("dashboard-token")).trim();
        HttpResponse<String> response = Cluster.http().send(Cluster.request(Cluster.CONSUL + path)
                .header("X-Consul-Token", token).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("GET " + path + " answered " + response.statusCode() + ": " + response.body());
        }
        return Cluster.JSON.readTree(response.body());
    }

    /** A POST to Consul's HTTP API with the management token (operator calls). */
    static void consulPost(String path) throws IOException, InterruptedException {
        HttpResponse<String> response = Cluster.http().send(Cluster.request(Cluster.CONSUL + path)
                .header("X-Consul-Token", secret("management-token")).timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new AssertionError("POST " + path + " answered " + response.statusCode() + ": " + response.body());
        }
    }

    /**
     * The logs of the stack's Consul servers that run on this engine and on the given nodes.
     */
    static String serverLogs(List<String> nodeContainers) throws Exception {
        StringBuilder logs = new StringBuilder();
        List<List<String>> engines = new ArrayList<>();
        engines.add(List.of());
        nodeContainers.forEach(node -> engines.add(List.of("exec", node, "docker")));
        for (List<String> engine : engines) {
            List<String> ps = new ArrayList<>(engine);
            ps.addAll(List.of("ps", "-q", "--filter", "label=com.docker.swarm.service.name=" + STACK + "_consul-server"));
            for (String id : Cluster.docker(ps.toArray(String[]::new)).split("\\s+")) {
                if (!id.isEmpty()) {
                    List<String> logsOf = new ArrayList<>(engine);
                    logsOf.addAll(List.of("logs", id));
                    logs.append(Cluster.docker(logsOf.toArray(String[]::new))).append('\n');
                }
            }
        }
        return logs.toString();
    }

    /** Waits until Raft has three healthy servers, so that it can lose one (Consul's autopilot). */
    static void awaitRaftHealthy(Duration limit) throws Exception {
        Poll.until("three healthy Consul servers", limit, () -> Swarm.consul("/v1/operator/autopilot/health"),
                health -> health.get("Healthy").asBoolean() && health.get("Servers").size() == 3
                        && health.get("FailureTolerance").asInt() == 1);
    }

    /** A size as docker stats writes it ({@code 173.4MiB}, {@code 1.2GiB}), in MiB. */
    static double mib(String size) {
        double value = Double.parseDouble(size.replaceAll("[A-Za-z]+$", ""));
        return switch (size.replaceAll("^[0-9.]+", "")) {
            case "GiB" -> value * 1024;
            case "KiB" -> value / 1024;
            case "B" -> value / 1024 / 1024;
            default -> value;
        };
    }

    /** Every instance of hello-server that Consul lists, in any state: Consul node, service ID, address. */
    static List<Instance> instances() throws IOException, InterruptedException {
        List<Instance> all = new ArrayList<>();
        for (JsonNode i : consul("/v1/health/service/hello-server")) {
            boolean passing = true;
            for (JsonNode check : i.get("Checks")) {
                passing &= check.get("Status").asText().equals("passing");
            }
            all.add(new Instance(i.get("Node").get("Node").asText(), i.get("Service").get("ID").asText(),
                    i.get("Service").get("Address").asText() + ":" + i.get("Service").get("Port").asInt(), passing));
        }
        return all;
    }

    /** One instance in Consul. */
    record Instance(String node, String id, String address, boolean passing) {
    }

    /** The service IDs of {@code instances}. */
    static Set<String> ids(List<Instance> instances) {
        Set<String> ids = new TreeSet<>();
        instances.forEach(i -> ids.add(i.id()));
        return ids;
    }

    /** Prometheus' active targets of a scrape job: instance label to health ("up", "down", "unknown"). */
    static Map<String, String> prometheusTargets(String job) throws Exception {
        return PrometheusTargets.of(Cluster.PROMETHEUS, job);
    }

    /** The replica count the replica service wants (its spec), as `docker service scale` or the scaler set it. */
    static int desiredReplicas() throws Exception {
        return Integer.parseInt(Cluster.docker("service", "inspect", "-f", "{{.Spec.Mode.Replicated.Replicas}}", REPLICAS));
    }

    /** The containers of running replica tasks on this node. */
    static List<String> replicaContainers() throws Exception {
        String out = Cluster.docker("ps", "-q", "--filter", "label=com.docker.swarm.service.name=" + REPLICAS);
        return out.isEmpty() ? List.of() : List.of(out.split("\\s+"));
    }

    /** A replica container's address on the stack's network, as Fabio's targets name it. */
    static String target(String container) throws Exception {
        String ip = Cluster.docker("inspect", "-f",
                "{{range $k, $v := .NetworkSettings.Networks}}{{if eq $k \"" + STACK + "_hello\"}}{{$v.IPAddress}}{{end}}{{end}}",
                container);
        return "http://" + ip + ":8000/";
    }

    /** How many of the replica service's tasks run, by image. */
    static Map<String, Integer> runningImages() throws Exception {
        Map<String, Integer> images = new HashMap<>();
        String out = Cluster.docker("service", "ps", REPLICAS, "--filter", "desired-state=running",
                "--format", "{{.Image}} {{.CurrentState}}");
        for (String line : out.split("\n")) {
            if (line.contains(" Running")) {
                images.merge(line.substring(0, line.indexOf(' ')), 1, Integer::sum);
            }
        }
        return images;
    }

    /** Removes the stack, the nodes, the secrets, and takes the engine out of Swarm mode if this made it a manager. */
    @Override
    public void close() throws Exception {
        List<Throwable> problems = new ArrayList<>();
        for (String node : nodes) {
            run(problems, () -> Cluster.docker("rm", "-f", "-v", node));
        }
        if (deployed) {
            // The suite is over: no task needs its graceful stop (a replica drains for seconds), so the
            // services go and their containers are killed before the script removes what is left.
            run(problems, () -> {
                String services = Cluster.docker("service", "ls", "-q", "--filter", "label=com.docker.stack.namespace=" + STACK);
                if (!services.isEmpty()) {
                    List<String> rm = new ArrayList<>(List.of("service", "rm"));
                    rm.addAll(List.of(services.split("\\s+")));
                    Cluster.docker(rm.toArray(String[]::new));
                }
                for (String id : Cluster.docker("ps", "-q", "--filter", "label=com.docker.stack.namespace=" + STACK).split("\\s+")) {
                    try {
                        if (!id.isEmpty()) {
                            Cluster.docker("kill", id);
                        }
                    } catch (AssertionError e) {
                        // it stopped meanwhile
                    }
                }
                remove();
                return null;
            });
        }
        if (madeSwarm) {
            run(problems, () -> Cluster.docker("swarm", "leave", "--force"));
        }
        if (madeGatewayBridge) {
            run(problems, () -> Cluster.docker("network", "rm", "docker_gwbridge"));
        }
        run(problems, () -> {
            if (Files.exists(SECRETS)) {
                try (Stream<Path> files = Files.walk(SECRETS)) {
                    files.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
                }
            }
            return null;
        });
        if (!problems.isEmpty()) {
            AssertionError error = new AssertionError("cleaning up the Swarm failed: " + problems);
            problems.forEach(error::addSuppressed);
            throw error;
        }
    }

    private static void run(List<Throwable> problems, Callable<?> step) {
        try {
            step.call();
        } catch (Exception | AssertionError e) {
            problems.add(e);
        }
    }

    /** Reads a text file of the suite's secrets (tests check that no log shows one). */
    static String secret(String name) {
        try {
            return Files.readString(SECRETS.resolve(name)).trim();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
