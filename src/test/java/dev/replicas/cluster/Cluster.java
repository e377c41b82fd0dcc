package dev.replicas.cluster;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The cluster that docker-maven-plugin started for the integration tests, as the tests reach it:
 * published ports on the loopback host, and the Docker CLI for the containers themselves.
 */
public final class Cluster {

    public static final ObjectMapper JSON = new ObjectMapper();
    public static final String HOST = System.getProperty("cluster.host", "localhost");
    public static final int REPLICAS = Integer.getInteger("cluster.replicas", 4);
    public static final String NAME = System.getProperty("cluster.name", "hello");
    public static final String CONSUL = "http://" + HOST + ":" + System.getProperty("consul.port", "8500");
    public static final String FABIO = "http://" + HOST + ":" + System.getProperty("fabio.port", "9000");
    public static final String FABIO_UI = "http://" + HOST + ":" + System.getProperty("fabio.ui.port", "9001");

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private Cluster() {
    }

    /** The host port replica {@code i} publishes: 8000 + i (cluster-profiles/generate). */
    public static int replicaPort(int i) {
        return 8000 + i;
    }

    public static List<Integer> replicaPorts() {
        List<Integer> ports = new ArrayList<>();
        for (int i = 1; i <= REPLICAS; i++) {
            ports.add(replicaPort(i));
        }
        return ports;
    }

    public static HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** A GET whose body stays bytes, as {@link dev.replicas.hello.AnswerContract} checks them. */
    public static HttpResponse<byte[]> getBytes(String url) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    public static JsonNode getJson(String url) throws IOException, InterruptedException {
        HttpResponse<String> response = get(url);
        if (response.statusCode() != 200) {
            throw new AssertionError("GET " + url + " answered " + response.statusCode() + ": " + response.body());
        }
        return JSON.readTree(response.body());
    }

    public static void put(String url) throws IOException, InterruptedException {
        HTTP.send(HttpRequest.newBuilder(URI.create(url)).PUT(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.discarding());
    }

    /** Consul's passing instances of hello-server. */
    public static JsonNode passingInstances() throws IOException, InterruptedException {
        return getJson(CONSUL + "/v1/health/service/hello-server?passing=true");
    }

    /** All instances of hello-server that Consul lists, in any state. */
    public static JsonNode allInstances() throws IOException, InterruptedException {
        return getJson(CONSUL + "/v1/health/service/hello-server");
    }

    /** The targets Fabio routes /hello/api/v1 to, e.g. {@code http://host.docker.internal:8001/}. */
    public static java.util.Set<String> fabioTargets() throws IOException, InterruptedException {
        java.util.Set<String> targets = new java.util.TreeSet<>();
        for (JsonNode route : getJson(FABIO_UI + "/api/routes")) {
            if (route.get("path").asText().equals("/hello/api/v1")) {
                targets.add(route.get("dst").asText());
            }
        }
        return targets;
    }

    /** Waits until Consul lists {@code n} passing replicas and Fabio routes to {@code n}. */
    public static void awaitRouted(int n, Duration limit) throws Exception {
        await(n + " replicas passing and routed", limit,
                () -> passingInstances().size() + " passing, Fabio routes to " + fabioTargets(),
                seen -> seen.startsWith(n + " passing") && seen.split("http://").length - 1 == n);
    }

    /** Polls {@code probe} until {@code done} holds, at most {@code limit}; returns the last value. */
    public static <T> T await(String what, Duration limit, Probe<T> probe, Predicate<T> done) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        T value = probe.get();
        while (!done.test(value)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + limit.toSeconds() + " s: " + what + "; last seen: " + value);
            }
            Thread.sleep(200);
            value = probe.get();
        }
        return value;
    }

    /** Runs the Docker CLI, bounded to one minute, and fails on a non-zero exit. */
    public static String docker(String... args) throws IOException, InterruptedException {
        return dockerWithin(Duration.ofMinutes(1), args);
    }

    /** Runs the Docker CLI, bounded to {@code limit}, and fails on a non-zero exit. */
    public static String dockerWithin(Duration limit, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("docker"));
        command.addAll(List.of(args));
        // Into a file, not a pipe: a long output (logs) must not block the command before it ends.
        Path out = Files.createTempFile("docker", ".out");
        String output;
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("timed out after " + limit.toSeconds() + " s: " + command);
            }
            output = Files.readString(out);
            if (process.exitValue() != 0) {
                throw new AssertionError(command + " exited " + process.exitValue() + ": " + output);
            }
        } finally {
            Files.deleteIfExists(out);
        }
        return output.trim();
    }

    @FunctionalInterface
    public interface Probe<T> {
        T get() throws Exception;
    }
}
