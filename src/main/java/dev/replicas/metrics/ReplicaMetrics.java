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

/** Requests (OpenTelemetry's names) and JVM series in a registry of its own: dev mode redeploys in the same JVM. */
@ApplicationScoped
public class ReplicaMetrics {

    /** The request histogram's name. */
    public static final String REQUESTS = "http_server_request_duration_seconds";
    /** Any other method string would be a new series per string a client cares to send. */
    private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "TRACE", "CONNECT");

    private final PrometheusRegistry registry = new PrometheusRegistry();
    // Buckets, not percentiles: Prometheus adds buckets up across replicas. Classic only: the text format has no other.
    private final Histogram requests = Histogram.builder().name(REQUESTS)
            .help("Duration of HTTP requests the application answered, until its response was written.")
            .classicOnly().withoutExemplars().classicUpperBounds(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5)
            .labelNames("http_request_method", "http_response_status_code", "http_route")
            .register(registry);

    @PostConstruct
    void registerJvmSeries() {
        JvmMemoryMetrics.builder().register(registry);
        JvmGarbageCollectorMetrics.builder().register(registry);
        JvmThreadsMetrics.builder().register(registry);
        JvmClassLoadingMetrics.builder().register(registry);
        JvmCompilationMetrics.builder().register(registry);
        ProcessMetrics.builder().register(registry);
    }

    /** Records one answered request; {@code route} is the template it matched, or {@code null}. */
    public void record(String method, String route, int status, long nanos) {
        requests.labelValues(labels(method, route, status)).observe(nanos / 1e9);
    }

    /** Makes the series exist at zero: Prometheus' rates miss what came before its first scrape of a series. */
    public void declare(String method, String route, int status) {
        requests.initLabelValues(labels(method, route, status));
    }

    MetricSnapshots scrape() {
        return registry.scrape();
    }

    private static String[] labels(String method, String route, int status) {
        return new String[] {METHODS.contains(method) ? method : "_OTHER", Integer.toString(status), route == null ? "" : route};
    }
}
