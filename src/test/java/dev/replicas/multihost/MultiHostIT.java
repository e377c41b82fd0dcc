package dev.replicas.multihost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import dev.replicas.cluster.CaseReport;
import dev.replicas.cluster.Cluster;
import dev.replicas.cluster.ConstantLoad;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The multi-host cluster (mvn verify -Pmulti-host): three Consul servers, two simulated hosts
 * with an agent and two replicas each, Fabio beside an agent of its own; each case under a
 * constant load through Fabio. Figures go to the console and target/multihost-report.txt.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MultiHostIT {

    private static final CaseReport REPORT = new CaseReport("multi-host", "multihost-report.txt");
    private static final int RATE = 50;
    private static final int REPLICAS = 4;
    private static final List<String> SERVERS = List.of("hello-mh-server-1", "hello-mh-server-2", "hello-mh-server-3");
    private static final List<String> HOST_A = List.of("hello-host-a", "hello-mh-replica-a1", "hello-mh-replica-a2");

    private static String leader() throws Exception {
        try {
            return Cluster.get(Cluster.CONSUL + "/v1/status/leader").body().replace("\"", "");
        } catch (java.io.IOException e) {
            return "";
        }
    }

    /** How many servers Raft counts; none while the agent cannot say (no leader yet). */
    private static int peers() throws Exception {
        try {
            var response = Cluster.get(Cluster.CONSUL + "/v1/status/peers");
            return response.statusCode() == 200 ? Cluster.JSON.readTree(response.body()).size() : 0;
        } catch (java.io.IOException e) {
            return 0;
        }
    }

    /** The container of a Consul server, by the address Raft names it with ({@code ip:8300}). */
    private static String serverAt(String raftAddress) throws Exception {
        String ip = raftAddress.substring(0, raftAddress.lastIndexOf(':'));
        for (String server : SERVERS) {
            if (Cluster.docker("inspect", "-f", "{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}", server)
                    .contains(ip)) {
                return server;
            }
        }
        throw new AssertionError("no server container has " + ip);
    }

    /** When {@code container} logged that it became the Raft leader, the first time after {@code since}. */
    private static Instant enteredLeaderState(String container, Instant since) throws Exception {
        // e.g. 2026-11-30T02:50:01.138Z [INFO]  agent.server.raft: entering leader state: leader="Node at ..."
        for (String line : Cluster.docker("logs", "--since", since.toString(), container).split("\n")) {
            if (line.contains("entering leader state")) {
                return Instant.parse(line.substring(0, line.indexOf(' ')));
            }
        }
        throw new AssertionError(container + " logged no 'entering leader state' since " + since);
    }

    private static Set<String> targets() throws Exception {
        try {
            return Cluster.fabioTargets();
        } catch (java.io.IOException e) {
            return Set.of();
        }
    }

    @Test
    @Order(1)
    void threeServersElectedOneLeaderAndEveryReplicaRegisteredWithItsHostsAgent() throws Exception {
        assertTrue(leader().endsWith(":8300"), leader());
        JsonNode peers = Cluster.getJson(Cluster.CONSUL + "/v1/status/peers");
        assertEquals(3, peers.size(), peers.toString());
        Set<String> placement = new TreeSet<>();
        for (JsonNode instance : Cluster.passingInstances()) {
            placement.add(instance.get("Node").get("Node").asText() + ":" + instance.get("Service").get("Address").asText()
                    + ":" + instance.get("Service").get("Port").asInt());
        }
        assertEquals(Set.of("host-a:host-a:8101", "host-a:host-a:8102", "host-b:host-b:8201", "host-b:host-b:8202"),
                placement, "each replica on its own host's agent, advertising its host");
        assertEquals(REPLICAS, targets().size(), targets().toString());
        REPORT.line("cluster", "3 servers (leader " + leader() + "), replicas " + placement);
    }

    @Test
    @Order(2)
    void stoppingTheLeaderElectsAnotherWithin10SecondsAndFailsNoRequest() throws Exception {
        String before = leader();
        String server = serverAt(before);
        try (ConstantLoad load = ConstantLoad.start(RATE, 90)) {
            Cluster.await("load under way", Duration.ofSeconds(20), load::ok, ok -> ok > 2L * RATE);
            Instant stopped = Instant.now();
            Cluster.docker("stop", server);
            String after = Cluster.await("a new leader", Duration.ofSeconds(30), MultiHostIT::leader,
                    l -> l.endsWith(":8300") && !l.equals(before));
            // When, by the new leader's own log: asking through an agent can take longer than the
            // election, while the agent still tries the stopped server.
            long elected = Duration.between(stopped, enteredLeaderState(serverAt(after), stopped)).toMillis();
            JsonNode passing = Cluster.await(REPLICAS + " passing", Duration.ofSeconds(30), Cluster::passingInstances,
                    p -> p.size() == REPLICAS);
            long okSoFar = load.ok();
            Cluster.await("3 s more of load under the new leader", Duration.ofSeconds(20), load::ok,
                    ok -> ok >= okSoFar + 3L * RATE);
            load.close();
            REPORT.line("leader stopped", String.format(
                    "%s (%s) stopped; %s elected %d ms later; %d replicas still registered and passing; load %s",
                    before, server, after, elected, passing.size(), load));
            assertNotEquals(before, after);
            assertTrue(elected <= 10_000, "new leader after " + elected + " ms");
            assertTrue(load.failures().isEmpty(), load.toString());
        } finally {
            Cluster.docker("start", server);
            Cluster.await("3 peers again", Duration.ofSeconds(60), MultiHostIT::peers, n -> n == 3);
        }
    }

    @Test
    @Order(3)
    void aHostThatDiesTakesItsReplicasOutOfFabioWithin10Seconds() throws Exception {
        try (ConstantLoad load = ConstantLoad.start(RATE, 90)) {
            Cluster.await("load under way", Duration.ofSeconds(20), load::ok, ok -> ok > 2L * RATE);
            long killedAt = load.elapsedMillis();
            List<String> kill = new ArrayList<>(List.of("kill"));
            kill.addAll(HOST_A);
            Cluster.docker(kill.toArray(String[]::new));
            Cluster.await("host-a's replicas out of Fabio", Duration.ofSeconds(30), MultiHostIT::targets,
                    t -> !t.isEmpty() && t.stream().noneMatch(d -> d.contains("host-a")));
            long gone = load.elapsedMillis() - killedAt;
            long okSoFar = load.ok();
            Cluster.await("2 s more of load without host-a", Duration.ofSeconds(20), load::ok,
                    ok -> ok >= okSoFar + 2L * RATE);
            load.close();
            long lastFailure = load.failures().stream().mapToLong(ConstantLoad.Failure::atMillis).max().orElse(killedAt) - killedAt;
            REPORT.line("host-a killed (agent and both replicas)", String.format(
                    "out of Fabio after %d ms; %d failed requests, the last %d ms after the kill; load %s",
                    gone, load.failures().size(), lastFailure, load));
            assertTrue(gone <= 10_000, "host-a routed for " + gone + " ms");
            assertTrue(lastFailure <= gone + 1_000, "failures after the route was gone: " + load);
        }
    }

    @Test
    @Order(4)
    void theHostComesBackWithItsReplicasRoutedAndNoGhost() throws Exception {
        Set<String> before = new TreeSet<>();
        for (JsonNode i : Cluster.allInstances()) {
            before.add(i.get("Service").get("ID").asText());
        }
        try (ConstantLoad load = ConstantLoad.start(RATE, 150)) {
            long startedAt = load.elapsedMillis();
            List<String> start = new ArrayList<>(List.of("start"));
            start.addAll(HOST_A);
            Cluster.docker(start.toArray(String[]::new));
            // The agent comes back with the registrations of the processes that died with it (kept
            // in its data directory); the host is back when the new processes have registered in
            // their place: 4 instances, all passing, host-a's with IDs not seen before.
            JsonNode all = Cluster.await("host-a's new replicas in place of the dead ones, no ghost",
                    Duration.ofSeconds(120), Cluster::allInstances, instances -> {
                        int fresh = 0;
                        for (JsonNode i : instances) {
                            boolean passing = !i.get("Checks").toString().contains("\"critical\"");
                            boolean isNew = !before.contains(i.get("Service").get("ID").asText());
                            if (!passing) {
                                return false;
                            }
                            if (isNew && i.get("Node").get("Node").asText().equals("host-a")) {
                                fresh++;
                            }
                        }
                        return instances.size() == REPLICAS && fresh == 2;
                    });
            Cluster.awaitRouted(REPLICAS, Duration.ofSeconds(30));
            long back = load.elapsedMillis() - startedAt;
            long okSoFar = load.ok();
            Cluster.await("2 s more of load with host-a back", Duration.ofSeconds(20), load::ok,
                    ok -> ok >= okSoFar + 2L * RATE);
            load.close();
            Set<String> kept = new TreeSet<>();
            for (JsonNode i : all) {
                kept.add(i.get("Service").get("ID").asText());
            }
            kept.retainAll(before);
            long lastFailure = load.failures().stream().mapToLong(ConstantLoad.Failure::atMillis).max().orElse(startedAt)
                    - startedAt;
            REPORT.line("host-a back", String.format("its new replicas registered and routed %d ms after"
                    + " docker start, %d instances in all; %d failed requests, the last %d ms after the start; load %s",
                    back, all.size(), load.failures().size(), lastFailure, load));
            assertEquals(2, kept.size(), "host-b's two replicas kept their IDs, host-a's are new: " + all);
            assertTrue(lastFailure <= back, "failures after host-a was back: " + load);
        }
    }
}
