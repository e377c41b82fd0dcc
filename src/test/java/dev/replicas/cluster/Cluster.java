package dev.replicas.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.replicas.testing.Poll;

/**
 * The cluster the integration tests run against, as they reach it: published ports on the loopback
 * host, and the Docker CLI for the containers themselves. The profiles' cluster (docker-maven-plugin)
 * speaks plain HTTP; the Swarm stack HTTPS with its own CA, Prometheus with a password, and Fabio's
 * dashboard unpublished: failsafe's system properties say which ({@code cluster.scheme}, {@code cluster.ca},
 * {@code prometheus.password.file}, {@code fabio.ui.port} none).
 */
public final class Cluster {

    public static final ObjectMapper JSON = new ObjectMapper();
    public static final String HOST = System.getProperty("cluster.host", "localhost");
    public static final int REPLICAS = Integer.getInteger("cluster.replicas", 4);
    public static final String NAME = System.getProperty("cluster.name", "hello");
    private static final String SCHEME = System.getProperty("cluster.scheme", "http");
    public static final String CONSUL = SCHEME + "://" + HOST + ":" + System.getProperty("consul.port", "8500");
    public static final String FABIO = SCHEME + "://" + HOST + ":" + System.getProperty("fabio.port", "9000");
    public static final String PROMETHEUS = SCHEME + "://" + HOST + ":" + System.getProperty("prometheus.port", "9090");
    private static final String FABIO_UI_PORT = System.getProperty("fabio.ui.port", "9001");

    private static volatile HttpClient http;
    /** The CA file's modification time the client was made with: each deploy of a Swarm suite makes a new CA. */
    private static volatile String httpMadeFor;

    private Cluster() {
    }

    /** The host port replica {@code i} publishes: 8000 + i (cluster-profiles/generate). */
    public static int replicaPort(int i) {
        return 8000 + i;
    }

    /** The container of replica {@code i}. */
    public static String replicaContainer(int i) {
        return NAME + "-replica-" + i;
    }

    public static List<Integer> replicaPorts() {
        List<Integer> ports = new ArrayList<>();
        for (int i = 1; i <= REPLICAS; i++) {
            ports.add(replicaPort(i));
        }
        return ports;
    }

    /**
     * The TLS the cluster's HTTPS is checked with: the JVM's CAs, and the one {@code cluster.ca} names
     * (read at the first call: the Swarm suite's deploy makes it).
     */
    public static SSLContext tls() {
        String ca = System.getProperty("cluster.ca", "none").replace("none", "");
        try {
            KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
            trusted.load(null, null);
            if (!ca.isEmpty()) {
                try (var in = Files.newInputStream(Path.of(ca))) {
                    trusted.setCertificateEntry("cluster-ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
                }
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(ca.isEmpty() ? null : trusted);
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(null, trust.getTrustManagers(), null);
            return tls;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cluster.ca=" + ca + ": " + e, e);
        }
    }

    /** One client for every call of the tests to the cluster, made anew when the cluster's CA changes. */
    public static HttpClient http() {
        Path ca = Path.of(System.getProperty("cluster.ca", "none"));
        String madeFor;
        try {
            madeFor = Files.exists(ca) ? Files.getLastModifiedTime(ca).toString() : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (http == null || !madeFor.equals(httpMadeFor)) {
            http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).sslContext(tls()).build();
            httpMadeFor = madeFor;
        }
        return http;
    }

    public static HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return http().send(request(url).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A GET whose body stays bytes, as {@link dev.replicas.hello.AnswerContract} checks them. */
    public static HttpResponse<byte[]> getBytes(String url) throws IOException, InterruptedException {
        return http().send(request(url).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    public static JsonNode getJson(String url) throws IOException, InterruptedException {
        return JSON.readTree(ok("GET", url, get(url)).body());
    }

    /** A PUT without a body, e.g. to Consul's agent API; fails unless it is answered 200. */
    public static void put(String url) throws IOException, InterruptedException {
        ok("PUT", url, http().send(request(url).PUT(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString()));
    }

    /** A request with a timeout, and Prometheus' password where it has one. */
    public static HttpRequest.Builder request(String url) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
        String password = System.getProperty("prometheus.password.file", "none").replace("none", "");
        if (url.startsWith(PROMETHEUS) && !password.isEmpty()) {
            try {
                String user = "hello:" + Files.readString(Path.of(password)).trim();
                request.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(user.getBytes(StandardCharsets.UTF_8)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return request;
    }

    private static HttpResponse<String> ok(String method, String url, HttpResponse<String> response) {
        if (response.statusCode() != 200) {
            throw new AssertionError(method + " " + url + " answered " + response.statusCode() + ": " + response.body());
        }
        return response;
    }

    /** Consul's passing instances of hello-server. */
    public static JsonNode passingInstances() throws IOException, InterruptedException {
        return getJson(CONSUL + "/v1/health/service/hello-server?passing=true");
    }

    /** All instances of hello-server that Consul lists, in any state. */
    public static JsonNode allInstances() throws IOException, InterruptedException {
        return getJson(CONSUL + "/v1/health/service/hello-server");
    }

    /**
     * Fabio's API (its routes, its configuration): on its published port, or where the stack does not
     * publish it, from a container in the network namespace of this node's Fabio.
     */
    public static String fabioApi(String path) throws IOException, InterruptedException {
        if (!FABIO_UI_PORT.equals("none")) {
            return ok("GET", path, get("http://" + HOST + ":" + FABIO_UI_PORT + path)).body();
        }
        String fabio = docker("ps", "-q", "--filter", "label=com.docker.swarm.service.name=" + NAME + "_fabio").lines()
                .findFirst().orElseThrow(() -> new IOException("no Fabio task on this node"));
        String answer = docker("run", "--rm", "--network", "container:" + fabio, "--entrypoint", "bash",
                System.getProperty("app.image"), "-c", "exec 3<>/dev/tcp/127.0.0.1/9001 && printf 'GET " + path
                        + " HTTP/1.0\\r\\n\\r\\n' >&3 && cat <&3");
        return answer.substring(answer.indexOf("\r\n\r\n") + 4);
    }

    /** The targets Fabio routes /hello/api/v1 to, e.g. {@code http://host.docker.internal:8001/}. */
    public static Set<String> fabioTargets() throws IOException, InterruptedException {
        Set<String> targets = new TreeSet<>();
        for (JsonNode route : JSON.readTree(fabioApi("/api/routes"))) {
            if (route.get("path").asText().equals("/hello/api/v1")) {
                targets.add(route.get("dst").asText());
            }
        }
        return targets;
    }

    /** Consul service ID of each replica that Consul lists, in any state, by its port. */
    public static Map<Integer, String> consulIds() throws IOException, InterruptedException {
        Map<Integer, String> ids = new TreeMap<>();
        for (JsonNode instance : allInstances()) {
            ids.put(instance.get("Service").get("Port").asInt(), instance.get("Service").get("ID").asText());
        }
        return ids;
    }

    /** Consul's leader, e.g. {@code 172.18.0.2:8300}; empty while there is none. */
    public static String consulLeader() throws IOException, InterruptedException {
        return get(CONSUL + "/v1/status/leader").body().replace("\"", "");
    }

    /** Waits until Consul lists {@code n} passing replicas and Fabio routes to {@code n}. */
    public static void awaitRouted(int n, Duration limit) throws Exception {
        Poll.until(n + " replicas passing and routed", limit,
                () -> passingInstances().size() + " passing, Fabio routes to " + fabioTargets(),
                seen -> seen.startsWith(n + " passing") && seen.split("http://").length - 1 == n);
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
}
