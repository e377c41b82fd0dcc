package dev.replicas.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import dev.replicas.cluster.CaseReport;
import dev.replicas.cluster.Cluster;
import dev.replicas.cluster.ConstantLoad;
import dev.replicas.testing.Poll;
import dev.replicas.testing.Settings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Replicas against a Consul with ACLs on ({@code default_policy = "deny"}), beside the running
 * cluster and under its load: with a token that may write hello-server a replica registers; with
 * none, or a wrong one, it says so in one log line naming the refusal (403) and CONSUL_HTTP_TOKEN,
 * shows it in /health/ready's data, and no token appears in any log line or health output.
 */
class AclIT {

    private static final CaseReport REPORT = new CaseReport("faults", "faults-report.txt");
    private static final String CONSUL = Cluster.NAME + "-consul-acl";
    private static final String NETWORK = Settings.of("cluster.network");
    private static final String CONSUL_IMAGE = Settings.of("consul.image");
    private static final String APP_IMAGE = Settings.of("app.image");
    private static final String MANAGEMENT = UUID.randomUUID().toString();
    private static final String WRONG = UUID.randomUUID().toString();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final List<String> CONTAINERS = new ArrayList<>();
    private static String consulUrl;
    private static String token;

    @BeforeAll
    static void startConsulWithAcls() throws Exception {
        CONTAINERS.add(CONSUL);
        Cluster.docker("run", "-d", "--name", CONSUL, "--network", NETWORK, "--network-alias", "consul-acl",
                "-p", "127.0.0.1::8500", "-e", "CHECKPOINT_DISABLE=1", CONSUL_IMAGE,
                "agent", "-server", "-node=consul-acl", "-bootstrap-expect=1", "-client=0.0.0.0",
                "-hcl=performance { raft_multiplier = 1 }",
                "-hcl=acl { enabled = true\n default_policy = \"deny\"\n tokens { initial_management = \"" + MANAGEMENT
                        + "\"\n agent = \"" + MANAGEMENT + "\" } }");
        consulUrl = "http://127.0.0.1:" + publishedPort(CONSUL, 8500);
        // Docker's port proxy accepts and closes connections until Consul listens: that is "not yet".
        Poll.until("ACLs bootstrapped", Duration.ofSeconds(60),
                () -> call("GET", "/v1/acl/token/self", MANAGEMENT, null).statusCode(), status -> status == 200);
        call("PUT", "/v1/acl/policy", MANAGEMENT,
                "{\"Name\":\"hello-server-write\",\"Rules\":\"service \\\"hello-server\\\" { policy = \\\"write\\\" }\"}");
        HttpResponse<String> created = call("PUT", "/v1/acl/token", MANAGEMENT, "{\"Policies\":[{\"Name\":\"hello-server-write\"}]}");
        token = Cluster.JSON.readTree(created.body()).get("SecretID").asText();
    }

    @AfterAll
    static void removeContainers() throws Exception {
        List<String> rm = new ArrayList<>(List.of("rm", "-f", "-v"));
        rm.addAll(CONTAINERS);
        Cluster.docker(rm.toArray(String[]::new));
    }

    /** The host port Docker published {@code port} of {@code container} on. */
    private static int publishedPort(String container, int port) throws Exception {
        return Integer.parseInt(Cluster.docker("port", container, String.valueOf(port)).lines().findFirst().orElseThrow()
                .replaceAll(".*:", ""));
    }

    private static HttpResponse<String> call(String method, String path, String withToken, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(consulUrl + path)).timeout(Duration.ofSeconds(5))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (withToken != null) {
            request.header("X-Consul-Token", withToken);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Starts a replica against the ACL Consul; returns its published port. */
    private static int replica(String name, String withToken) throws Exception {
        String container = Cluster.NAME + "-acl-" + name;
        CONTAINERS.add(container);
        List<String> run = new ArrayList<>(List.of("run", "-d", "--name", container, "--network", NETWORK,
                "-p", "127.0.0.1::8000", "-e", "CONSUL_HTTP_ADDR=consul-acl:8500", "-e", "DOCKERPORT=18400",
                "-e", "HELLO_ADVERTISE_ADDRESS=" + name + ".invalid", "-e", "HELLO_REGISTRATION_RETRY_MAX=2s",
                "-e", "HELLO_SERVICE_TAGS=acl-" + name));
        if (withToken != null) {
            run.addAll(List.of("-e", "CONSUL_HTTP_TOKEN=" + withToken));
        }
        run.add(APP_IMAGE);
        Cluster.docker(run.toArray(String[]::new));
        return publishedPort(container, 8000);
    }

    /** The readiness check's data; an IOException while the replica is not yet up (a reset, a non-JSON page). */
    private static JsonNode readinessData(int port) throws Exception {
        return Cluster.JSON.readTree(Cluster.get("http://127.0.0.1:" + port + "/health/ready").body())
                .path("checks").path(0).path("data");
    }

    private static String logsOf(String name) throws Exception {
        String container = Cluster.NAME + "-acl-" + name;
        return Cluster.docker("logs", container) + Cluster.docker("exec", container, "cat",
                "/opt/wlp/output/defaultServer/logs/messages.log");
    }

    @Test
    void withTheRightTokenAReplicaRegistersAndWithoutOrWithAWrongOneItSaysWhy() throws Exception {
        try (ConstantLoad load = ConstantLoad.start(20, 180)) {
            int good = replica("good", token);
            int none = replica("none", null);
            int wrong = replica("wrong", WRONG);

            Poll.until("the replica with the right token registered", Duration.ofSeconds(120),
                    () -> call("GET", "/v1/agent/services", MANAGEMENT, null).body(), body -> body.contains("acl-good"));
            assertEquals("registered", Poll.until("its readiness says so", Duration.ofSeconds(30),
                    () -> readinessData(good).path("consul").asText(), "registered"::equals));
            for (int port : new int[] {none, wrong}) {
                JsonNode data = Poll.until("refused on " + port, Duration.ofSeconds(120), () -> readinessData(port),
                        d -> d.path("consul").asText().equals("refused"));
                String error = data.get("consul-last-error").asText();
                assertTrue(error.contains("HTTP 403") && error.contains("CONSUL_HTTP_TOKEN"), error);
            }
            String body = call("GET", "/v1/agent/services", MANAGEMENT, null).body();
            assertFalse(body.contains("acl-none") || body.contains("acl-wrong"), body);

            for (String name : List.of("good", "none", "wrong")) {
                String logs = logsOf(name);
                assertFalse(logs.contains(token) || logs.contains(WRONG), name + "'s logs show a token");
                String health = Cluster.get("http://127.0.0.1:" + (name.equals("good") ? good : name.equals("none") ? none : wrong)
                        + "/health").body();
                assertFalse(health.contains(token) || health.contains(WRONG), name + "'s health shows a token: " + health);
            }
            String refusedLine = logsOf("wrong").lines().filter(l -> l.contains("Consul refused it")).findFirst().orElse("");
            assertTrue(refusedLine.contains("HTTP 403") && refusedLine.contains("the ACL token in CONSUL_HTTP_TOKEN"),
                    "one clear line: " + refusedLine);
            List<String> warnings = Cluster.docker("logs", Cluster.NAME + "-acl-none").lines()
                    .filter(l -> l.contains("Cannot register")).toList();
            assertEquals(1, warnings.stream().filter(l -> l.contains("Consul refused it")).count(),
                    "logged once, not per attempt: " + warnings);
            load.close();
            // The replicas send the token in a header: Consul warns of every request with ?token=.
            String consulLog = Cluster.docker("logs", CONSUL);
            assertFalse(consulLog.contains("token query parameter"), "a replica sent ?token=: " + consulLog);
            REPORT.line("Consul with ACLs (default deny)", "right token: registered; none and wrong: refused with "
                    + "HTTP 403, named in one log line and /health/ready; tokens in no log or health output; load " + load);
            load.assertEveryRequestCounted();
            assertTrue(load.failures().isEmpty(), load.toString());
        }
    }
}
