package dev.replicas.metrics;

import java.io.IOException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * Every request the application answered, by method, route and status, as the Prometheus
 * histogram {@code http_server_request_duration_seconds} (the name and labels of OpenTelemetry's
 * HTTP conventions, which mpMetrics 5.1 uses too). Buckets, not percentiles: Prometheus adds
 * buckets up across replicas ({@code histogram_quantile}); percentiles cannot be added up.
 *
 * <p>Recording is a map lookup and two {@link LongAdder} increments, so that measuring costs the
 * request path next to nothing (docs/metrics.md, "What it costs").
 */
@ApplicationScoped
public class RequestDurations {

    /** The histogram's name in the exposition. */
    public static final String NAME = "http_server_request_duration_seconds";
    /** Upper bounds in seconds, 5 ms to 2.5 s: the range a load test of this service sees. */
    static final double[] BOUNDS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};
    private static final long[] BOUND_NANOS = new long[BOUNDS.length];
    /** Any other method string would be a new series per string a client cares to send. */
    private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "TRACE", "CONNECT");

    static {
        for (int i = 0; i < BOUNDS.length; i++) {
            BOUND_NANOS[i] = Math.round(BOUNDS[i] * 1e9);
        }
    }

    private record Key(String method, String route, int status) {
    }

    /** Counts per bucket (not cumulative: summed at exposition) and the sum of durations. */
    static final class Series {
        final LongAdder[] buckets = new LongAdder[BOUNDS.length + 1];
        final LongAdder nanos = new LongAdder();

        Series() {
            for (int i = 0; i < buckets.length; i++) {
                buckets[i] = new LongAdder();
            }
        }
    }

    private final Map<Key, Series> series = new ConcurrentHashMap<>();

    /**
     * Records one answered request.
     *
     * @param method the request's method; anything but the standard ones is counted as {@code _OTHER}
     * @param route the route template the request matched, or {@code null} if it matched none
     * @param status the response's status code
     * @param nanos how long the request took, in nanoseconds
     */
    public void record(String method, String route, int status, long nanos) {
        Series s = declare(method, route, status);
        int bucket = 0;
        while (bucket < BOUND_NANOS.length && nanos > BOUND_NANOS[bucket]) {
            bucket++;
        }
        s.buckets[bucket].increment();
        s.nanos.add(nanos);
    }

    /**
     * Makes the series exist, at zero, without counting a request. Prometheus takes the first value
     * it scrapes of a series as its start, so the requests made before that scrape never show in a
     * rate: a series made by the warm-up, before the replica is routed, counts clients from the first.
     *
     * @param method the request's method
     * @param route the route template, or {@code null}
     * @param status the response's status code
     * @return the series
     */
    Series declare(String method, String route, int status) {
        Key key = new Key(METHODS.contains(method) ? method : "_OTHER", route, status);
        Series s = series.get(key);
        return s != null ? s : series.computeIfAbsent(key, k -> new Series());
    }

    /**
     * Writes the histogram in Prometheus' text format (version 0.0.4).
     *
     * @param out where to write
     * @throws IOException if {@code out} fails
     */
    public void writeTo(Appendable out) throws IOException {
        out.append("# HELP ").append(NAME).append(" Duration of HTTP requests the application answered, until its response was written.\n");
        out.append("# TYPE ").append(NAME).append(" histogram\n");
        for (Map.Entry<Key, Series> entry : series.entrySet()) {
            Key key = entry.getKey();
            Series s = entry.getValue();
            StringBuilder labels = new StringBuilder("{http_request_method=\"").append(key.method())
                    .append("\",http_response_status_code=\"").append(key.status()).append('"');
            if (key.route() != null) {
                labels.append(",http_route=\"");
                PrometheusFormat.escape(key.route(), labels);
                labels.append('"');
            }
            long cumulative = 0;
            for (int i = 0; i < s.buckets.length; i++) {
                cumulative += s.buckets[i].sum();
                String le = i < BOUNDS.length ? PrometheusFormat.number(BOUNDS[i]) : "+Inf";
                out.append(NAME).append("_bucket").append(labels).append(",le=\"").append(le).append("\"} ")
                        .append(Long.toString(cumulative)).append('\n');
            }
            labels.append('}');
            out.append(NAME).append("_sum").append(labels).append(' ')
                    .append(PrometheusFormat.number(s.nanos.sum() / (double) TimeUnit.SECONDS.toNanos(1))).append('\n');
            out.append(NAME).append("_count").append(labels).append(' ').append(Long.toString(cumulative)).append('\n');
        }
    }
}
