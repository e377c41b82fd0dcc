package dev.replicas.metrics;

import java.util.Set;

import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.instrumentation.jvm.JvmClassLoadingMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmCompilationMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmGarbageCollectorMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmMemoryMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmThreadsMetrics;
import io.prometheus.metrics.instrumentation.jvm.ProcessMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The replica's metrics, kept by Prometheus' Java client: every request the application answered,
 * by method, route and status, as the histogram {@code http_server_request_duration_seconds} (the
 * names of OpenTelemetry's HTTP conventions), and the JVM's and the process' series under the
 * client's standard names. A registry of its own, not the client's global one: dev mode redeploys
 * the application in the same JVM.
 */
@ApplicationScoped
public class ReplicaMetrics {

    /** The request histogram's name. */
    public static final String REQUESTS = "http_server_request_duration_seconds";
    /** Any other method string would be a new series per string a client cares to send. */
    private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "TRACE", "CONNECT");

    private final PrometheusRegistry registry = new PrometheusRegistry();
    // Buckets, not percentiles: Prometheus adds buckets up across replicas (histogram_quantile).
    // 5 ms to 2.5 s, the range a load test of this service sees; classic buckets only, as the text
    // format carries them.
    private final Histogram requests = Histogram.builder().name(REQUESTS)
            .help("Duration of HTTP requests the application answered, until its response was written.")
            .classicOnly().withoutExemplars().classicUpperBounds(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5)
            .labelNames("http_request_method", "http_response_status_code", "http_route")
            .register(registry);

    /** Registers the JVM's series: memory, collections, threads, classes, compilation, the process. */
    @PostConstruct
    void registerJvmSeries() {
        JvmMemoryMetrics.builder().register(registry);
        JvmGarbageCollectorMetrics.builder().register(registry);
        JvmThreadsMetrics.builder().register(registry);
        JvmClassLoadingMetrics.builder().register(registry);
        JvmCompilationMetrics.builder().register(registry);
        ProcessMetrics.builder().register(registry);
    }

    /**
     * Records one answered request.
     *
     * @param method the request's method; anything but the standard ones is counted as {@code _OTHER}
     * @param route the route template the request matched, or {@code null} if it matched none
     * @param status the response's status code
     * @param nanos how long the request took, in nanoseconds
     */
    public void record(String method, String route, int status, long nanos) {
        requests.labelValues(labels(method, route, status)).observe(nanos / 1e9);
    }

    /**
     * Makes the series exist, at zero, without counting a request. Prometheus takes the first value
     * it scrapes of a series as its start, so the requests made before that scrape never show in a
     * rate: a series made by the warm-up, before the replica is routed, counts clients from the first.
     *
     * @param method the request's method
     * @param route the route template, or {@code null}
     * @param status the response's status code
     */
    public void declare(String method, String route, int status) {
        requests.initLabelValues(labels(method, route, status));
    }

    /** @return every series now */
    MetricSnapshots scrape() {
        return registry.scrape();
    }

    private static String[] labels(String method, String route, int status) {
        return new String[] {METHODS.contains(method) ? method : "_OTHER", Integer.toString(status), route == null ? "" : route};
    }
}
