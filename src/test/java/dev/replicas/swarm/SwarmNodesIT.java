package dev.replicas.swarm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import dev.replicas.cluster.CaseReport;
import dev.replicas.cluster.Cluster;
import dev.replicas.cluster.ConstantLoad;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The stack on three nodes of one machine (mvn verify -Pswarm): this engine as the manager, and two
 * simulated workers, Docker engines in containers. One Consul server on each node; replicas on the
 * manager and node-1 (node-2 is labelled hello.replicas=false, so it holds only a Consul server and
 * its agent). Losing node-2 must fail no request; losing node-1 takes its replicas out of Fabio
 * within 10 s, and Swarm starts them again on the manager. Each case under a constant load through
 * Fabio; figures to the console and target/swarm-report.txt.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SwarmNodesIT {

    private static final CaseReport REPORT = new CaseReport("swarm-nodes", "swarm-report.txt");
    private static final int RATE = 50;
    private static final int REPLICAS = 8;
    private static Swarm swarm;

    @BeforeAll
    static void deploy() throws Exception {
        swarm = Swarm.open();
        long start = System.nanoTime();
        swarm.addNode("node-1");
        swarm.addNode("node-2");
        Cluster.docker("node", "update", "--label-add", "hello.replicas=false", "node-2");
        long nodes = (System.nanoTime() - start) / 1_000_000;
        Duration took = swarm.deploy(Map.of("HELLO_REPLICAS", String.valueOf(REPLICAS),
                // One Consul server on each of the three nodes, managers or not.
                "HELLO_CONSUL_SERVER_NODES", "node.platform.os == linux", "HELLO_CONSUL_SERVERS_PER_NODE", "1"));
        REPORT.line("three nodes", "two nodes started, joined and given the images in " + nodes
                + " ms; deploy of 8 until every replica routed " + took.toMillis() + " ms");
    }

    @AfterAll
    static void remove() throws Exception {
        if (swarm != null) {
            swarm.close();
        }
    }

    private static Map<String, Integer> passingByNode() throws Exception {
        Map<String, Integer> byNode = new TreeMap<>();
        for (Swarm.Instance i : Swarm.instances()) {
            if (i.passing()) {
                byNode.merge(i.node(), 1, Integer::sum);
            }
        }
        return byNode;
    }

    /** The Consul nodes of Raft's voters. */
    private static List<String> voters() throws Exception {
        try {
            List<String> voters = new java.util.ArrayList<>();
            for (JsonNode server : Swarm.consul("/v1/operator/raft/configuration").get("Servers")) {
                if (server.get("Voter").asBoolean()) {
                    voters.add(server.get("Node").asText());
                }
            }
            return voters;
        } catch (java.io.IOException e) {
            return List.of();
        }
    }

    private static String leader() throws Exception {
        try {
            return Cluster.get(Cluster.CONSUL + "/v1/status/leader").body().replace("\"", "");
        } catch (java.io.IOException e) {
            return "";
        }
    }

    /** Starts a killed node again and waits until it is back with its Consul server. */
    private static long restore(String node) throws Exception {
        long start = System.nanoTime();
        Cluster.docker("start", "hello-" + node);
        Swarm.awaitEngine("hello-" + node);
        Cluster.await(node + " ready in the Swarm", Duration.ofSeconds(90),
                () -> Cluster.docker("node", "inspect", "-f", "{{.Status.State}}", node), "ready"::equals);
        Cluster.await("three Raft voters, one on " + node, Duration.ofSeconds(120), SwarmNodesIT::voters,
                v -> v.size() == 3 && v.stream().anyMatch(n -> n.endsWith("-" + node)));
        return (System.nanoTime() - start) / 1_000_000;
    }

    @Test
    @Order(1)
    void replicasSpreadOverTheNodesAndEachNodeHoldsOneConsulServer() throws Exception {
        Map<String, Integer> byNode = passingByNode();
        String manager = Cluster.docker("info", "--format", "{{.Name}}");
        assertEquals(REPLICAS, byNode.values().stream().mapToInt(Integer::intValue).sum(), byNode.toString());
        assertTrue(byNode.getOrDefault(manager, 0) > 0 && byNode.getOrDefault("node-1", 0) > 0,
                "replicas on both nodes that take them: " + byNode);
        assertTrue(!byNode.containsKey("node-2"), "none on node-2: " + byNode);
        List<String> voters = voters();
        assertEquals(3, voters.size(), voters.toString());
        assertTrue(voters.stream().anyMatch(v -> v.endsWith("-node-1")) && voters.stream().anyMatch(v -> v.endsWith("-node-2"))
                && voters.stream().anyMatch(v -> v.endsWith("-" + manager)), "one server per node: " + voters);
        REPORT.line("placement", "replicas by Consul node " + byNode + "; Raft voters " + voters);
    }

    @Test
    @Order(2)
    void losingTheNodeThatHoldsOnlyAConsulServerFailsNoRequest() throws Exception {
        try (ConstantLoad load = ConstantLoad.start(RATE, 120)) {
            Cluster.await("load under way", Duration.ofSeconds(20), load::ok, ok -> ok > 2L * RATE);
            long killedAt = load.elapsedMillis();
            Cluster.docker("kill", "hello-node-2");
            // Until Consul's servers have noticed (gossip) and Swarm has marked the node down.
            Cluster.await("node-2 down in the Swarm", Duration.ofSeconds(60),
                    () -> Cluster.docker("node", "inspect", "-f", "{{.Status.State}}", "node-2"), "down"::equals);
            long down = load.elapsedMillis() - killedAt;
            String leader = Cluster.await("a leader", Duration.ofSeconds(30), SwarmNodesIT::leader, l -> l.endsWith(":8300"));
            long okSoFar = load.ok();
            Cluster.await("3 s more of load", Duration.ofSeconds(20), load::ok, ok -> ok >= okSoFar + 3L * RATE);
            Map<String, Integer> byNode = passingByNode();
            load.close();
            REPORT.line("node-2 (a Consul server only) killed", String.format("Swarm saw it down after %d ms; leader %s;"
                    + " %d passing; load %s", down, leader, byNode.values().stream().mapToInt(Integer::intValue).sum(), load));
            assertEquals(load.sent(), load.ok() + load.failures().size(), "every request counted: " + load);
            assertTrue(load.failures().isEmpty(), load.toString());
            assertEquals(REPLICAS, byNode.values().stream().mapToInt(Integer::intValue).sum(), byNode.toString());
        } finally {
            REPORT.line("node-2 back", "its engine, Swarm node and Consul server back after " + restore("node-2") + " ms");
        }
    }

    @Test
    @Order(3)
    void losingAWorkerTakesItsReplicasOutOfFabioWithin10SecondsAndSwarmStartsThemElsewhere() throws Exception {
        String manager = Cluster.docker("info", "--format", "{{.Name}}");
        int onNode1 = passingByNode().getOrDefault("node-1", 0);
        try (ConstantLoad load = ConstantLoad.start(RATE, 300)) {
            Cluster.await("load under way", Duration.ofSeconds(20), load::ok, ok -> ok > 2L * RATE);
            long killedAt = load.elapsedMillis();
            Cluster.docker("kill", "hello-node-1");
            Cluster.await("node-1's replicas out of Fabio", Duration.ofSeconds(30), Swarm::routed,
                    r -> r.size() == REPLICAS - onNode1);
            long gone = load.elapsedMillis() - killedAt;
            Cluster.await(REPLICAS + " routed again", Duration.ofMinutes(4), Swarm::routed, r -> r.size() == REPLICAS);
            long again = load.elapsedMillis() - killedAt;
            long okSoFar = load.ok();
            Cluster.await("2 s more of load", Duration.ofSeconds(20), load::ok, ok -> ok >= okSoFar + 2L * RATE);
            Map<String, Integer> byNode = passingByNode();
            load.close();
            long lastSent = load.failures().stream().mapToLong(ConstantLoad.Failure::sentMillis).max().orElse(killedAt)
                    - killedAt;
            REPORT.line("node-1 (" + onNode1 + " replicas) killed", String.format("its replicas out of Fabio after %d ms;"
                    + " %d routed again after %d ms (passing by node %s); %d failed, the last sent %d ms after the kill;"
                    + " load %s", gone, REPLICAS, again, byNode, load.failures().size(), lastSent, load));
            assertEquals(load.sent(), load.ok() + load.failures().size(), "every request counted: " + load);
            assertTrue(onNode1 > 0, "node-1 held replicas");
            assertTrue(gone <= 10_000, "node-1's replicas routed for " + gone + " ms");
            assertTrue(lastSent <= gone + 500, "a request failed that was sent after node-1 left Fabio: " + load);
            assertEquals(Map.of(manager, REPLICAS), byNode, "all started again on the manager");
        } finally {
            REPORT.line("node-1 back", "its engine, Swarm node and Consul server back after " + restore("node-1") + " ms");
        }
    }
}
