package dev.replicas.faults;

import static dev.replicas.cluster.Cluster.REPLICAS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.JsonNode;
import dev.replicas.cluster.CaseReport;
import dev.replicas.cluster.Cluster;
import dev.replicas.cluster.ConstantLoad;
import dev.replicas.testing.Poll;
import dev.replicas.testing.Settings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Faults on the real cluster (Consul, Fabio, the replicas-4 profile), each under a constant load
 * through Fabio: what fails, for how long, and what must not fail at all. Run by
 * {@code mvn verify -Pfaults}; the figures go to target/faults-report.txt. The cases leave the
 * cluster as they found it, but the last one, which stops it.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FaultsIT {

    private static final CaseReport REPORT = new CaseReport("faults", "faults-report.txt");
    private static final int RATE = 50;
    private static final String GATEWAY = Settings.of("cluster.gateway");
    private static final String BIND = Settings.of("cluster.bind");
    /** Consul's check of a replica: its interval and its timeout (the cluster profiles' settings). */
    private static final long CHECK_BOUND_MILLIS = Settings.duration("cluster.check.interval")
            .plus(Settings.duration("cluster.check.timeout")).toMillis();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    private static int status(String url, Duration timeout) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(timeout).GET().build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    /** Whether {@code url} answers 200 within {@code timeout}; a reset or a timeout is no. */
    private static boolean answers(String url, Duration timeout) throws InterruptedException {
        try {
            return status(url, timeout) == 200;
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    @Order(1)
    void nothingOfTheClusterListensBeyondLoopbackAndTheDockerGateway() throws Exception {
        Set<Integer> ports = new TreeSet<>(Cluster.replicaPorts());
        ports.addAll(List.of(Integer.getInteger("consul.port", 8500), Integer.getInteger("fabio.port", 9000),
                Integer.getInteger("fabio.ui.port", 9001)));
        List<String> listeners = new ArrayList<>();
        for (String file : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            List<String> lines = Files.readAllLines(Path.of(file)); // read once: the table changes under us
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.trim().split("\\s+");
                if (!f[3].equals("0A")) {
                    continue; // not LISTEN
                }
                String[] local = f[1].split(":");
                int port = Integer.parseInt(local[1], 16);
                if (ports.contains(port)) {
                    listeners.add(address(local[0]) + ":" + port);
                }
            }
        }
        assertTrue(listeners.size() >= ports.size(), "every port listens somewhere: " + listeners);
        for (String listener : listeners) {
            String ip = listener.substring(0, listener.lastIndexOf(':'));
            int port = Integer.parseInt(listener.substring(listener.lastIndexOf(':') + 1));
            boolean replica = Cluster.replicaPorts().contains(port);
            assertTrue(ip.equals(BIND) || replica && ip.equals(GATEWAY),
                    listener + " listens beyond loopback" + (replica ? " and the Docker gateway " + GATEWAY : ""));
        }
        REPORT.line("exposure", "listening: " + listeners);
    }

    /** An address of /proc/net/tcp(6): little-endian hex words. */
    private static String address(String hex) throws Exception {
        byte[] bytes = new byte[hex.length() / 2];
        for (int word = 0; word < hex.length() / 8; word++) {
            for (int b = 0; b < 4; b++) {
                bytes[word * 4 + b] = (byte) Integer.parseInt(hex.substring(word * 8 + (3 - b) * 2, word * 8 + (3 - b) * 2 + 2), 16);
            }
        }
        InetAddress address = InetAddress.getByAddress(bytes);
        String text = address.getHostAddress();
        return text.startsWith("0:0:0:0:0:ffff:") || text.startsWith("::ffff:")
                ? InetAddress.getByAddress(java.util.Arrays.copyOfRange(bytes, 12, 16)).getHostAddress()
                : new BigInteger(1, bytes).signum() == 0 ? (bytes.length == 4 ? "0.0.0.0" : "::") : text;
    }

    @Test
    @Order(2)
    void healthAnswersAtOnceWhileConsulIsFrozen() throws Exception {
        String health = "http://" + Cluster.HOST + ":" + Cluster.replicaPort(1) + "/health";
        for (int i = 0; i < 5; i++) {
            assertEquals(200, Cluster.get(health).statusCode()); // this client's connection and code warm
        }
        try (ConstantLoad load = ConstantLoad.start(RATE, 60)) {
            Cluster.docker("pause", ConsulContainer.NAME);
            List<Long> took = new ArrayList<>();
            try {
                // A refresh (every 5 s) now hangs in Consul for its 5 s read timeout, holding the
                // registrar's lock: readiness must not wait for it.
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(12);
                while (System.nanoTime() < until) {
                    long t0 = System.nanoTime();
                    HttpResponse<String> response = Cluster.get(health);
                    took.add((System.nanoTime() - t0) / 1_000_000);
                    assertEquals(200, response.statusCode(), response.body());
                    Thread.sleep(200); // the probes' pace over the 12 s, not a wait
                }
            } finally {
                Cluster.docker("unpause", ConsulContainer.NAME);
            }
            load.close();
            took.sort(null);
            long p95 = took.get((int) Math.ceil(took.size() * 0.95) - 1);
            long slowest = took.get(took.size() - 1);
            REPORT.line("consul frozen 12 s", String.format("%d probes of /health: p95 %d ms, slowest %d ms; load %s",
                    took.size(), p95, slowest, load));
            // Held by the registrar, /health would take Consul's 5 s read timeout and fail Consul's
            // 2 s check. On a busy machine a single probe can miss 50 ms for reasons of its
            // own (a GC, a core taken by the load), so 50 ms is asked of 95 % of the probes.
            load.assertEveryRequestCounted();
            assertTrue(p95 <= 50, "/health p95 " + p95 + " ms while Consul was frozen: " + took);
            assertTrue(slowest < 500, "/health took " + slowest + " ms while Consul was frozen");
            assertTrue(load.failures().isEmpty(), "a frozen Consul must not cost requests: " + load);
        }
    }

    @Test
    @Order(3)
    void aGracefulStopLeavesFabioBeforeItStopsListeningAndFailsNoRequest() throws Exception {
        int port = Cluster.replicaPort(REPLICAS);
        String container = Cluster.replicaContainer(REPLICAS);
        String live = "http://127.0.0.1:" + port + "/health/live";
        String target = "http://host.docker.internal:" + port + "/";
        try (ConstantLoad load = ConstantLoad.start(RATE, 90)) {
            load.awaitUnderWay();
            long stopAt = load.elapsedMillis();
            Thread stopper = new Thread(() -> {
                try {
                    Cluster.docker("stop", container);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            stopper.start();
            long[] seen = {-1, -1}; // when the route was gone, when the port was closed
            Poll.until("out of Fabio and no longer listening", Duration.ofSeconds(30), Duration.ofMillis(20), () -> {
                if (seen[0] < 0 && !Cluster.fabioTargets().contains(target)) {
                    seen[0] = load.elapsedMillis();
                }
                if (seen[1] < 0 && !answers(live, Duration.ofMillis(500))) {
                    seen[1] = load.elapsedMillis();
                }
                return "route gone at " + seen[0] + " ms, port closed at " + seen[1] + " ms";
            }, times -> seen[0] >= 0 && seen[1] >= 0);
            long routeGone = seen[0];
            long portClosed = seen[1];
            stopper.join(30_000);
            long stopped = load.elapsedMillis();
            load.awaitMore(2); // the load goes on over the 3 others
            load.close();
            REPORT.line("docker stop of one replica", String.format(
                    "left Fabio %d ms after SIGTERM, stopped listening %d ms after, container gone after %d ms; load %s",
                    routeGone - stopAt, portClosed - stopAt, stopped - stopAt, load));
            load.assertEveryRequestCounted();
            assertTrue(routeGone < portClosed, "Fabio still routed to it after it stopped listening: route gone at "
                    + routeGone + " ms, port closed at " + portClosed + " ms");
            assertTrue(load.failures().isEmpty(), "a graceful stop must not fail a request: " + load);
        } finally {
            Cluster.docker("start", container);
            Cluster.awaitRouted(REPLICAS, Duration.ofSeconds(120));
        }
    }

    @Test
    @Order(4)
    void aCrashedReplicaRestartedOnItsPortLeavesNoGhost() throws Exception {
        int port = Cluster.replicaPort(REPLICAS);
        String container = Cluster.replicaContainer(REPLICAS);
        String before = Cluster.consulIds().get(port);
        try (ConstantLoad load = ConstantLoad.start(RATE, 120)) {
            load.awaitUnderWay();
            long killedAt = load.elapsedMillis();
            Cluster.docker("kill", container);
            Poll.until("the crashed replica out of Fabio", Duration.ofSeconds(30), Cluster::fabioTargets,
                    targets -> !targets.contains("http://host.docker.internal:" + port + "/"));
            long outOfFabio = load.elapsedMillis();
            long restartedAt = load.elapsedMillis();
            Cluster.docker("start", container);
            Poll.until("the restarted replica ready", Duration.ofSeconds(120),
                    () -> status("http://" + Cluster.HOST + ":" + port + "/health/ready", Duration.ofSeconds(1)),
                    code -> code == 200);
            long readyAt = load.elapsedMillis();
            JsonNode instances = Poll.until("exactly one passing instance on " + port + ", not " + before,
                    Duration.ofSeconds(120), Cluster::allInstances, all -> {
                        int onPort = 0;
                        boolean passing = false;
                        for (JsonNode i : all) {
                            if (i.get("Service").get("Port").asInt() == port) {
                                onPort++;
                                passing = !i.get("Service").get("ID").asText().equals(before)
                                        && i.get("Checks").toString().contains("\"passing\"")
                                        && !i.get("Checks").toString().contains("\"critical\"");
                            }
                        }
                        return onPort == 1 && passing;
                    });
            long oneInstance = load.elapsedMillis();
            Cluster.awaitRouted(REPLICAS, Duration.ofSeconds(60));
            load.close();
            long lateFailures = load.failures().stream()
                    .filter(f -> f.atMillis() > killedAt + CHECK_BOUND_MILLIS + 1_000).count();
            REPORT.line("docker kill, docker start of one replica", String.format(
                    "out of Fabio %d ms after the kill; the restarted replica ready %d ms after docker start, and"
                            + " the only, passing, instance on its port %d ms after that; %d instances in all; load %s",
                    outOfFabio - killedAt, readyAt - restartedAt, oneInstance - readyAt, instances.size(), load));
            load.assertEveryRequestCounted();
            assertEquals(REPLICAS, instances.size(), "no ghost: " + instances);
            assertTrue(!instances.toString().contains(before), before + " is still in Consul");
            assertTrue(oneInstance - readyAt <= CHECK_BOUND_MILLIS, "one passing instance only "
                    + (oneInstance - readyAt) + " ms after the replica was ready");
            assertEquals(0, lateFailures, "failures beyond the check's bound (" + CHECK_BOUND_MILLIS + " ms): " + load);
        }
    }

    @Test
    @Order(5)
    void consulLosingItsStateHasEveryReplicaBackWithin10Seconds() throws Exception {
        ConsulContainer consul = ConsulContainer.inspect();
        try (ConstantLoad load = ConstantLoad.start(RATE, 120)) {
            load.awaitUnderWay();
            consul.remove();
            long leader = consul.startFresh();
            Cluster.awaitRouted(REPLICAS, Duration.ofSeconds(60));
            long back = (System.nanoTime() - leader) / 1_000_000;
            long backAt = load.elapsedMillis();
            // The routes above are the ones Fabio had before, so they prove nothing about whether
            // Fabio reads the fresh Consul: a change made only there must reach Fabio too.
            String id = Cluster.consulIds().get(Cluster.replicaPort(1));
            long maintenance = System.nanoTime();
            Cluster.put(Cluster.CONSUL + "/v1/agent/service/maintenance/" + id + "?enable=true&reason=FaultsIT");
            Poll.until("Fabio drops the replica in maintenance", Duration.ofSeconds(10), Cluster::fabioTargets,
                    targets -> targets.size() == REPLICAS - 1);
            long followed = (System.nanoTime() - maintenance) / 1_000_000;
            Cluster.put(Cluster.CONSUL + "/v1/agent/service/maintenance/" + id + "?enable=false");
            Cluster.awaitRouted(REPLICAS, Duration.ofSeconds(10));
            load.close();
            REPORT.line("Consul replaced by a fresh one", String.format(
                    "all %d replicas registered and routed %d ms after its leader election; a replica put in"
                            + " maintenance in the fresh Consul left Fabio %d ms later; load %s",
                    REPLICAS, back, followed, load));
            load.assertEveryRequestCounted();
            assertTrue(back <= 10_000, "back after " + back + " ms");
            assertTrue(followed <= 2_000, "Fabio followed the fresh Consul after " + followed + " ms");
            // A fresh Consul knows no replica until each one's next refresh registers it again, and
            // Fabio, following it, has no route for that moment (404): that may fail requests, but
            // nothing may fail once every replica is back.
            List<ConstantLoad.Failure> afterBack = load.failures().stream().filter(f -> f.atMillis() > backAt).toList();
            assertTrue(afterBack.isEmpty(), "failed after every replica was back: " + afterBack);
        }
    }

    @Test
    @Order(6)
    void replicasStartedWithoutConsulRegisterWithin5SecondsOfItsLeader() throws Exception {
        ConsulContainer consul = ConsulContainer.inspect();
        try (ConstantLoad load = ConstantLoad.start(RATE, 180)) {
            consul.remove();
            List<String> all = new ArrayList<>();
            for (int i = 1; i <= REPLICAS; i++) {
                all.add(Cluster.replicaContainer(i));
            }
            List<String> restart = new ArrayList<>(List.of("restart"));
            restart.addAll(all);
            Cluster.docker(restart.toArray(String[]::new));
            for (int port : Cluster.replicaPorts()) {
                Poll.until("replica on " + port + " ready and retrying", Duration.ofSeconds(120),
                        () -> Cluster.get("http://" + Cluster.HOST + ":" + port + "/health/ready").body(),
                        body -> body.contains("\"UP\"") && body.contains("\"consul\":\"retrying\""));
            }
            long leader = consul.startFresh();
            Poll.until(REPLICAS + " replicas registered", Duration.ofSeconds(30), Cluster::allInstances,
                    instances -> instances.size() == REPLICAS);
            long registered = (System.nanoTime() - leader) / 1_000_000;
            Cluster.awaitRouted(REPLICAS, Duration.ofSeconds(60));
            long routed = (System.nanoTime() - leader) / 1_000_000;
            load.close();
            REPORT.line("Consul absent while the replicas start, then started", String.format(
                    "all %d registered %d ms and routed %d ms after its leader election; load %s",
                    REPLICAS, registered, routed, load));
            load.assertEveryRequestCounted();
            assertTrue(registered <= 5_000, "registered after " + registered + " ms");
        }
    }

    /**
     * A replica stopped while Consul is frozen (longer than a call's read timeout, 5 s): it cannot
     * leave Consul, so Fabio, reading the same frozen Consul, keeps routing to it; the replica serves
     * on, asks Consul again, and stops only once Consul has it out and the requests have stopped
     * coming, all within hello.drain.max (the profiles: 10 s). No request fails.
     */
    @Test
    @Order(7)
    void aStopWhileConsulIsFrozenServesOnUntilConsulLetsItGoAndFailsNoRequest() throws Exception {
        String container = Cluster.replicaContainer(REPLICAS);
        String consul = Cluster.NAME + "-consul";
        try (ConstantLoad load = ConstantLoad.start(RATE, 90)) {
            load.awaitUnderWay();
            Cluster.docker("pause", consul);
            long pausedAt = load.elapsedMillis();
            Thread stopper = new Thread(() -> {
                try {
                    Cluster.docker("stop", "-t", "30", container);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            stopper.start();
            Poll.until("6 s of load with Consul frozen", Duration.ofSeconds(20), load::elapsedMillis, t -> t >= pausedAt + 6_000);
            Cluster.docker("unpause", consul);
            stopper.join(30_000);
            long stopped = load.elapsedMillis() - pausedAt;
            load.awaitMore(2);
            load.close();
            REPORT.line("docker stop of a replica while Consul is frozen 6 s", String.format(
                    "the container gone %d ms after the stop began; load %s", stopped, load));
            load.assertEveryRequestCounted();
            assertTrue(load.failures().isEmpty(), "a stop while Consul is frozen must not fail a request: " + load);
        } finally {
            if (Cluster.docker("inspect", "-f", "{{.State.Paused}}", consul).equals("true")) {
                Cluster.docker("unpause", consul); // the case failed with Consul paused
            }
            Cluster.docker("start", container);
            Cluster.awaitRouted(REPLICAS, Duration.ofSeconds(120));
        }
    }

    /** A replica that was never routed has nothing to drain: stopped during its warm-up, it is gone within 2 s. */
    @Test
    @Order(8)
    void aReplicaStoppedDuringItsWarmUpStopsWithinTwoSeconds() throws Exception {
        String container = Cluster.NAME + "-warming";
        try {
            Cluster.docker("run", "-d", "--name", container, "--network", Settings.of("cluster.network"),
                    "-p", "127.0.0.1:18500:8000", "-e", "CONSUL_HTTP_ADDR=consul:8500", "-e", "DOCKERPORT=18500",
                    "-e", "HELLO_ADVERTISE_ADDRESS=warming.invalid", "-e", "HELLO_WARMUP_REQUESTS=100000",
                    Settings.of("app.image"));
            Poll.until("the warm-up running", Duration.ofSeconds(90),
                    () -> Cluster.get("http://127.0.0.1:18500/health/ready").body(), body -> body.contains("\"warm-up\":\"running\""));
            long since = System.currentTimeMillis() / 1000;
            Cluster.docker("kill", "-s", "TERM", container);
            Poll.until("the container exited", Duration.ofSeconds(30),
                    () -> Cluster.docker("inspect", "-f", "{{.State.Running}}", container), running -> running.equals("false"));
            // From the engine's own clock: when it sent the signal, when the process ended (not the CLI's round trips).
            long signalled = Long.parseLong(Cluster.docker("events", "--since", String.valueOf(since), "--until",
                    String.valueOf(System.currentTimeMillis() / 1000 + 1), "--filter", "container=" + container,
                    "--filter", "event=kill", "--format", "{{.TimeNano}}").lines().findFirst().orElseThrow()) / 1_000_000;
            long tookMillis = java.time.Instant.parse(Cluster.docker("inspect", "-f", "{{.State.FinishedAt}}", container))
                    .toEpochMilli() - signalled;
            REPORT.line("SIGTERM during the warm-up", "the server exited " + tookMillis + " ms after it");
            assertTrue(tookMillis <= 2_000, "stopped " + tookMillis + " ms after SIGTERM");
        } finally {
            Cluster.docker("rm", "-f", "-v", container);
        }
    }

    /**
     * The last case stops the cluster with {@code mvn docker:stop}, which is why the faults profile
     * skips the build's own stop (it would find the network gone); if that case did not get to
     * run, the cluster is stopped here the same way.
     */
    @AfterAll
    static void stopTheClusterIfStillUp() throws Exception {
        if (!Cluster.docker("ps", "-aq", "--filter", "name=" + Cluster.NAME + "-").isBlank()) {
            Process mvn = new ProcessBuilder("mvn", "-B", "-q", "-ntp", "docker:stop")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.INHERIT).start();
            assertTrue(mvn.waitFor(5, TimeUnit.MINUTES), "mvn docker:stop did not finish");
        }
    }

    /** A reading of Fabio's route table that failed: a count of nothing, so it can excuse no failure. */
    private static final int UNREADABLE = -1;

    /**
     * Fabio's table is read every 25 ms while the cluster stops; a failure is excused only when a
     * reading next to it (100 ms before it ended, or the first after) showed no replica routed. A
     * reading that failed (Fabio busy, resetting, gone) is recorded as unreadable, not as "no
     * route": it would excuse exactly the failures a Fabio that died before the replicas causes.
     * A failure next to an unreadable reading cannot be judged, and fails the case; so the load
     * stops as soon as Fabio has shown no replica routed, before Fabio itself stops (it is after
     * the replicas in the plugin's list) and its table becomes unreadable for good.
     */
    @Test
    @Order(100)
    void mvnDockerStopFailsNoRequestWhileAnyReplicaIsStillRouted() throws Exception {
        ConcurrentSkipListMap<Long, Integer> routed = new ConcurrentSkipListMap<>();
        AtomicLong noneRoutedAt = new AtomicLong(-1);
        CountDownLatch noneRoutedOrStopped = new CountDownLatch(1);
        List<String> unreadable = new CopyOnWriteArrayList<>();
        try (ConstantLoad load = ConstantLoad.start(RATE, 120)) {
            load.awaitUnderWay();
            Thread watcher = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    long at = load.elapsedMillis();
                    try {
                        int targets = Cluster.fabioTargets().size();
                        routed.put(at, targets);
                        if (targets == 0 && noneRoutedAt.compareAndSet(-1, at)) {
                            noneRoutedOrStopped.countDown();
                        }
                    } catch (InterruptedException e) {
                        return;
                    } catch (Exception | AssertionError e) {
                        routed.put(at, UNREADABLE);
                        if (unreadable.size() < 5) {
                            unreadable.add(at + " ms: " + e);
                        }
                    }
                    try {
                        Thread.sleep(25);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            watcher.setDaemon(true);
            watcher.start();
            // Fabio's view while the cluster goes down, for when this case fails.
            Process fabioLog = new ProcessBuilder("docker", "logs", "-f", "--since", "1s", Cluster.NAME + "-fabio")
                    .redirectErrorStream(true).redirectOutput(Path.of("target", "fabio-during-stop.log").toFile()).start();
            long stopAt = load.elapsedMillis();
            Process mvn = new ProcessBuilder("mvn", "-B", "-q", "-ntp", "docker:stop")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            mvn.onExit().thenRun(noneRoutedOrStopped::countDown);
            assertTrue(noneRoutedOrStopped.await(5, TimeUnit.MINUTES), "Fabio still routed after 5 minutes of mvn docker:stop");
            long loadStopped = load.elapsedMillis();
            load.close();
            assertTrue(mvn.waitFor(5, TimeUnit.MINUTES), "mvn docker:stop did not finish");
            long stopped = load.elapsedMillis();
            fabioLog.destroy();
            watcher.interrupt();
            watcher.join(15_000);
            List<ConstantLoad.Failure> whileRouted = new ArrayList<>();
            List<ConstantLoad.Failure> unjudged = new ArrayList<>();
            for (ConstantLoad.Failure f : load.failures()) {
                var before = routed.floorEntry(f.atMillis() - 100);
                var after = routed.ceilingEntry(f.atMillis());
                int routesBefore = before == null ? UNREADABLE : before.getValue();
                int routesAfter = after == null ? UNREADABLE : after.getValue();
                if (routesBefore == 0 || routesAfter == 0) {
                    continue; // Fabio itself said no replica was routed next to it
                }
                (routesBefore > 0 && routesAfter > 0 ? whileRouted : unjudged).add(f);
            }
            long unreadableReadings = routed.values().stream().filter(n -> n == UNREADABLE).count();
            // The load stopped at the first empty table: had Fabio routed again after it, the rest of
            // the stop would have gone unwatched.
            List<Long> routedAgain = noneRoutedAt.get() < 0 ? List.of() : routed.tailMap(noneRoutedAt.get()).entrySet()
                    .stream().filter(e -> e.getValue() > 0).map(e -> e.getKey()).toList();
            REPORT.line("mvn docker:stop of the whole cluster", String.format(
                    "took %d ms; the last replica left Fabio %d ms after it began (the load stopped then); %d failures"
                            + " while a replica was still routed, %d next to an unreadable route table (%d of %d"
                            + " readings unreadable%s); load %s",
                    stopped - stopAt, noneRoutedAt.get() < 0 ? -1 : noneRoutedAt.get() - stopAt, whileRouted.size(),
                    unjudged.size(), unreadableReadings, routed.size(), unreadable.isEmpty() ? "" : ", " + unreadable,
                    load));
            assertEquals(0, mvn.exitValue(), "mvn docker:stop failed");
            load.assertEveryRequestCounted();
            assertTrue(noneRoutedAt.get() >= 0, "mvn docker:stop ended, at " + (loadStopped - stopAt)
                    + " ms, before Fabio was seen routing to no replica: Fabio went first, or its table was unreadable");
            assertTrue(routedAgain.isEmpty(), "Fabio routed again after it had shown no replica, at " + routedAgain
                    + " ms: the load stopped too early");
            assertTrue(whileRouted.isEmpty(), "failed while replicas were still routed: " + whileRouted);
            assertTrue(unjudged.isEmpty(), "failed next to a reading of Fabio's route table that failed, so not known to be"
                    + " unrouted: " + unjudged + "; unreadable readings " + unreadable);
        }
    }
}
