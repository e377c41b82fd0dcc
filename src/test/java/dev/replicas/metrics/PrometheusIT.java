package dev.replicas.metrics;

import static dev.replicas.cluster.Cluster.FABIO;
import static dev.replicas.cluster.Cluster.HOST;
import static dev.replicas.cluster.Cluster.REPLICAS;
import static dev.replicas.metrics.PrometheusTargets.DISCOVERY_BOUND;
import static dev.replicas.metrics.PrometheusTargets.SCRAPE_INTERVAL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import dev.replicas.cluster.Cluster;
import dev.replicas.testing.Poll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The cluster's Prometheus (cluster-profiles/prometheus.yml): it scrapes every replica it finds in
 * Consul's catalog under the replica's Consul service ID, plus Fabio and Consul, and the saved
 * graphs (cluster-profiles/pom.xml, printed by docker:start) answer one series per replica.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PrometheusIT {

    static final String PROMETHEUS = Cluster.PROMETHEUS;

    /** The hello job's targets that Prometheus has scraped successfully, by their instance label. */
    private static Set<String> upReplicas() throws Exception {
        Set<String> up = new TreeSet<>();
        PrometheusTargets.of(PROMETHEUS, "hello").forEach((instance, health) -> {
            if (health.equals("up")) {
                up.add(instance);
            }
        });
        return up;
    }

    /** The hello job's targets in any state. */
    private static Set<String> replicaTargets() throws Exception {
        return new TreeSet<>(PrometheusTargets.of(PROMETHEUS, "hello").keySet());
    }

    static JsonNode query(String promql) throws Exception {
        JsonNode answer = Cluster.getJson(PROMETHEUS + "/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
        assertEquals("success", answer.get("status").asText(), promql + ": " + answer);
        return answer.get("data").get("result");
    }

    @Test
    @Order(1)
    void scrapesEveryReplicaUnderItsConsulServiceIdAndFabioAndConsul() throws Exception {
        Set<String> ids = new TreeSet<>(Cluster.consulIds().values());
        assertEquals(REPLICAS, ids.size(), "replicas in Consul: " + ids);
        Poll.until("every replica an up target", DISCOVERY_BOUND, PrometheusIT::upReplicas, ids::equals);
        for (String job : new String[] {"fabio", "consul"}) {
            Poll.until(job + " up", DISCOVERY_BOUND, () -> query("up{job=\"" + job + "\"}").toString(),
                    seen -> seen.contains("\"1\""));
        }
    }

    @Test
    @Order(2)
    void requestsPerReplicaIsOneSeriesPerReplica() throws Exception {
        int perReplica = 5;
        for (int i = 0; i < perReplica * REPLICAS; i++) {
            assertEquals(200, Cluster.getBytes(FABIO + "/hello/api/v1").statusCode());
        }
        Set<String> ids = new TreeSet<>(Cluster.consulIds().values());
        String graph = savedGraph("prometheus.graph.requests");
        // Each replica's next scrape shows its share; a rate needs two scrapes after the requests.
        JsonNode result = Poll.until("a rising rate of requests on every replica", SCRAPE_INTERVAL.multipliedBy(3),
                () -> query(graph), series -> instancesWithRate(series).containsAll(ids));
        // One series per replica; a replica that left within the rate's minute (an earlier suite
        // restarts some) keeps its own series until that minute has passed, under its old ID.
        Set<String> instances = new TreeSet<>();
        result.forEach(one -> assertTrue(instances.add(one.get("metric").get("instance").asText()), "twice: " + one));
        assertTrue(instances.containsAll(ids), result.toString());
        // Fabio's view of the same requests: one series per target, i.e. per replica.
        JsonNode fabio = Poll.until("Fabio's rate per target", SCRAPE_INTERVAL.multipliedBy(3),
                () -> query(savedGraph("prometheus.graph.fabio")), series -> series.size() == REPLICAS);
        assertTrue(fabio.toString().contains("host.docker.internal"), fabio.toString());
    }

    private static Set<String> instancesWithRate(JsonNode series) {
        Set<String> instances = new TreeSet<>();
        for (JsonNode one : series) {
            if (Double.parseDouble(one.get("value").get(1).asText()) > 0) {
                instances.add(one.get("metric").get("instance").asText());
            }
        }
        return instances;
    }

    @ParameterizedTest
    @ValueSource(strings = {"prometheus.graph.requests", "prometheus.graph.p99", "prometheus.graph.failures",
            "prometheus.graph.fabio"})
    @Order(3)
    void everySavedGraphIsAValidQuery(String property) throws Exception {
        query(savedGraph(property));
    }

    @Test
    @Order(4)
    void aStoppedReplicaIsDroppedAndARestartedOneScraped() throws Exception {
        String container = Cluster.replicaContainer(REPLICAS);
        int port = Cluster.replicaPort(REPLICAS);
        String before = Cluster.consulIds().get(port);
        // SIGTERM and on at once (docker stop would wait out the drain): the replica leaves Consul
        // first, and the clock starts when Consul no longer lists it.
        Cluster.docker("kill", "--signal", "TERM", container);
        try {
            Poll.until("replica on " + port + " gone from Consul", Duration.ofSeconds(30), Cluster::consulIds,
                    ids -> !ids.containsKey(port));
            long gone = System.nanoTime();
            Poll.until(before + " dropped by Prometheus", DISCOVERY_BOUND, PrometheusIT::replicaTargets,
                    targets -> !targets.contains(before));
            CaseTimes.print("dropped", gone);
        } finally {
            Cluster.docker("stop", container);
            Cluster.docker("start", container);
        }
        Map<Integer, String> ids = Poll.until("replica on " + port + " in Consul again", Duration.ofSeconds(120),
                Cluster::consulIds, seen -> seen.containsKey(port));
        long registered = System.nanoTime();
        String after = ids.get(port);
        assertTrue(!after.equals(before), "a restarted replica registers under a new ID: " + after);
        Poll.until(after + " an up target", DISCOVERY_BOUND, PrometheusIT::upReplicas, up -> up.contains(after));
        CaseTimes.print("scraped", registered);
        Cluster.awaitRouted(REPLICAS, Duration.ofSeconds(120));
    }

    /** A saved graph's PromQL, as cluster-profiles/pom.xml defines it (failsafe passes it on). */
    private static String savedGraph(String property) {
        String promql = System.getProperty(property);
        assertTrue(promql != null && !promql.isBlank() && !promql.startsWith("${"), property + " is not set");
        return promql;
    }

    /** Prints how long a change took to reach Prometheus, for docs/metrics.md. */
    private static final class CaseTimes {
        static void print(String what, long since) {
            System.out.printf("PrometheusIT: %s %d ms after Consul's change%n", what, (System.nanoTime() - since) / 1_000_000);
        }
    }
}
