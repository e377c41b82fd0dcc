package dev.replicas.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Predicate;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import org.junit.jupiter.api.Test;

/** What the replica asks of Prometheus' client, read back as Prometheus reads it. */
class ReplicaMetricsTest {

    private static final String NAME = ReplicaMetrics.REQUESTS;
    private static final Predicate<Map<String, String>> HELLO = labels -> "/hello/api/v1".equals(labels.get("http_route"));

    private static PrometheusText page(ReplicaMetrics metrics) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrometheusTextFormatWriter.create().write(out, metrics.scrape());
        return PrometheusText.parse(out.toString(StandardCharsets.UTF_8));
    }

    /** As CDI makes it: constructed, then the JVM's series registered. */
    private static ReplicaMetrics metrics() {
        ReplicaMetrics metrics = new ReplicaMetrics();
        metrics.registerJvmSeries();
        return metrics;
    }

    private static double bucket(PrometheusText page, String le) {
        return page.sum(NAME + "_bucket", HELLO.and(labels -> le.equals(labels.get("le"))));
    }

    @Test
    void bucketsAreCumulativeAndBoundsInclusive() throws Exception {
        ReplicaMetrics metrics = metrics();
        metrics.record("GET", "/hello/api/v1", 200, 1_000_000);      // 1 ms
        metrics.record("GET", "/hello/api/v1", 200, 5_000_000);      // exactly 5 ms: le="0.005"
        metrics.record("GET", "/hello/api/v1", 200, 5_000_001);      // just above
        metrics.record("GET", "/hello/api/v1", 200, 3_000_000_000L); // 3 s: +Inf only
        PrometheusText page = page(metrics);
        assertEquals("histogram", page.type(NAME));
        assertEquals(2, bucket(page, "0.005"));
        assertEquals(3, bucket(page, "0.01"));
        assertEquals(3, bucket(page, "2.5"));
        assertEquals(4, bucket(page, "+Inf"));
        assertEquals(4, page.sum(NAME + "_count", HELLO));
        assertEquals(3.011000001, page.sum(NAME + "_sum", HELLO), 1e-9);
        assertEquals(10, page.samples(NAME + "_bucket", HELLO).size(), "9 bounds and +Inf");
    }

    @Test
    void seriesSplitByMethodRouteAndStatus() throws Exception {
        ReplicaMetrics metrics = metrics();
        metrics.record("GET", "/hello/api/v1", 200, 1);
        metrics.record("GET", "/hello/api/v1", 200, 1);
        metrics.record("GET", "/hello/api/v1", 503, 1);
        metrics.record("GET", null, 404, 1);
        PrometheusText page = page(metrics);
        assertEquals(3, page.samples(NAME + "_count", labels -> true).size());
        assertEquals(2, page.sum(NAME + "_count", HELLO.and(labels -> "200".equals(labels.get("http_response_status_code")))));
        assertEquals(1, page.sum(NAME + "_count", labels -> labels.getOrDefault("http_route", "").isEmpty()),
                "the unmatched request, without a route (an empty label is no label to Prometheus)");
    }

    @Test
    void aDeclaredSeriesShowsAtZero() throws Exception {
        ReplicaMetrics metrics = metrics();
        metrics.declare("GET", "/hello/api/v1", 200);
        PrometheusText page = page(metrics);
        assertEquals(1, page.samples(NAME + "_count", HELLO).size(), "the series is there");
        assertEquals(0, page.sum(NAME + "_count", HELLO));
        assertEquals(0, bucket(page, "+Inf"));
        metrics.record("GET", "/hello/api/v1", 200, 1);
        assertEquals(1, page(metrics).sum(NAME + "_count", HELLO));
    }

    @Test
    void madeUpMethodsShareOneSeries() throws Exception {
        ReplicaMetrics metrics = metrics();
        metrics.record("BREW", "/hello/api/v1", 405, 1);
        metrics.record("WHEN", "/hello/api/v1", 405, 1);
        PrometheusText page = page(metrics);
        assertEquals(2, page.sum(NAME + "_count", labels -> "_OTHER".equals(labels.get("http_request_method"))));
        assertEquals(1, page.samples(NAME + "_count", labels -> true).size());
    }

    @Test
    void routeTemplatesJoinBaseClassAndMethod() throws Exception {
        assertEquals("/hello/api/v1", RouteTemplateFilter.template("/hello/api/", dev.replicas.hello.HelloResource.class,
                dev.replicas.hello.HelloResource.class.getMethod("hello")));
    }
}
