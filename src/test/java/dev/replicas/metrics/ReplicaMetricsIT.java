package dev.replicas.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.function.Predicate;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import dev.replicas.hello.HelloDeployment;
import dev.replicas.lifecycle.WarmUp;
import dev.replicas.testing.Poll;

/**
 * A replica's /hello/metrics in a real Liberty server, read as Prometheus reads it: the counter of
 * /hello/api/v1 follows the requests exactly, latency is a histogram, the JVM's figures are
 * there, and nothing of the configuration is (src/test/liberty/server.env sets a Consul token).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReplicaMetricsIT extends HelloDeployment {

    private static final String REQUESTS = "http_server_request_duration_seconds";
    private static final Predicate<Map<String, String>> HELLO = labels -> "/hello/api/v1".equals(labels.get("http_route"));

    private PrometheusText scrape() throws Exception {
        HttpResponse<String> response = get("/hello/metrics");
        assertEquals(200, response.statusCode(), response.body());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"),
                response.headers().map().toString());
        return PrometheusText.parse(response.body());
    }

    /** The warm-up's own requests are counted too: start counting once it is over. */
    @BeforeEach
    void awaitWarmUp() throws Exception {
        Poll.until("ready", Duration.ofSeconds(60), () -> get("/health/ready").statusCode(), status -> status == 200);
    }

    /**
     * A request is counted once its body is written, which may be just after the client has read
     * the last byte: waits (bounded) until the count of /hello/api/v1 is at least {@code atLeast},
     * and returns it, for the case to check that it went no further.
     */
    private double awaitCounted(double atLeast) throws Exception {
        return Poll.until(REQUESTS + "_count of /hello/api/v1 at least " + atLeast, Duration.ofSeconds(5),
                () -> scrape().sum(REQUESTS + "_count", HELLO), counted -> counted >= atLeast);
    }

    @Test
    void countsEveryRequestToHelloExactlyOnce() throws Exception {
        double before = scrape().sum(REQUESTS + "_count", HELLO);
        int sent = 7;
        for (int i = 0; i < sent; i++) {
            assertEquals(200, get("/hello/api/v1").statusCode());
        }
        assertEquals(sent, awaitCounted(before + sent) - before, 0.0, "requests counted for /hello/api/v1");
    }

    /** The warm-up marks its requests (on loopback); the figures are what clients asked for. */
    @Test
    void leavesOutTheWarmUpsOwnRequests() throws Exception {
        double before = scrape().sum(REQUESTS + "_count", HELLO);
        URI hello = URI.create("http://127.0.0.1:" + base.getPort() + "/hello/api/v1");
        for (int i = 0; i < 3; i++) {
            HttpResponse<Void> warmUp = HTTP.send(HttpRequest.newBuilder(hello).header(WarmUp.HEADER, "1").build(),
                    HttpResponse.BodyHandlers.discarding());
            assertEquals(200, warmUp.statusCode());
        }
        assertEquals(200, get("/hello/api/v1").statusCode());
        assertEquals(1, awaitCounted(before + 1) - before, 0.0, "requests counted: the client's one, none of the warm-up's 3");
    }

    /**
     * Made by the warm-up, at zero, so that Prometheus' rates count a client's first request. First
     * of the class: the deployment is new, no client has asked yet.
     */
    @Test
    @Order(1)
    void theHotRouteIsThereAtZeroBeforeAnyClientAsks() throws Exception {
        var hot = scrape().samples(REQUESTS + "_count", HELLO.and(labels -> "200".equals(labels.get("http_response_status_code"))));
        assertEquals(1, hot.size(), "the series of GET /hello/api/v1 200: " + hot);
        assertEquals(0, hot.get(0).value(), 0.0, "requests counted before any client asked");
    }

    @Test
    void latencyIsAHistogramThatAddsUpAcrossReplicas() throws Exception {
        assertEquals(200, get("/hello/api/v1").statusCode());
        PrometheusText page = scrape();
        assertEquals("histogram", page.type(REQUESTS), "TYPE of " + REQUESTS);
        double count = page.sum(REQUESTS + "_count", HELLO);
        double infinite = page.sum(REQUESTS + "_bucket", HELLO.and(labels -> "+Inf".equals(labels.get("le"))));
        assertTrue(count > 0, "no request counted");
        assertEquals(count, infinite, 0.0, "the +Inf bucket holds every request");
        assertTrue(page.samples(REQUESTS + "_bucket", HELLO).stream().anyMatch(s -> "0.1".equals(s.labels().get("le"))),
                "a 100 ms bucket");
        assertFalse(page.has(REQUESTS), "client-side quantiles, which cannot be added up across replicas");
    }

    @Test
    void showsStatusCodesSoFailuresCanBeCounted() throws Exception {
        assertEquals(404, get("/hello/api/v2").statusCode());
        PrometheusText page = scrape();
        assertTrue(page.samples(REQUESTS + "_count", HELLO).stream()
                .allMatch(s -> "200".equals(s.labels().get("http_response_status_code"))), "status code label of /hello/api/v1");
        assertTrue(page.sum(REQUESTS + "_count", labels -> "404".equals(labels.get("http_response_status_code"))) >= 1,
                "the 404 counted");
    }

    /** A route is a template: paths a client makes up are counted without a route, not as new series. */
    @Test
    void pathsAClientMakesUpMakeNoNewSeries() throws Exception {
        String madeUp = "made-up-" + System.nanoTime();
        assertEquals(404, get("/hello/api/" + madeUp).statusCode());
        int brewed = HTTP.send(HttpRequest.newBuilder(uri("/hello/api/v1"))
                .method("BREW", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        assertTrue(brewed >= 400, "a made-up method is refused: " + brewed);
        HttpResponse<String> page = get("/hello/metrics");
        assertFalse(page.body().contains(madeUp), "the made-up path is a label");
        assertFalse(page.body().contains("BREW"), "the made-up method is a label");
    }

    @Test
    void showsTheJvm() throws Exception {
        PrometheusText page = scrape();
        for (String name : new String[] {"jvm_memory_used_bytes", "jvm_memory_max_bytes", "jvm_memory_pool_used_bytes",
                "jvm_gc_collection_seconds_count", "jvm_gc_collection_seconds_sum", "jvm_threads_current",
                "jvm_classes_currently_loaded", "process_cpu_seconds_total", "process_resident_memory_bytes"}) {
            assertTrue(page.has(name), name);
        }
        assertTrue(page.sum("jvm_memory_used_bytes", labels -> "heap".equals(labels.get("area"))) > 0, "heap in use");
        assertTrue(page.sum("process_cpu_seconds_total", labels -> true) > 0, "CPU time");
    }

    @Test
    void exposesNoConfiguration() throws Exception {
        String token = "arquillian-secret-token-4c1d"; // as src/test/liberty/server.env sets it
        HttpResponse<String> response = get("/hello/metrics");
        assertFalse(response.body().contains(token), "shows CONSUL_HTTP_TOKEN");
        assertFalse(response.body().contains("CONSUL_HTTP"), "shows Consul settings");
    }
}
