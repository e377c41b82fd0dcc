package dev.replicas.swarm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import dev.replicas.cluster.CaseReport;
import dev.replicas.cluster.Cluster;
import dev.replicas.cluster.ConstantLoad;
import dev.replicas.testing.Poll;
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
 * its agent). Losing node-2 with the Consul leader on it must elect another within 10 s and fail no
 * request; losing node-1 takes its replicas out of Fabio within 10 s, and Swarm starts them again on
 * the manager. A node is lost as a machine loses power: its traffic dropped, then killed. Each case
 * under a constant load through Fabio; figures to the console and target/swarm-report.txt. Last, on
 * the same stack, the chaos soak (ChaosSoak).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SwarmNodesIT {

    private static final CaseReport REPORT = new CaseReport("swarm-nodes", "swarm-report.txt");
    private static final int RATE = 50;
    private static final int REPLICAS = 6;
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
                + " ms; deploy of " + REPLICAS + " until every replica routed " + took.toMillis() + " ms");
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
        List<String> voters = new java.util.ArrayList<>();
        for (JsonNode server : Swarm.consul("/v1/operator/raft/configuration").get("Servers")) {
            if (server.get("Voter").asBoolean()) {
                voters.add(server.get("Node").asText());
            }
        }
        return voters;
    }

    /** The Swarm's view of a node: ready or down. */
    private static String swarmState(String node) throws Exception {
        return Cluster.docker("node", "inspect", "-f", "{{.Status.State}}", node);
    }

    /** Consul's view of a node: the status of its Serf health check ("" while Consul has none). */
    private static String serfHealth(String node) throws Exception {
        for (JsonNode check : Swarm.consul("/v1/health/node/" + node)) {
            if (check.get("CheckID").asText().equals("serfHealth")) {
                return check.get("Status").asText();
            }
        }
        return "";
    }

    /**
     * Starts a killed node again, once the Swarm and Consul have both seen it gone, and waits until
     * it is back in both, with three healthy Consul servers: the next case may lose a node again.
     */
    private static long restore(String node) throws Exception {
        Poll.until(node + " down in the Swarm", Duration.ofSeconds(90), () -> swarmState(node), "down"::equals);
        Poll.until(node + " failed in Consul", Duration.ofSeconds(60), () -> serfHealth(node), "critical"::equals);
        long start = System.nanoTime();
        Cluster.docker("start", "hello-" + node);
        Swarm.awaitEngine("hello-" + node);
        Poll.until(node + " ready in the Swarm", Duration.ofSeconds(90), () -> swarmState(node), "ready"::equals);
        Poll.until(node + " alive in Consul", Duration.ofSeconds(90), () -> serfHealth(node), "passing"::equals);
        Swarm.awaitRaftHealthy(Duration.ofSeconds(120));
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
        Swarm.awaitRaftHealthy(Duration.ofSeconds(60));
        REPORT.line("placement", "replicas by Consul node " + byNode + "; Raft voters " + voters);
    }

    @Test
    @Order(2)
    void losingTheConsulLeadersNodeElectsAnotherWithin10SecondsAndFailsNoRequest() throws Exception {
        // node-2 holds only a Consul server (and its agent): make that server the leader, then lose the node.
        String before = lead("node-2");
        try (ConstantLoad load = ConstantLoad.start(RATE, 120)) {
            load.awaitUnderWay();
            Instant killed = Instant.now();
            powerOff("node-2");
            String after = Poll.until("a new leader", Duration.ofSeconds(60), Cluster::consulLeader,
                    l -> l.endsWith(":8300") && !l.equals(before));
            // When, by the new leader's own log: an agent names it later than the election.
            long elected = Duration.between(killed, enteredLeaderState(killed)).toMillis();
            load.awaitMore(3); // under the new leader
            Map<String, Integer> byNode = passingByNode();
            load.close();
            REPORT.line("node-2 (the Consul leader, nothing else) killed", String.format("%s elected %d ms after the kill"
                    + " (was %s); %d passing; load %s", after, elected, before,
                    byNode.values().stream().mapToInt(Integer::intValue).sum(), load));
            load.assertEveryRequestCounted();
            assertTrue(elected <= 10_000, "new leader after " + elected + " ms");
            assertTrue(load.failures().isEmpty(), load.toString());
            assertEquals(REPLICAS, byNode.values().stream().mapToInt(Integer::intValue).sum(), byNode.toString());
        } finally {
            REPORT.line("node-2 back", "its engine, Swarm node and Consul server back after " + restore("node-2") + " ms");
        }
    }

    /**
     * Loses a node as a machine loses its power: its network goes silent first, so that no peer gets
     * a FIN or a reset from the processes the kill ends (a plain {@code docker kill} sometimes lets
     * them through, sometimes not), then the node is killed. A connection to it then hangs until a
     * timeout ends it, as it would across real machines.
     */
    private static void powerOff(String node) throws Exception {
        Cluster.docker("exec", "hello-" + node, "sh", "-c", "iptables -I INPUT -j DROP && iptables -I OUTPUT -j DROP");
        Cluster.docker("kill", "hello-" + node);
    }

    /** Makes the Consul server on {@code node} the Raft leader; returns its address. */
    private static String lead(String node) throws Exception {
        String address = null;
        for (JsonNode server : Swarm.consul("/v1/operator/raft/configuration").get("Servers")) {
            if (server.get("Node").asText().endsWith("-" + node)) {
                address = server.get("Address").asText();
                if (!server.get("Leader").asBoolean()) {
                    Swarm.consulPost("/v1/operator/raft/transfer-leader?id=" + server.get("ID").asText());
                }
            }
        }
        String leader = address;
        Poll.until(node + "'s Consul server leads", Duration.ofSeconds(30), Cluster::consulLeader, leader::equals);
        return leader;
    }

    /** When a server that still runs logged that it became the leader, the first time after {@code since}. */
    private static Instant enteredLeaderState(Instant since) throws Exception {
        // e.g. 2026-12-01T21:50:01.138Z [INFO]  agent.server.raft: entering leader state: leader="Node at ..."
        Instant first = null;
        for (String line : Swarm.serverLogs(List.of("hello-node-1")).split("\n")) {
            if (line.contains("entering leader state")) {
                Instant at = Instant.parse(line.substring(0, line.indexOf(' ')));
                if (at.isAfter(since) && (first == null || at.isBefore(first))) {
                    first = at;
                }
            }
        }
        if (first == null) {
            throw new AssertionError("no server logged 'entering leader state' since " + since);
        }
        return first;
    }

    @Test
    @Order(3)
    void losingAWorkerTakesItsReplicasOutOfFabioWithin10SecondsAndSwarmStartsThemElsewhere() throws Exception {
        String manager = Cluster.docker("info", "--format", "{{.Name}}");
        int onNode1 = passingByNode().getOrDefault("node-1", 0);
        // A worker with replicas, not the Consul leader's node (that is the case above): the leader
        // on the manager, as where servers run only on managers.
        lead(manager);
        try (ConstantLoad load = ConstantLoad.start(RATE, 300)) {
            load.awaitUnderWay();
            long killedAt = load.elapsedMillis();
            powerOff("node-1");
            Poll.until("node-1's replicas out of Fabio", Duration.ofSeconds(30), Cluster::fabioTargets,
                    r -> r.size() == REPLICAS - onNode1);
            long gone = load.elapsedMillis() - killedAt;
            Poll.until(REPLICAS + " routed again", Duration.ofMinutes(4), Cluster::fabioTargets, r -> r.size() == REPLICAS);
            long again = load.elapsedMillis() - killedAt;
            load.awaitMore(2);
            Map<String, Integer> byNode = passingByNode();
            load.close();
            long lastSent = load.failures().stream().mapToLong(ConstantLoad.Failure::sentMillis).max().orElse(killedAt)
                    - killedAt;
            REPORT.line("node-1 (" + onNode1 + " replicas) killed", String.format("its replicas out of Fabio after %d ms;"
                    + " %d routed again after %d ms (passing by node %s); %d failed, the last sent %d ms after the kill;"
                    + " load %s", gone, REPLICAS, again, byNode, load.failures().size(), lastSent, load));
            load.assertEveryRequestCounted();
            assertTrue(onNode1 > 0, "node-1 held replicas");
            assertTrue(gone <= 10_000, "node-1's replicas routed for " + gone + " ms");
            assertTrue(lastSent <= gone + 500, "a request failed that was sent after node-1 left Fabio: " + load);
            assertEquals(Map.of(manager, REPLICAS), byNode, "all started again on the manager");
        } finally {
            REPORT.line("node-1 back", "its engine, Swarm node and Consul server back after " + restore("node-1") + " ms");
        }
    }

    /** The chaos soak: 4 minutes in -Pswarm; -Pswarm,chaos runs it alone, 30 minutes unless told. */
    @Test
    @Order(4)
    void theStackRidesOutASeededSequenceOfFaultsUnderLoad() throws Exception {
        ChaosSoak.run();
    }
}
