package dev.replicas.cluster;

import static dev.replicas.cluster.Cluster.CONSUL;
import static dev.replicas.cluster.Cluster.FABIO;
import static dev.replicas.cluster.Cluster.REPLICAS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import dev.replicas.hello.AnswerContract;
import dev.replicas.testing.Poll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The running cluster (mvn verify starts Consul, Fabio and the replicas-4 profile around the
 * integration tests): real containers, a real Consul agent, a real Fabio.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterIT {

    /** The replicas run with the shipped payload size; a run that sets another passes it as hello.payload.size. */
    private static final AnswerContract CONTRACT = AnswerContract.configured();

    @Test
    @Order(1)
    void consulHasALeaderAndFabioRegisteredItself() throws Exception {
        HttpResponse<String> leader = Cluster.get(CONSUL + "/v1/status/leader");
        assertEquals(200, leader.statusCode());
        assertTrue(leader.body().matches("\"[^\"]+:\\d+\""), "leader: " + leader.body());

        JsonNode fabio = Cluster.getJson(CONSUL + "/v1/health/service/fabio?passing=true");
        assertEquals(1, fabio.size(), "fabio registered and passing in Consul: " + fabio);
        assertTrue(Cluster.fabioApi("/api/routes").contains("hello-server"), "Fabio's routes name hello-server");
        assertEquals(200, Cluster.get(CONSUL + "/ui/").statusCode());
    }

    @Test
    @Order(2)
    void consulListsEveryReplicaPassingOnItsHostPort() throws Exception {
        JsonNode instances = Cluster.passingInstances();
        assertEquals(REPLICAS, instances.size(), instances.toString());
        Set<Integer> ports = new TreeSet<>();
        for (JsonNode instance : instances) {
            ports.add(instance.get("Service").get("Port").asInt());
        }
        assertEquals(new TreeSet<>(Cluster.replicaPorts()), ports);
    }

    @Test
    @Order(3)
    void eachReplicaIsRegisteredAsTheServiceSpecifies() throws Exception {
        Map<Integer, JsonNode> byPort = new HashMap<>();
        for (JsonNode instance : Cluster.passingInstances()) {
            byPort.put(instance.get("Service").get("Port").asInt(), instance);
        }
        for (int port : Cluster.replicaPorts()) {
            String uuid = CONTRACT.assertKept(Cluster.getBytes("http://" + Cluster.HOST + ":" + port + "/hello/api/v1"));
            JsonNode service = byPort.get(port).get("Service");
            assertEquals("hello-" + uuid, service.get("ID").asText(), "the replica on " + port + " registered itself");
            assertEquals("hello-server", service.get("Service").asText());
            assertEquals("host.docker.internal", service.get("Address").asText());
            List<String> tags = new ArrayList<>();
            service.get("Tags").forEach(t -> tags.add(t.asText()));
            assertTrue(tags.contains("urlprefix-/hello/api/v1"), tags.toString());

            JsonNode check = Cluster.getJson(CONSUL + "/v1/agent/checks").get("service:hello-" + uuid);
            assertEquals("passing", check.get("Status").asText(), check.toString());
            assertEquals("http", check.get("Type").asText(), check.toString());
            JsonNode definition = Cluster.getJson(CONSUL + "/v1/agent/service/hello-" + uuid);
            assertEquals(port, definition.get("Port").asInt());
        }
    }

    @Test
    @Order(4)
    void fabioRoutesTheEndpointToEveryReplica() throws Exception {
        Set<String> expected = new TreeSet<>();
        for (int port : Cluster.replicaPorts()) {
            expected.add("http://host.docker.internal:" + port + "/");
        }
        assertEquals(expected, Cluster.fabioTargets());
    }

    @Test
    @Order(5)
    void fabioBalancesRoundRobinOverEveryReplica() throws Exception {
        int k = 5;
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < REPLICAS * k; i++) {
            seen.merge(CONTRACT.assertKept(Cluster.getBytes(FABIO + "/hello/api/v1")), 1, Integer::sum);
        }
        assertEquals(REPLICAS, seen.size(), seen.toString());
        seen.values().forEach(count -> assertEquals(k, count, "round-robin: " + seen));
    }

    @Test
    @Order(6)
    void aReplicaRegistersAgainWhenConsulLosesIt() throws Exception {
        JsonNode instance = Cluster.passingInstances().get(0);
        String id = instance.get("Service").get("ID").asText();

        Cluster.put(CONSUL + "/v1/agent/service/deregister/" + id);

        Poll.until(id + " back and passing in Consul", Duration.ofSeconds(60), Cluster::passingInstances,
                all -> all.size() == REPLICAS && all.toString().contains("\"" + id + "\""));
    }

    @Test
    @Order(7)
    void aStoppedReplicaDeregistersAtOnceAndARestartedOneComesBack() throws Exception {
        String container = Cluster.replicaContainer(REPLICAS);
        int port = Cluster.replicaPort(REPLICAS);
        Cluster.docker("stop", container);
        try {
            // Gone from the catalog, not merely critical: it deregistered itself on the way down.
            JsonNode all = Poll.until("replica on " + port + " gone from Consul", Duration.ofSeconds(30), Cluster::allInstances,
                    list -> !list.toString().contains("\"Port\":" + port));
            assertEquals(REPLICAS - 1, all.size(), all.toString());
            assertFalse(all.toString().contains("critical"), all.toString());
        } finally {
            Cluster.docker("start", container);
        }
        Poll.until("replica on " + port + " passing again", Duration.ofSeconds(120), Cluster::passingInstances,
                list -> list.size() == REPLICAS);
    }
}
