package dev.replicas.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.BooleanSupplier;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import com.fasterxml.jackson.databind.JsonNode;
import dev.replicas.config.LogCapture;
import dev.replicas.config.ReplicaConfig;
import dev.replicas.config.ReplicaSettings;
import dev.replicas.config.TestConfigs;
import dev.replicas.discovery.ConsulRegistrar.State;
import dev.replicas.testing.Poll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The registrar's own logic against a loopback stand-in for the agent, through the real
 * consul-client: retries, one log line per state change, refresh after an agent restart,
 * deregistration on stop, taking over from a ghost, ACL refusals, and a state that never waits.
 */
class ConsulRegistrarTest {

    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private ReplicaSettings settings;
    private LogCapture log;
    private ConsulAgentStub agent;

    private List<LogRecord> warnings() {
        return log.atLeast(Level.WARNING);
    }

    @BeforeEach
    void start() throws Exception {
        agent = new ConsulAgentStub();
        log = LogCapture.of(ConsulRegistrar.class);
    }

    @AfterEach
    void stop() {
        log.close();
        scheduler.shutdownNow();
        agent.close();
    }

    private ConsulRegistrar registrar(String... keyValues) {
        Map<String, String> values = new HashMap<>(Map.of(
                "CONSUL_HTTP_ADDR", agent.address(),
                "DOCKERPORT", "8001",
                "hello.advertise.address", "127.0.0.1",
                "hello.registration.enabled", "true",
                "hello.registration.refresh", "30s",
                "hello.service.name", "hello-server",
                "hello.route.prefix", "/hello/api/v1",
                "hello.check.interval", "10s",
                "hello.check.timeout", "30s",
                "hello.check.deregister-after", "1m"));
        for (int i = 0; i < keyValues.length; i += 2) {
            values.put(keyValues[i], keyValues[i + 1]);
        }
        settings = ReplicaConfig.read(TestConfigs.of(values), () -> "127.0.0.1", List::of);
        ConsulRegistrar registrar = new ConsulRegistrar(settings);
        registrar.executor = scheduler;
        return registrar;
    }

    private static void await(String what, BooleanSupplier condition) throws Exception {
        Poll.until(what, Duration.ofSeconds(15), Duration.ofMillis(20), condition::getAsBoolean, done -> done);
    }

    private String id() {
        return "hello-" + settings.uuid();
    }

    @Test
    void registersAndDeregistersOnStop() throws Exception {
        ConsulRegistrar registrar = registrar();
        registrar.onStart(null);
        await("registered", () -> registrar.state() == State.REGISTERED);
        assertEquals(8001, agent.services().get(id()).get("Port").asInt());

        registrar.onStop(null);

        assertEquals(State.DEREGISTERED, registrar.state());
        assertTrue(agent.services().isEmpty());
        assertEquals(1, agent.count("PUT /v1/agent/service/deregister/" + id()));
        assertTrue(warnings().isEmpty(), warnings().toString());
    }

    @Test
    void retriesUntilTheAgentAcceptsAndWarnsOncePerOutage() throws Exception {
        agent.failNextRegistrations(2);
        ConsulRegistrar registrar = registrar();
        registrar.onStart(null);

        await("registered", () -> registrar.state() == State.REGISTERED);

        assertEquals(3, agent.count("PUT /v1/agent/service/register"));
        assertEquals(1, warnings().size(), "one warning for two identical failures: " + warnings());
        assertTrue(warnings().get(0).getMessage().contains("Cannot register " + id()), warnings().get(0).getMessage());
        registrar.onStop(null);
    }

    @Test
    void startDoesNotWaitForAnAbsentAgent() throws Exception {
        ConsulRegistrar registrar = registrar("CONSUL_HTTP_ADDR", "127.0.0.1:1");
        long started = System.nanoTime();
        registrar.onStart(null);
        long tookMillis = (System.nanoTime() - started) / 1_000_000;

        await("retrying", () -> registrar.state() == State.UNREACHABLE);
        assertEquals("retrying", registrar.state().label(), "health reports it as retrying");
        assertTrue(tookMillis < 1_000, "onStart blocked for " + tookMillis + " ms");
        registrar.onStop(null);
        assertEquals(State.UNREACHABLE, registrar.state(), "nothing to deregister from an absent agent");
        assertTrue(warnings().stream().noneMatch(w -> w.getMessage().contains("deregister")), warnings().toString());
    }

    @Test
    void registersAgainWhenTheAgentForgetsIt() throws Exception {
        ConsulRegistrar registrar = registrar("hello.registration.refresh", "100ms");
        registrar.onStart(null);
        await("registered", () -> agent.services().containsKey(id()));

        agent.forgetEverything();

        await("registered again", () -> agent.services().containsKey(id()));
        assertEquals(2, agent.count("PUT /v1/agent/service/register"));
        assertEquals(State.REGISTERED, registrar.state());
        assertEquals(1, warnings().size(), warnings().toString());
        assertTrue(warnings().get(0).getMessage().contains("no longer has"), warnings().get(0).getMessage());
        registrar.onStop(null);
    }

    @Test
    void misconfigurationSendsNothing() throws Exception {
        ConsulRegistrar registrar = registrar("DOCKERPORT", "abc");
        registrar.onStart(null);
        registrar.onStop(null);

        assertEquals(State.MISCONFIGURED, registrar.state());
        assertTrue(registrar.describe().contains("DOCKERPORT='abc'"), registrar.describe());
        assertTrue(agent.requests().isEmpty(), agent.requests().toString());
    }

    @Test
    void switchedOffSendsNothing() {
        ConsulRegistrar registrar = registrar("hello.registration.enabled", "false");
        registrar.onStart(null);
        registrar.onStop(null);

        assertEquals(State.DISABLED, registrar.state());
        assertTrue(agent.requests().isEmpty(), agent.requests().toString());
    }

    @Test
    void takesOverTheAddressAndPortFromAGhostOfAnEarlierProcess() throws Exception {
        agent.addService("hello-ghost", "hello-server", "127.0.0.1", 8001);
        agent.addService("hello-other-port", "hello-server", "127.0.0.1", 8002);
        agent.addService("other-service", "postgres", "127.0.0.1", 8001);
        ConsulRegistrar registrar = registrar();
        registrar.onStart(null);
        await("registered", () -> registrar.state() == State.REGISTERED);

        assertEquals(java.util.Set.of(id(), "hello-other-port", "other-service"), agent.services().keySet());
        assertEquals(1, agent.count("PUT /v1/agent/service/deregister/hello-ghost"));
        registrar.onStop(null);
    }

    @Test
    void anAclRefusalSaysWhichSettingToLookAtAndNeverShowsTheToken() throws Exception {
        agent.refuseRegistrationsWith(403);
        ConsulRegistrar registrar = registrar("CONSUL_HTTP_TOKEN", "s3cr3t-t0ken");
        registrar.onStart(null);
        await("refused", () -> registrar.state() == State.REFUSED);

        assertEquals(1, warnings().size(), warnings().toString());
        String message = warnings().get(0).getMessage();
        assertTrue(message.contains("Consul refused it (HTTP 403): the ACL token in CONSUL_HTTP_TOKEN"), message);
        assertTrue(registrar.lastFailure().contains("403"), registrar.lastFailure());
        assertTrue(!message.contains("s3cr3t-t0ken") && !registrar.lastFailure().contains("s3cr3t-t0ken")
                && !registrar.describe().contains("s3cr3t-t0ken"), message);

        agent.refuseRegistrationsWith(0);
        await("registered once the token is allowed", () -> registrar.state() == State.REGISTERED);
        registrar.onStop(null);
        // The token travels in the X-Consul-Token header of every request, never in a URL.
        assertTrue(agent.credentials().size() >= 3, agent.credentials().toString());
        assertTrue(agent.credentials().stream().allMatch(c -> c.equals("null s3cr3t-t0ken")), agent.credentials().toString());
    }

    @Test
    void withoutATokenTheRefusalSaysItIsNotSet() throws Exception {
        agent.refuseRegistrationsWith(403);
        ConsulRegistrar registrar = registrar();
        registrar.onStart(null);
        await("refused", () -> registrar.state() == State.REFUSED);
        assertTrue(registrar.lastFailure().contains("no ACL token is set (CONSUL_HTTP_TOKEN or CONSUL_HTTP_TOKEN_FILE)"), registrar.lastFailure());
        registrar.onStop(null);
    }

    @Test
    void theStateIsReadableAtOnceWhileAgentCallsHang() throws Exception {
        ConsulRegistrar registrar = registrar("hello.registration.refresh", "100ms");
        registrar.onStart(null);
        await("registered", () -> registrar.state() == State.REGISTERED);
        agent.freeze();
        long calls = agent.requests().size();
        await("a refresh hanging in the agent", () -> agent.requests().size() > calls);

        long started = System.nanoTime();
        State state = registrar.state();
        String described = registrar.describe();
        String failure = registrar.lastFailure();
        long tookMillis = (System.nanoTime() - started) / 1_000_000;

        assertEquals(State.REGISTERED, state);
        assertTrue(described.startsWith(id()) && failure.isEmpty(), described);
        assertTrue(tookMillis < 50, "reading the state took " + tookMillis + " ms");
        agent.thaw();
        registrar.onStop(null);
    }

    /** Routed once Consul's check passes, looked at every second until then; and routed it stays while Consul is away. */
    @Test
    void routedOnceTheCheckPassesAndStillRoutedWhileConsulIsAway() throws Exception {
        agent.checkStatus = "critical";
        ConsulRegistrar registrar = registrar();
        registrar.onStart(null);
        await("registered", () -> registrar.state() == State.REGISTERED);
        assertFalse(registrar.isRouted(), "routed while the check is critical");
        agent.checkStatus = "passing";
        await("routed within the next second's look, not the 30 s refresh", registrar::isRouted);
        agent.checkStatus = "critical";
        agent.freeze();
        assertTrue(registrar.isRouted(), "an outage of Consul must not make a routed replica unhealthy");
        agent.thaw();
        registrar.onStop(null);
    }

    /** A stop never waits behind an attempt that hangs in a frozen Consul: only for its own call's timeout (5 s). */
    @Test
    void aDeregistrationDoesNotWaitForAnAttemptInFlight() throws Exception {
        ConsulRegistrar registrar = registrar("hello.registration.refresh", "100ms");
        registrar.onStart(null);
        await("registered and routed", registrar::isRouted);
        agent.freeze();
        long calls = agent.requests().size();
        await("an attempt in flight", () -> agent.requests().size() > calls);
        long start = System.nanoTime();
        boolean gone = registrar.deregister("graceful stop");
        long tookMillis = (System.nanoTime() - start) / 1_000_000;
        agent.thaw();
        assertFalse(gone, "Consul did not confirm the deregistration");
        assertTrue(tookMillis < 6_000, "the deregistration took " + tookMillis + " ms, its own read timeout is 5 s");
        assertTrue(registrar.deregister("asked again"), "confirmed once Consul answers");
        registrar.onStop(null);
    }

    @Test
    void deregisteringEarlyLeavesNothingForTheStop() throws Exception {
        ConsulRegistrar registrar = registrar();
        registrar.onStart(null);
        await("registered", () -> registrar.state() == State.REGISTERED);

        registrar.deregister("graceful stop");
        registrar.onStop(null);

        assertEquals(State.DEREGISTERED, registrar.state());
        assertEquals(1, agent.count("PUT /v1/agent/service/deregister/" + id()));
        assertTrue(agent.services().isEmpty());
    }

    @Test
    void aBadValueOfAKeyOtherThanTheRegistrationsAlsoSendsNothing() {
        ConsulRegistrar registrar = registrar("hello.warmup.requests", "-1");
        registrar.onStart(null);
        registrar.onStop(null);

        assertEquals(State.MISCONFIGURED, registrar.state());
        assertTrue(registrar.describe().contains("hello.warmup.requests='-1'"), registrar.describe());
        assertTrue(agent.requests().isEmpty(), agent.requests().toString());
    }

    @Test
    void registrationAsTheAgentReceivesIt() throws Exception {
        ConsulRegistrar registrar = registrar("DOCKERPORT", "8004", "hello.advertise.address", "host.docker.internal");
        registrar.onStart(null);
        await("registered", () -> registrar.state() == State.REGISTERED);
        JsonNode json = agent.services().get(id());

        // "Id", not "ID": the agent decodes JSON keys without regard to case.
        assertEquals(id(), json.get("Id").asText());
        assertEquals("hello-server", json.get("Name").asText());
        assertEquals("host.docker.internal", json.get("Address").asText());
        assertEquals(8004, json.get("Port").asInt());
        assertEquals("urlprefix-/hello/api/v1", json.get("Tags").get(0).asText());
        assertEquals(settings.uuid().toString(), json.get("Meta").get("uuid").asText());
        JsonNode check = json.get("Check");
        assertEquals("http://host.docker.internal:8004/health", check.get("HTTP").asText());
        assertEquals("10s", check.get("Interval").asText());
        assertEquals("30s", check.get("Timeout").asText());
        assertEquals("1m", check.get("DeregisterCriticalServiceAfter").asText());
        registrar.onStop(null);
    }
}
