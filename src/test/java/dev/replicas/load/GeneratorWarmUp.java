package dev.replicas.load;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpServer;
import dev.replicas.hello.HelloPayload;

/**
 * A stand-in for the cluster on loopback, inside the generator's JVM, that the simulation sends its first
 * {@code load.generatorWarmUp} requests to, with the same checks, before the measured run. Why: a cold generator
 * (Netty, Gatling and the checks still interpreted) cost 10 ms of CPU per request in its first second against 1.3
 * later, and put 300-450 ms on that second's slowest answers, also against a replica that had already served a
 * minute (docs/load-test.md, "Cold tails"). Warmed on its own stand-in, it measures the cluster's first second,
 * not its own; nothing of the warm-up reaches the cluster or the report.
 */
record GeneratorWarmUp(HttpServer server) implements AutoCloseable {

    /** Starts a stand-in whose answers carry {@code payload} letters of {@code Data}, as the replicas' do. */
    static GeneratorWarmUp start(int payload) throws IOException {
        byte[] body = new HelloPayload(UUID.randomUUID(), payload).render();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.createContext("/hello/api/v1", exchange -> {
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.setExecutor(Executors.newFixedThreadPool(2));
        server.start();
        return new GeneratorWarmUp(server);
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/hello/api/v1";
    }

    @Override
    public void close() {
        server.stop(0);
        ((ExecutorService) server.getExecutor()).shutdownNow();
    }
}
