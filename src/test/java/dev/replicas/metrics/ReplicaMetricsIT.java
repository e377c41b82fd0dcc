package dev.replicas.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.function.Predicate;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.replicas.hello.HelloDeployment;

/**
 * A replica's /metrics in a real Liberty server, read as Prometheus reads it: the counter of
 * /hello/api/v1 follows the requests exactly, latency is a histogram, the JVM's figures are
 * there, and nothing of the configuration is (src/test/liberty/server.env sets a Consul token).
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class ReplicaMetricsIT {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String REQUESTS = "http_server_request_duration_seconds";
    private static final Predicate<Map<String, String>> HELLO = labels -> "/hello/api/v1".equals(labels.get("http_route"));

    @ArquillianResource
    private URL base;

    @Deployment(testable = false)
    static WebArchive deployment() {
        return HelloDeployment.war();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(base.toString()).resolve(path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private PrometheusText scrape() throws Exception {
        HttpResponse<String> response = get("/metrics");
        assertEquals(200, response.statusCode(), response.body());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"),
                response.headers().map().toString());
        return PrometheusText.parse(response.body());
    }

    /** The warm-up's own requests are counted too: start counting once it is over. */
    @BeforeEach
    void awaitWarmUp() throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (get("/health/ready").statusCode() != 200) {
            assertTrue(System.nanoTime() < deadline, "not ready within 60 s");
            Thread.sleep(100); // polling interval of a bounded wait, not synchronisation
        }
    }

    @Test
    void countsEveryRequestToHelloExactlyOnce() throws Exception {
        double before = scrape().sum(REQUESTS + "_count", HELLO);
        int sent = 7;
        for (int i = 0; i < sent; i++) {
            assertEquals(200, get("/hello/api/v1").statusCode());
        }
        // The server counts a request when its response is finished, which may be just after the
        // client has read the last byte: wait (bounded) for the count, then check it went no further.
        double counted = before;
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (counted < before + sent && System.nanoTime() < deadline) {
            Thread.sleep(50);
            counted = scrape().sum(REQUESTS + "_count", HELLO);
        }
        assertEquals(sent, counted - before, 0.0, "requests counted for /hello/api/v1");
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
                .allMatch(s -> s.labels().containsKey("http_response_status_code")), "status code label");
    }

    @Test
    void showsTheJvm() throws Exception {
        PrometheusText page = scrape();
        for (String name : new String[] {"memory_usedHeap_bytes", "memory_maxHeap_bytes", "gc_total", "gc_time_seconds",
                "thread_count", "cpu_processCpuTime_seconds"}) {
            assertTrue(page.has(name), name);
        }
    }

    @Test
    void exposesNoConfiguration() throws Exception {
        String token = "arquillian-secret-token-4c1d"; // as src/test/liberty/server.env sets it
        for (String path : new String[] {"/metrics", "/metrics?scope=base", "/metrics?scope=vendor", "/metrics?scope=application"}) {
            HttpResponse<String> response = get(path);
            assertFalse(response.body().contains(token), path + " shows CONSUL_HTTP_TOKEN");
            assertFalse(response.body().contains("CONSUL_HTTP"), path + " shows Consul settings");
        }
    }
}
