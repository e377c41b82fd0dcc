package dev.replicas.discovery;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * The three agent endpoints the registrar uses, on loopback, for unit tests of the registrar's
 * own logic (retries, refresh, deregistration). Behaviour against a real Consul agent is tested
 * by the cluster integration tests.
 */
final class ConsulAgentStub implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final Map<String, JsonNode> services = new ConcurrentHashMap<>();
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final List<String> credentials = new CopyOnWriteArrayList<>();
    /** What the agent's check of each registered service says: Consul's "passing", "warning" or "critical". */
    volatile String checkStatus = "passing";
    private final AtomicInteger failuresToServe = new AtomicInteger();
    private volatile int refuseWith;
    private volatile java.util.concurrent.CountDownLatch frozen;

    ConsulAgentStub() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/v1/agent/", this::handle);
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.start();
    }

    String address() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    /** The next {@code n} register calls answer 500. */
    void failNextRegistrations(int n) {
        failuresToServe.set(n);
    }

    /** Register calls answer {@code status} (e.g. 403, as an agent with ACLs does), 0 to stop. */
    void refuseRegistrationsWith(int status) {
        refuseWith = status;
    }

    /** Every request hangs until {@link #thaw()} (a minute at the most), as with a paused agent. */
    void freeze() {
        frozen = new java.util.concurrent.CountDownLatch(1);
    }

    void thaw() {
        java.util.concurrent.CountDownLatch latch = frozen;
        frozen = null;
        if (latch != null) {
            latch.countDown();
        }
    }

    /** A service some other process registered, as the agent lists it. */
    void addService(String id, String name, String address, int port) {
        services.put(id, JSON.createObjectNode().put("Id", id).put("Name", name).put("Address", address).put("Port", port)
                .set("Tags", JSON.createArrayNode()));
    }

    /** What a restarted agent without persistent state has: nothing. */
    void forgetEverything() {
        services.clear();
    }

    Map<String, JsonNode> services() {
        return services;
    }

    List<String> requests() {
        return requests;
    }

    /** Per request: its raw query and its X-Consul-Token header, as {@code "<query> <header>"} ("null" where absent). */
    List<String> credentials() {
        return credentials;
    }

    long count(String requestPrefix) {
        return requests.stream().filter(r -> r.startsWith(requestPrefix)).count();
    }

    private void handle(HttpExchange exchange) throws IOException {
        String request = exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath();
        requests.add(request);
        credentials.add(exchange.getRequestURI().getRawQuery() + " " + exchange.getRequestHeaders().getFirst("X-Consul-Token"));
        java.util.concurrent.CountDownLatch latch = frozen;
        if (latch != null) {
            try {
                latch.await(1, java.util.concurrent.TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readAllBytes();
        }
        if (request.equals("PUT /v1/agent/service/register")) {
            if (failuresToServe.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                respond(exchange, 500, "agent is not ready");
                return;
            }
            if (refuseWith != 0) {
                respond(exchange, refuseWith, "Permission denied: token with AccessorID 'x' lacks permission 'service:write'");
                return;
            }
            JsonNode registration = JSON.readTree(body);
            // consul-client sends "Id"; the agent, like any Go JSON decoder, matches keys without case.
            services.put(registration.get("Id").asText(), registration);
            respond(exchange, 200, "");
        } else if (request.startsWith("PUT /v1/agent/service/deregister/")) {
            String id = request.substring("PUT /v1/agent/service/deregister/".length());
            respond(exchange, services.remove(id) == null ? 404 : 200, "");
        } else if (request.equals("GET /v1/agent/checks")) {
            ObjectNode all = JSON.createObjectNode();
            services.keySet().forEach(id -> all.putObject("service:" + id).put("CheckID", "service:" + id)
                    .put("ServiceID", id).put("Status", checkStatus).put("Node", "stub").put("Name", "check of " + id));
            respond(exchange, 200, JSON.writeValueAsString(all));
        } else if (request.equals("GET /v1/agent/services")) {
            ObjectNode all = JSON.createObjectNode();
            services.forEach((id, r) -> all.putObject(id)
                    .put("ID", id)
                    .put("Service", r.get("Name").asText())
                    .put("Address", r.get("Address").asText())
                    .put("Port", r.get("Port").asInt())
                    .set("Tags", r.get("Tags")));
            respond(exchange, 200, JSON.writeValueAsString(all));
        } else {
            respond(exchange, 404, "");
        }
    }

    private static void respond(HttpExchange exchange, int status, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        thaw();
        server.stop(0);
    }
}
