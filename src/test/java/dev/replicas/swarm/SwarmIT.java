package dev.replicas.swarm;

import static dev.replicas.metrics.PrometheusTargets.DISCOVERY_BOUND;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import dev.replicas.cluster.CaseReport;
import dev.replicas.cluster.Cluster;
import dev.replicas.cluster.ConstantLoad;
import dev.replicas.hello.AnswerContract;
import dev.replicas.metrics.PrometheusTargets;
import dev.replicas.testing.Poll;
import dev.replicas.testing.Settings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stack on one node (mvn verify -Pswarm): deployed with the README's command, then scaled up,
 * scaled down, rolled out to a new image and a replica killed, each under a constant load through
 * Fabio in which every request sent ends as answered or failed. Prometheus scrapes every replica that
 * Consul lists, under its Consul service ID, after the deploy and after each scaling. Broken releases
 * roll back, Fabio is updated, a stranger probes the ports, and the scaler (in a dry run until its
 * case) follows a load. Figures go to the console and target/swarm-report.txt.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SwarmIT {

    private static final CaseReport REPORT = new CaseReport("swarm", "swarm-report.txt");
    private static final int RATE = 50;
    private static final Duration CONVERGE = Duration.ofMinutes(4);
    private static final String IMAGE = Settings.of("app.image");
    /** Consul's check of a replica: its interval and its timeout, as the stack has them from the pom. */
    private static final Duration CHECK_BOUND = Settings.duration("cluster.check.interval").plus(Settings.duration("cluster.check.timeout"));
    /** The "new version" the rolling update rolls out: the same image under another tag. */
    private static final String NEXT_IMAGE = IMAGE + "-next";
    /** Replicas at the deploy; a case scales down to 3, the scaler's case down to 2 and up to 4. */
    private static final int DEPLOYED = 6;
    private static Swarm swarm;
    private static long deployed;
    /** The killed replica's Consul entry, which Consul's reaper drops a minute or more later, and when it went. */
    private static String ghost;
    private static long killedAt;
    private static final CompletableFuture<Long> GHOST_GONE = new CompletableFuture<>();

    @BeforeAll
    static void deploy() throws Exception {
        swarm = Swarm.open();
        // The scaler in a dry run until its own case, the last: it logs what it would do and scales nothing.
        // Its window short, so that it would scale down during the cases (6 replicas at 50/s want 3).
        Duration took = swarm.deploy(Map.of("HELLO_REPLICAS", String.valueOf(DEPLOYED), "HELLO_AUTOSCALE", "true",
                "HELLO_SCALER_DRY_RUN", "true", "HELLO_SCALER_DOWN_WINDOW", "30s"));
        deployed = System.nanoTime();
        REPORT.line("deploy of " + DEPLOYED + " (one node)", "cluster-profiles/swarm deploy returned, every replica routed, after "
                + took.toMillis() + " ms");
    }

    @AfterAll
    static void remove() throws Exception {
        if (swarm != null) {
            swarm.close();
        }
        if (!Cluster.docker("images", "-q", NEXT_IMAGE).isEmpty()) {
            Cluster.docker("rmi", NEXT_IMAGE); // only a tag: the image stays under its own name
        }
    }

    /** The service IDs of the instances Consul has passing (a killed replica's entry stays, critical, for a minute or more). */
    private static Set<String> passingIds() throws Exception {
        return Swarm.ids(Swarm.instances().stream().filter(Swarm.Instance::passing).toList());
    }

    private static void scale(int replicas) throws Exception {
        Cluster.dockerWithin(CONVERGE, "service", "scale", "--detach=false", Swarm.REPLICAS + "=" + replicas);
    }

    /**
     * Waits until Prometheus' hello targets are exactly {@code ids} (Consul's service IDs), each
     * scraped successfully, at most {@link PrometheusTargets#DISCOVERY_BOUND} after {@code since} (when Consul's
     * catalog was already that set); returns how long after {@code since} that was, in ms.
     */
    private static long awaitScraped(Set<String> ids, long since) throws Exception {
        Duration left = DISCOVERY_BOUND.minusNanos(System.nanoTime() - since);
        Poll.until("Prometheus' hello targets exactly " + ids + ", all up", left.isNegative() ? Duration.ZERO : left,
                () -> Swarm.prometheusTargets("hello"), targets -> scraped(targets, ids));
        return (System.nanoTime() - since) / 1_000_000;
    }

    private static boolean scraped(Map<String, String> targets, Set<String> ids) {
        return targets.keySet().equals(ids) && targets.values().stream().allMatch("up"::equals);
    }

    /**
     * Follows a scaling in the background, every 200 ms while the case goes on: Consul's catalog of
     * hello-server (every instance, in any state), when it last changed, and when Prometheus' hello
     * targets were first exactly that catalog, all up, since.
     */
    private static final class CatalogFollower implements AutoCloseable {
        private final int n;
        private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        private Set<String> catalog;
        private long changedAt;
        private long scrapedAt;
        private Map<String, String> targets;
        /** Why the last poll did not get through; null when it did. */
        private Throwable failure;
        /** How long {@link #await} waited, in ms: what this check adds to the case. */
        long waited;

        CatalogFollower(int n) {
            this.n = n;
            timer.scheduleWithFixedDelay(this::poll, 0, 200, TimeUnit.MILLISECONDS);
        }

        private void poll() {
            try {
                Set<String> ids = Swarm.ids(Swarm.instances());
                synchronized (this) {
                    failure = null;
                    if (!ids.equals(catalog)) {
                        catalog = ids;
                        changedAt = System.nanoTime();
                        scrapedAt = 0;
                    }
                    if (scrapedAt != 0) {
                        return;
                    }
                }
                Map<String, String> seen = Swarm.prometheusTargets("hello");
                synchronized (this) {
                    targets = seen;
                    if (scraped(seen, ids) && ids.equals(catalog) && scrapedAt == 0) {
                        scrapedAt = System.nanoTime();
                    }
                }
            } catch (Exception | AssertionError e) {
                synchronized (this) {
                    failure = e; // the next poll asks again; a wait that times out reports it
                }
            }
        }

        /** Consul's catalog, and how long after its last change Prometheus followed it, in ms (-1: not yet). */
        private record Seen(Set<String> catalog, long followedMillis) {
        }

        /**
         * Fails once Consul lists {@code n} instances and Prometheus has not followed within
         * {@link PrometheusTargets#DISCOVERY_BOUND}; a last poll that failed is "not yet".
         */
        private synchronized Seen seen() throws IOException {
            if (catalog != null && catalog.size() == n) {
                if (scrapedAt != 0) {
                    return new Seen(catalog, (scrapedAt - changedAt) / 1_000_000);
                }
                if (System.nanoTime() - changedAt > DISCOVERY_BOUND.plusMillis(500).toNanos()) {
                    throw new AssertionError("Prometheus' hello targets not exactly Consul's " + catalog + ", all up, within "
                            + DISCOVERY_BOUND.toSeconds() + " s of Consul's last change; they are: " + targets, failure);
                }
            }
            if (failure != null) {
                throw new IOException("the last poll of Consul and Prometheus failed", failure);
            }
            return new Seen(catalog, -1);
        }

        /**
         * Waits until Consul lists {@code n} instances and Prometheus' targets are exactly those, at
         * most {@link PrometheusTargets#DISCOVERY_BOUND} after Consul's catalog last changed; returns
         * how long after that change Prometheus followed, in ms.
         */
        long await() throws Exception {
            long start = System.nanoTime();
            long took = Poll.until("Consul listing " + n + " instances, Prometheus' hello targets those", Duration.ofSeconds(60),
                    this::seen, seen -> seen.followedMillis() >= 0).followedMillis();
            waited = (System.nanoTime() - start) / 1_000_000;
            assertTrue(took <= DISCOVERY_BOUND.toMillis(), "Prometheus followed Consul after " + took + " ms");
            return took;
        }

        @Override
        public void close() {
            timer.shutdownNow();
        }
    }

    @Test
    @Order(1)
    void everyReplicaRegistersItsOverlayAddressAndTheyShareTheLoadRoundRobin() throws Exception {
        List<Swarm.Instance> instances = Swarm.instances();
        assertEquals(DEPLOYED, instances.size(), instances.toString());
        for (Swarm.Instance i : instances) {
            assertTrue(i.passing(), i.toString());
            assertTrue(i.address().matches("10\\.42\\.0\\.[0-9]+:8000"), "overlay address, listening port: " + i);
        }
        assertEquals(DEPLOYED, Cluster.fabioTargets().size(), Cluster.fabioTargets().toString());
        Set<String> uuids = new HashSet<>();
        AnswerContract contract = AnswerContract.configured();
        for (int k = 0; k < DEPLOYED; k++) {
            uuids.add(contract.assertKept(Cluster.getBytes(Cluster.FABIO + "/hello/api/v1")));
        }
        assertEquals(DEPLOYED, uuids.size(), DEPLOYED + " requests, " + DEPLOYED + " replicas, round-robin: " + uuids);
    }

    @Test
    @Order(2)
    void prometheusScrapesEveryReplicaUnderItsConsulServiceIdAndFabioAndConsul() throws Exception {
        Set<String> ids = Swarm.ids(Swarm.instances());
        assertEquals(DEPLOYED, ids.size(), ids.toString());
        long scraped = awaitScraped(ids, deployed);
        // One Fabio (one manager); Consul: the agent of this node.
        Map<String, String> fabio = Poll.until("Fabio an up target", DISCOVERY_BOUND,
                () -> Swarm.prometheusTargets("fabio"), t -> t.size() == 1 && t.containsValue("up"));
        Map<String, String> consul = Poll.until("Consul's agent an up target", DISCOVERY_BOUND,
                () -> Swarm.prometheusTargets("consul"), t -> t.size() == 1 && t.containsValue("up"));
        long all = (System.nanoTime() - deployed) / 1_000_000;
        REPORT.line("prometheus after the deploy", String.format("all %d replicas up targets under their Consul service IDs"
                + " %d ms after swarm deploy returned; fabio (%d) and consul (%d) targets up after %d ms",
                DEPLOYED, scraped, fabio.size(), consul.size(), all));
    }

    @Test
    @Order(3)
    void consulRefusesAnonymousWritesAndNoLogShowsAToken() throws Exception {
        HttpResponse<String> write = Cluster.http().send(Cluster.request(Cluster.CONSUL + "/v1/agent/service/register")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"Name\":\"intruder\",\"Address\":\"10.9.9.9\",\"Port\":80,"
                        + "\"Tags\":[\"urlprefix-/\"]}")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(403, write.statusCode(), write.body());
        HttpResponse<String> read = Cluster.get(Cluster.CONSUL + "/v1/catalog/services");
        assertEquals("{}", read.body().trim(), "an anonymous read sees nothing");
        StringBuilder logs = new StringBuilder();
        for (String service : List.of("replica", "fabio", "consul-agent", "consul-server", "prometheus")) {
            logs.append(Cluster.docker("service", "logs", "--raw", Swarm.STACK + "_" + service));
        }
        List<String> tokens = List.of("management-token", "agent-token", "replica-token", "fabio-token",
                "prometheus-token", "dashboard-token");
        for (String token : tokens) {
            assertFalse(logs.toString().contains(Swarm.secret(token)), token + " appears in a log");
        }
        REPORT.line("security", "anonymous write refused (HTTP 403), anonymous read sees nothing; "
                + logs.length() + " characters of logs hold none of the " + tokens.size() + " tokens");
    }

    @Test
    @Order(4)
    void aReplicaWithAMissingOrWrongTokenSaysSoInOneLineAndRegistersNothing(@TempDir Path dir) throws Exception {
        Path wrong = Files.writeString(dir.resolve("wrong-token"), "00000000-0000-4000-8000-000000000000\n");
        wrong.toFile().setReadable(true, false);
        String network = Swarm.STACK + "_hello";
        List<String> common = List.of("--network", network, "--add-host", "host.docker.internal:host-gateway",
                "-e", "CONSUL_HTTP_ADDR=https://host.docker.internal:8501", "-e", "CONSUL_CACERT=/run/secrets/ca.pem",
                "-v", Path.of(Settings.of("cluster.ca")).toAbsolutePath() + ":/run/secrets/ca.pem:ro",
                "-e", "HELLO_ADVERTISE_SUBNET=10.42.0.0/24",
                "-e", "HELLO_REGISTRATION_RETRY_MAX=2s", "-e", "HELLO_WARMUP_REQUESTS=0");
        try {
            run("hello-swarm-missing-token", common, "-e", "CONSUL_HTTP_TOKEN_FILE=/run/secrets/absent");
            run("hello-swarm-wrong-token", common, "-v", wrong + ":/run/secrets/token:ro",
                    "-e", "CONSUL_HTTP_TOKEN_FILE=/run/secrets/token");
            String missing = Poll.until("the missing token's line", Duration.ofSeconds(90),
                    () -> Cluster.docker("logs", "hello-swarm-missing-token"), log -> log.contains("Bad configuration"));
            String refused = Poll.until("the refusal's line", Duration.ofSeconds(90),
                    () -> Cluster.docker("logs", "hello-swarm-wrong-token"), log -> log.contains("Consul refused it"));
            assertTrue(missing.contains("Bad configuration: CONSUL_HTTP_TOKEN_FILE='/run/secrets/absent' cannot be read"
                    + " (NoSuchFileException); this replica will not register in Consul"), missing);
            assertTrue(refused.contains("Consul refused it (HTTP 403): the ACL token in CONSUL_HTTP_TOKEN_FILE is unknown"
                    + " to Consul or may not register hello-server"), refused);
            assertFalse(refused.contains("00000000-0000-4000-8000-000000000000"), "the token is never logged");
            assertEquals(1, Stream.of(refused.split("\n")).filter(l -> l.contains("Consul refused it")).count(),
                    "one line, not one per attempt: " + refused);
            assertEquals(DEPLOYED, Swarm.instances().size(), "neither registered");
        } finally {
            Cluster.docker("rm", "-f", "hello-swarm-missing-token", "hello-swarm-wrong-token");
        }
    }

    private static void run(String name, List<String> common, String... more) throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of("run", "-d", "--name", name));
        args.addAll(common);
        args.addAll(List.of(more));
        args.add(IMAGE);
        Cluster.docker(args.toArray(String[]::new));
    }

    @Test
    @Order(6)
    void scalingDownTo3FailsNoRequestAndLeavesExactly3InConsul() throws Exception {
        try (ConstantLoad load = ConstantLoad.start(RATE, 300); CatalogFollower prometheus = new CatalogFollower(3)) {
            load.awaitUnderWay();
            long start = System.nanoTime();
            scale(3);
            List<Swarm.Instance> left = Poll.until("3 in Consul and routed", CONVERGE, Swarm::instances,
                    i -> i.size() == 3 && i.stream().allMatch(Swarm.Instance::passing));
            Poll.until("3 routed", Duration.ofSeconds(10), Cluster::fabioTargets, r -> r.size() == 3);
            long done = (System.nanoTime() - start) / 1_000_000;
            // The 3 that left Consul leave Prometheus' targets too.
            long dropped = prometheus.await();
            load.awaitMore(2);
            load.close();
            REPORT.line("scale 6 -> 3", String.format("3 in Consul and routed %d ms after docker service scale; load %s",
                    done, load));
            load.assertEveryRequestCounted();
            assertTrue(load.failures().isEmpty(), load.toString());
            assertEquals(3, left.size(), left.toString());
            REPORT.line("prometheus after scale 6 -> 3", String.format("the 3 removed replicas dropped, its hello targets"
                    + " the 3 in Consul, all up, %d ms after Consul first listed 3 (bound %d ms); the case waited %d ms"
                    + " for it", dropped, DISCOVERY_BOUND.toMillis(), prometheus.waited));
        }
    }

    @Test
    @Order(7)
    void aRollingUpdateReplacesEveryInstanceOneAtATimeAndFailsNoRequest() throws Exception {
        String next = NEXT_IMAGE;
        Cluster.docker("tag", IMAGE, next);
        Set<String> before = Swarm.ids(Swarm.instances());
        try (ConstantLoad load = ConstantLoad.start(RATE, 400); RouteWatch routes = new RouteWatch()) {
            load.awaitUnderWay();
            long start = System.nanoTime();
            Cluster.dockerWithin(CONVERGE, "service", "update", "--detach=false", "--image", next, Swarm.REPLICAS);
            List<Swarm.Instance> after = Poll.until("3 new instances, passing, and no other", CONVERGE,
                    Swarm::instances, i -> i.size() == 3 && i.stream().allMatch(Swarm.Instance::passing)
                            && Swarm.ids(i).stream().noneMatch(before::contains));
            Poll.until("3 routed", Duration.ofSeconds(10), Cluster::fabioTargets, r -> r.size() == 3);
            long took = (System.nanoTime() - start) / 1_000_000;
            load.close();
            routes.close();
            REPORT.line("rolling update of 3", String.format("every instance replaced, 3 passing and routed, %d ms"
                    + " after docker service update; Fabio routed at least %d at each of %d looks; load %s", took,
                    routes.fewest, routes.looks, load));
            load.assertEveryRequestCounted();
            assertTrue(load.failures().isEmpty(), load.toString());
            // Each old replica left only after its successor was routed: never fewer than 3 routed.
            assertTrue(routes.fewest >= 3 && routes.looks >= 10, routes.fewest + " routed at the fewest, " + routes.looks + " looks");
            assertEquals(Map.of(next, 3), Swarm.runningImages());
            assertEquals(3, after.size());
        }
    }

    /** Looks at Fabio's routes over and over, in the background, and keeps the fewest it saw. */
    private static final class RouteWatch implements AutoCloseable {
        private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        private volatile int fewest = Integer.MAX_VALUE;
        private volatile int looks;

        RouteWatch() {
            timer.scheduleWithFixedDelay(() -> {
                try {
                    fewest = Math.min(fewest, Cluster.fabioTargets().size());
                    looks++;
                } catch (Exception e) {
                    // a look that failed (Fabio's task replaced) tells nothing either way
                }
            }, 0, 200, TimeUnit.MILLISECONDS);
        }

        @Override
        public void close() throws Exception {
            timer.shutdownNow();
            timer.awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    /**
     * A broken release rolls back by itself: the new replica never becomes healthy (never routed),
     * so Swarm stops the update at it and rolls back; every old replica serves on, no request fails.
     */
    private void assertRollsBack(String what, String... update) throws Exception {
        Set<String> before = passingIds();
        try (ConstantLoad load = ConstantLoad.start(RATE, 400)) {
            load.awaitUnderWay();
            long start = System.nanoTime();
            // The broken replica is unhealthy once its start period is over: 5 s (the stack: 120 s) keeps the suite short.
            List<String> args = new java.util.ArrayList<>(List.of("service", "update", "--detach", "--health-start-period", "5s"));
            args.addAll(List.of(update));
            args.add(Swarm.REPLICAS);
            Cluster.docker(args.toArray(String[]::new));
            Poll.until(what + ": rolled back", Duration.ofMinutes(5), Duration.ofSeconds(1), () -> Cluster.docker("service",
                    "inspect", "-f", "{{if .UpdateStatus}}{{.UpdateStatus.State}}{{end}}", Swarm.REPLICAS),
                    state -> state.equals("rollback_completed"));
            long took = (System.nanoTime() - start) / 1_000_000;
            load.awaitMore(2);
            load.close();
            REPORT.line("broken release: " + what, String.format("rolled back %d ms after docker service update; load %s", took, load));
            load.assertEveryRequestCounted();
            assertTrue(load.failures().isEmpty(), load.toString());
            assertEquals(before, passingIds(), "the old replicas, all of them and only them");
            assertEquals(before.size(), Cluster.fabioTargets().size(), "routed");
        }
    }

    @Test
    @Order(9)
    void aReleaseThatCannotReadItsTokenRollsBack() throws Exception {
        assertRollsBack("a token file that does not exist", "--env-add", "CONSUL_HTTP_TOKEN_FILE=/run/secrets/absent");
    }

    @Test
    @Order(10)
    void aReleaseWhoseSubnetMatchesNothingRollsBack() throws Exception {
        assertRollsBack("a subnet that matches nothing", "--env-add", "HELLO_ADVERTISE_SUBNET=10.99.0.0/24");
    }

    @Test
    @Order(11)
    void aReleaseWhoseServerFailsToStartRollsBack() throws Exception {
        String broken = IMAGE + "-broken";
        Process build = new ProcessBuilder("docker", "build", "-q", "-t", broken, "-").redirectErrorStream(true).start();
        try (var in = build.getOutputStream()) {
            in.write(("FROM " + IMAGE + "\nENV JVM_ARGS=-XX:+NoSuchOption\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        assertTrue(build.waitFor(2, TimeUnit.MINUTES) && build.exitValue() == 0, new String(build.getInputStream().readAllBytes()));
        try {
            assertRollsBack("an image whose server fails to start", "--image", broken);
        } finally {
            Cluster.docker("rmi", "-f", broken); // a tag; the failed task's container still names it
        }
    }

    /**
     * Fabio updated (stopped, then started: its ports are the node's own, so two cannot overlap on
     * one manager): requests in flight finish (proxy.shutdownwait), new connections are refused while
     * no Fabio listens, and the new one answers 404 until its first poll of Consul has the routes
     * (0.5 s). Failures only in that window; with more managers, clients retry on another one.
     */
    @Test
    @Order(12)
    void anUpdateOfFabioFinishesWhatItHasAndRefusesOnlyWhileNoneListens() throws Exception {
        try (ConstantLoad load = ConstantLoad.start(RATE, 300)) {
            load.awaitUnderWay();
            long start = load.elapsedMillis();
            Cluster.dockerWithin(CONVERGE, "service", "update", "--detach=false", "--force", Swarm.STACK + "_fabio");
            Poll.until("Fabio routing again", Duration.ofSeconds(60), Cluster::fabioTargets, t -> t.size() == 3);
            long routedAt = load.elapsedMillis();
            load.awaitMore(3);
            load.close();
            List<ConstantLoad.Failure> failures = load.failures();
            long first = failures.stream().mapToLong(ConstantLoad.Failure::sentMillis).min().orElse(start) - start;
            long last = failures.stream().mapToLong(ConstantLoad.Failure::sentMillis).max().orElse(start) - start;
            REPORT.line("Fabio updated under load (one manager)", String.format("%d failed, sent from %d to %d ms after"
                    + " docker service update began: %s; load %s", failures.size(), first, last,
                    failures.stream().map(ConstantLoad.Failure::what).distinct().toList(), load));
            load.assertEveryRequestCounted();
            assertTrue(failures.stream().noneMatch(f -> f.what().startsWith("HTTP 5")), "an answer of Fabio's failed: " + failures);
            assertTrue(failures.stream().allMatch(f -> f.sentMillis() < routedAt), "failed after Fabio routed again: " + failures);
        }
    }

    @Test
    @Order(8)
    void aKilledReplicaIsReplacedAndFailuresStayWithinTheCheck() throws Exception {
        try (ConstantLoad load = ConstantLoad.start(RATE, 400)) {
            load.awaitUnderWay();
            String victim = Swarm.replicaContainers().get(0);
            String target = Swarm.target(victim);
            ghost = Swarm.instances().stream().filter(i -> target.equals("http://" + i.address() + "/")).findFirst()
                    .orElseThrow(() -> new AssertionError(target + " not in Consul")).id();
            long killedMillis = load.elapsedMillis();
            killedAt = System.nanoTime();
            Cluster.docker("kill", victim);
            watchForTheGhostToLeave();
            Poll.until(target + " out of Fabio", Duration.ofSeconds(30), Cluster::fabioTargets, r -> !r.contains(target));
            long gone = load.elapsedMillis() - killedMillis;
            Poll.until("3 routed again", CONVERGE, Cluster::fabioTargets, r -> r.size() == 3);
            long replaced = load.elapsedMillis() - killedMillis;
            load.awaitMore(2);
            load.close();
            long lastSent = load.failures().stream().mapToLong(ConstantLoad.Failure::sentMillis).max().orElse(killedMillis)
                    - killedMillis;
            REPORT.line("replica killed", String.format("out of Fabio %d ms after docker kill, replaced and routed after %d ms;"
                            + " %d failed, the last sent %d ms after the kill; load %s",
                    gone, replaced, load.failures().size(), lastSent, load));
            load.assertEveryRequestCounted();
            // Requests fail while Fabio routes to the dead replica: the last failed one dates that from the
            // client's side. When Fabio's table was seen without it (gone) lags, each look a docker run.
            assertTrue(lastSent <= CHECK_BOUND.toMillis() + 1_000, "a request failed that was sent " + lastSent
                    + " ms after the kill: later than the check's interval and timeout");
            assertTrue(lastSent <= gone + 500, "a request failed that was sent after the replica left Fabio: " + load);
            assertEquals(3, passingIds().size());
        }
    }

    /**
     * Consul drops the killed replica's entry when its check has been critical for deregister-after
     * (1m), on the agent's next reap (every 30 s): watched in the background while the cases go on,
     * checked by the last one.
     */
    private static void watchForTheGhostToLeave() {
        ScheduledExecutorService watch = Executors.newSingleThreadScheduledExecutor();
        watch.scheduleWithFixedDelay(() -> {
            try {
                if (Swarm.instances().stream().noneMatch(i -> i.id().equals(ghost))) {
                    GHOST_GONE.complete((System.nanoTime() - killedAt) / 1_000_000);
                    watch.shutdown();
                }
            } catch (Exception e) {
                // a look that failed tells nothing; the next one asks again
            }
        }, 2, 2, TimeUnit.SECONDS);
    }

    /**
     * From a container of its own on Docker's default bridge, at the manager's address: Fabio's
     * dashboard, plain HTTP and Consul's plain port do not answer; Consul and Prometheus speak HTTPS
     * only, Prometheus wants its password, an anonymous Consul sees nothing and may change nothing;
     * the service answers over HTTPS; no token is in any answer or header.
     */
    @Test
    @Order(13)
    void aStrangerOnTheNetworkGetsHttpsAndNothingElse() throws Exception {
        String out = Cluster.docker("run", "--rm", "--network", "bridge",
                "-v", Path.of("target", "test-classes").toAbsolutePath() + ":/probe:ro",
                "-v", Path.of(Settings.of("cluster.ca")).toAbsolutePath() + ":/ca.pem:ro",
                "--entrypoint", "java", IMAGE, "-cp", "/probe", StrangerProbe.class.getName(), Swarm.MANAGER_ADDRESS, "/ca.pem");
        Map<String, String> outcome = new java.util.TreeMap<>();
        out.lines().filter(l -> l.contains("|")).forEach(l -> outcome.put(l.substring(0, l.indexOf('|')),
                l.substring(l.indexOf('|') + 1).replaceAll("\\|.*", "")));
        for (String port : List.of("9000", "9001", "8500")) {
            assertTrue(outcome.get("tcp " + port).startsWith("closed"), port + ": " + out);
        }
        assertEquals("400", outcome.get("plain consul"), out);
        assertEquals("400", outcome.get("plain prometheus"), out);
        assertEquals("401", outcome.get("prometheus without password"), out);
        assertEquals("403", outcome.get("consul anonymous write"), out);
        String members = out.lines().filter(l -> l.startsWith("consul agent members|")).findFirst().orElse("");
        assertFalse(members.contains("consul-server"), "an anonymous caller sees the members: " + members);
        assertTrue(out.contains("consul anonymous read|200|") && out.contains("|{}"), "an anonymous read sees nothing: " + out);
        assertEquals("200", outcome.get("hello over https"), out);
        for (String token : List.of("management-token", "agent-token", "replica-token", "fabio-token", "prometheus-token",
                "dashboard-token", "prometheus-password")) {
            assertFalse(out.contains(Swarm.secret(token)), token + " in an answer");
        }
        REPORT.line("a stranger at " + Swarm.MANAGER_ADDRESS, outcome.toString());
    }

    /** Every service has a memory limit, and what it uses after the cases above stays well under it. */
    @Test
    @Order(14)
    void everyServiceStaysUnderItsMemoryLimit() throws Exception {
        Map<String, String> use = new java.util.TreeMap<>();
        for (String line : Cluster.docker("stats", "--no-stream", "--format", "{{.Name}} {{.MemUsage}}").split("\n")) {
            if (!line.startsWith(Swarm.STACK + "_")) {
                continue;
            }
            String service = line.substring(Swarm.STACK.length() + 1, line.indexOf('.'));
            String[] usage = line.substring(line.indexOf(' ') + 1).split(" / ");
            assertTrue(Swarm.mib(usage[1]) < 4096, line + ": no limit");
            assertTrue(Swarm.mib(usage[0]) < 0.8 * Swarm.mib(usage[1]), line + ": more than 80 % of its limit");
            use.merge(service, usage[0] + " of " + usage[1], (a, b) -> Swarm.mib(a.split(" ")[0]) >= Swarm.mib(b.split(" ")[0]) ? a : b);
        }
        assertEquals(List.of("consul-agent", "consul-server", "fabio", "prometheus", "replica", "scaler"), List.copyOf(use.keySet()));
        REPORT.line("memory, the most of each service's tasks (docker stats, after the cases)", use.toString());
    }
    /**
     * The scaler, live (2 to 5 replicas at 10 requests/s each, every 5 s, a 30 s scale-down window): with almost
     * no load it goes down to 2, but only once its window has passed; under 40 requests/s it goes up
     * to 4 at once (the suite's scaling up: Prometheus follows it), the replicas there before untouched (a spec that lost a field on its way through
     * the Docker API would have Swarm replace them all). No request fails on the way.
     */
    @Test
    @Order(15)
    void theScalerFollowsTheLoadDownAfterItsWindowAndUpAtOnce() throws Exception {
        Duration window = Duration.ofSeconds(30);
        String scaler = Swarm.STACK + "_scaler";
        int from = Swarm.desiredReplicas();
        try (ConstantLoad load = ConstantLoad.start(5, 300)) {
            load.awaitUnderWay();
            // From before the update: the new scaler task evaluates as soon as it runs, before the update returns.
            long live = System.nanoTime();
            Cluster.dockerWithin(CONVERGE, "service", "update", "--detach=false", "--env-add", "SCALER_DRY_RUN=false",
                    "--env-add", "SCALER_MIN=2", "--env-add", "SCALER_MAX=5", "--env-add", "SCALER_TARGET_RATE=10",
                    "--env-add", "SCALER_DOWN_WINDOW=" + window.toSeconds() + "s", "--env-add", "SCALER_INTERVAL=5s", scaler);
            Poll.until("the scaler scaling down to 2", window.plusSeconds(90), Duration.ofSeconds(1), Swarm::desiredReplicas, n -> n == 2);
            long down = (System.nanoTime() - live) / 1_000_000;
            Poll.until("2 routed", Duration.ofMinutes(1), Cluster::fabioTargets, t -> t.size() == 2);
            load.awaitMore(2);
            load.close();
            REPORT.line("scaler at 5/s", String.format("from %d down to 2 after %d ms (window %d s); load %s",
                    from, down, window.toSeconds(), load));
            load.assertEveryRequestCounted();
            assertTrue(load.failures().isEmpty(), load.toString());
            assertTrue(down >= window.toMillis(), "down after " + down + " ms, inside its window");
        }
        // The two that stay, once the others have drained and stopped.
        List<String> before = Poll.until("2 replica containers", Duration.ofSeconds(60), Swarm::replicaContainers, c -> c.size() == 2);
        try (ConstantLoad load = ConstantLoad.start(40, 300); CatalogFollower prometheus = new CatalogFollower(4)) {
            load.awaitUnderWay();
            long start = System.nanoTime();
            // 40/s over 2 replicas is 20 each, twice the target: 4 wanted, at once.
            Poll.until("the scaler scaling up to 4", Duration.ofMinutes(2), Duration.ofSeconds(1), Swarm::desiredReplicas, n -> n >= 4);
            long up = (System.nanoTime() - start) / 1_000_000;
            Poll.until("4 routed", CONVERGE, Cluster::fabioTargets, t -> t.size() == 4);
            long routed = (System.nanoTime() - start) / 1_000_000;
            long scraped = prometheus.await();
            load.awaitMore(3);
            load.close();
            REPORT.line("scaler under 40/s", String.format("wanted 4 after %d ms, 4 routed after %d ms; load %s", up, routed, load));
            REPORT.line("prometheus after the scaler's 2 -> 4", String.format("its hello targets the 4 in Consul, all up,"
                    + " %d ms after Consul first listed 4 (bound %d ms); the case waited %d ms for it", scraped,
                    DISCOVERY_BOUND.toMillis(), prometheus.waited));
            load.assertEveryRequestCounted();
            assertTrue(load.failures().isEmpty(), load.toString());
            assertTrue(Swarm.replicaContainers().containsAll(before), "replaced: " + before + " -> " + Swarm.replicaContainers());
            // Its gauges in Prometheus, as the deploy's saved graph of the scaler shows them.
            Poll.until("Prometheus: the scaler wants 4 and has 4", DISCOVERY_BOUND, () -> Cluster.getJson(Cluster.PROMETHEUS
                    + "/api/v1/query?query=%7B__name__%3D~%22hello_scaler_(current%7Cdesired)_replicas%22%7D").toString(),
                    json -> json.split("\"4\"", -1).length == 3);
        }
        List<String> log = Cluster.docker("service", "logs", "--raw", scaler).lines().toList();
        // The dry run's decisions: logged (each line begins with its time) before the live task's first line.
        String liveSince = log.stream().filter(l -> l.contains(" scaling ") && !l.contains("dry run")).findFirst().orElseThrow();
        List<String> dry = log.stream().filter(l -> l.compareTo(liveSince) < 0 && l.contains("; the load wants")).toList();
        assertTrue(!dry.isEmpty() && dry.stream().allMatch(l -> l.contains("; hold") || l.endsWith("(dry run: not scaled)")),
                "the dry run's decisions: " + dry);
        assertTrue(log.stream().anyMatch(l -> l.contains("; down -> 2")) && log.stream().anyMatch(l -> l.contains("; up -> 4")),
                String.join("\n", log));
    }

    /** The replica killed above, whose entry Consul kept as critical: gone on its own, no later than 150 s after the kill. */
    @Test
    @Order(16)
    void theKilledReplicasEntryLeftConsulOnItsOwn() throws Exception {
        long left = Duration.ofSeconds(150).minusNanos(System.nanoTime() - killedAt).toMillis();
        long gone = GHOST_GONE.get(Math.max(left, 0), TimeUnit.MILLISECONDS);
        REPORT.line("killed replica's entry", "left Consul " + gone + " ms after docker kill");
        assertFalse(Swarm.ids(Swarm.instances()).contains(ghost), ghost + " still in Consul");
    }
}
