package dev.replicas.metrics;

import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import dev.replicas.cluster.Cluster;

/** What a Prometheus scrapes, as its HTTP API lists it; for the suites of the profiles and of Swarm. */
public final class PrometheusTargets {

    private PrometheusTargets() {
    }

    /**
     * @param prometheus the server, e.g. {@code http://localhost:9090}
     * @param job a scrape job of its configuration
     * @return the job's active targets: instance label to health ("up", "down", "unknown"); empty
     *         while Prometheus does not answer
     */
    public static Map<String, String> of(String prometheus, String job) throws InterruptedException {
        Map<String, String> targets = new TreeMap<>();
        JsonNode answer;
        try {
            answer = Cluster.getJson(prometheus + "/api/v1/targets?state=active");
        } catch (IOException e) {
            return targets;
        }
        for (JsonNode target : answer.get("data").get("activeTargets")) {
            if (target.get("labels").get("job").asText().equals(job)) {
                targets.put(target.get("labels").get("instance").asText(), target.get("health").asText());
            }
        }
        return targets;
    }
}
