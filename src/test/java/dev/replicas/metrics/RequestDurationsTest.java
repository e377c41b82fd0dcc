package dev.replicas.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import org.junit.jupiter.api.Test;

/** The histogram's arithmetic and its text, read back as Prometheus reads it. */
class RequestDurationsTest {

    private static final String NAME = RequestDurations.NAME;
    private static final Predicate<Map<String, String>> HELLO = labels -> "/hello/api/v1".equals(labels.get("http_route"));

    private static PrometheusText page(RequestDurations durations) throws Exception {
        StringBuilder out = new StringBuilder();
        durations.writeTo(out);
        return PrometheusText.parse(out.toString());
    }

    private static double bucket(PrometheusText page, String le) {
        return page.sum(NAME + "_bucket", HELLO.and(labels -> le.equals(labels.get("le"))));
    }

    @Test
    void bucketsAreCumulativeAndBoundsInclusive() throws Exception {
        RequestDurations durations = new RequestDurations();
        durations.record("GET", "/hello/api/v1", 200, 1_000_000);      // 1 ms
        durations.record("GET", "/hello/api/v1", 200, 5_000_000);      // exactly 5 ms: le="0.005"
        durations.record("GET", "/hello/api/v1", 200, 5_000_001);      // just above
        durations.record("GET", "/hello/api/v1", 200, 3_000_000_000L); // 3 s: +Inf only
        PrometheusText page = page(durations);
        assertEquals("histogram", page.type(NAME));
        assertEquals(2, bucket(page, "0.005"));
        assertEquals(3, bucket(page, "0.01"));
        assertEquals(3, bucket(page, "2.5"));
        assertEquals(4, bucket(page, "+Inf"));
        assertEquals(4, page.sum(NAME + "_count", HELLO));
        assertEquals(3.011000001, page.sum(NAME + "_sum", HELLO), 1e-9);
        assertEquals(RequestDurations.BOUNDS.length + 1, page.samples(NAME + "_bucket", HELLO).size());
    }

    @Test
    void seriesSplitByMethodRouteAndStatus() throws Exception {
        RequestDurations durations = new RequestDurations();
        durations.record("GET", "/hello/api/v1", 200, 1);
        durations.record("GET", "/hello/api/v1", 200, 1);
        durations.record("GET", "/hello/api/v1", 503, 1);
        durations.record("GET", null, 404, 1);
        PrometheusText page = page(durations);
        List<PrometheusText.Sample> counts = page.samples(NAME + "_count", labels -> true);
        assertEquals(3, counts.size(), counts.toString());
        assertEquals(2, page.sum(NAME + "_count", HELLO.and(labels -> "200".equals(labels.get("http_response_status_code")))));
        assertEquals(1, page.sum(NAME + "_count", labels -> !labels.containsKey("http_route")), "the unmatched request, without a route");
    }

    @Test
    void aDeclaredSeriesShowsAtZero() throws Exception {
        RequestDurations durations = new RequestDurations();
        durations.declare("GET", "/hello/api/v1", 200);
        PrometheusText page = page(durations);
        assertEquals(1, page.samples(NAME + "_count", HELLO).size(), "the series is there");
        assertEquals(0, page.sum(NAME + "_count", HELLO));
        assertEquals(0, bucket(page, "+Inf"));
        durations.record("GET", "/hello/api/v1", 200, 1);
        assertEquals(1, page(durations).sum(NAME + "_count", HELLO));
    }

    @Test
    void madeUpMethodsShareOneSeries() throws Exception {
        RequestDurations durations = new RequestDurations();
        durations.record("BREW", "/hello/api/v1", 405, 1);
        durations.record("WHEN", "/hello/api/v1", 405, 1);
        PrometheusText page = page(durations);
        assertEquals(2, page.sum(NAME + "_count", labels -> "_OTHER".equals(labels.get("http_request_method"))));
        assertEquals(1, page.samples(NAME + "_count", labels -> true).size());
    }

    @Test
    void labelValuesAreEscaped() throws Exception {
        RequestDurations durations = new RequestDurations();
        durations.record("GET", "/a\"b\\c\nd", 200, 1);
        StringBuilder out = new StringBuilder();
        durations.writeTo(out);
        assertTrue(out.toString().contains("http_route=\"/a\\\"b\\\\c\\nd\""), out.toString());
        assertFalse(out.toString().contains("c\nd"), "a raw line feed inside a label");
    }

    @Test
    void routeTemplatesJoinBaseClassAndMethod() throws Exception {
        assertEquals("/hello/api/v1", RouteTemplateFilter.template("/hello/api/", dev.replicas.hello.HelloResource.class,
                dev.replicas.hello.HelloResource.class.getMethod("hello")));
    }
}
