package dev.replicas.metrics;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import dev.replicas.cluster.Cluster;

/** What a Prometheus scrapes, as its HTTP API lists it; for the suites of the profiles and of Swarm. */
public final class PrometheusTargets {

    /** The scrape_interval of cluster-profiles/prometheus.yml and of prometheus-swarm.yml. */
    public static final Duration SCRAPE_INTERVAL = Duration.ofSeconds(5);
    /**
     * How soon a change in Consul's catalog reaches the scrapes: the SD's refresh_interval (1 s),
     * then Prometheus 2.42 passes target changes on in two batches, each at most every 5 s
     * (discovery manager, then scrape manager), then a new target's first scrape comes within
     * one interval. docs/metrics.md has the times measured.
     */
    public static final Duration DISCOVERY_BOUND = SCRAPE_INTERVAL.plusSeconds(1 + 5 + 5);

    private PrometheusTargets() {
    }

    /**
     * @param prometheus the server, e.g. {@code http://localhost:9090}
     * @param job a scrape job of its configuration
     * @return the job's active targets: instance label to health ("up", "down", "unknown")
     */
    public static Map<String, String> of(String prometheus, String job) throws IOException, InterruptedException {
        Map<String, String> targets = new TreeMap<>();
        for (JsonNode target : Cluster.getJson(prometheus + "/api/v1/targets?state=active").get("data").get("activeTargets")) {
            if (target.get("labels").get("job").asText().equals(job)) {
                targets.put(target.get("labels").get("instance").asText(), target.get("health").asText());
            }
        }
        return targets;
    }
}
