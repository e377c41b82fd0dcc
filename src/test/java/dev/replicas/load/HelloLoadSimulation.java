package dev.replicas.load;

import static io.gatling.javaapi.core.CoreDsl.bodyBytes;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.rampUsers;
import static io.gatling.javaapi.core.CoreDsl.responseTimeInMillis;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;

import com.sun.net.httpserver.HttpServer;
import dev.replicas.hello.AnswerContract;
import dev.replicas.hello.Bodies;
import dev.replicas.hello.HelloPayload;
import io.gatling.javaapi.core.PopulationBuilder;
import io.gatling.javaapi.core.Session;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpRequestActionBuilder;

/**
 * The seed's load test through Fabio, an open model: users arrive at a constant (capacity mode: stepping) rate, each
 * sends one {@code GET}. Kept cheap: every answer's status, length and frame are checked ({@link AnswerContract#uuidOf}),
 * every {@code load.sampleEvery}-th in full. Gatling's assertion (constant mode) fails the build in verify.
 */
public class HelloLoadSimulation extends Simulation {

    private final LoadSettings settings = LoadSettings.from(System.getProperties());
    private final AnswerContract contract = new AnswerContract(settings.payload());
    private final HostCounters counters = HostCounters.discover(settings.containerPrefix());
    private final LoadRun.Recorder recorder = new LoadRun.Recorder(settings, counters::cpu, counters::memory);
    private final HttpServer standIn = standIn(settings.payload());

    /** Sets up the warm-up on the stand-in, then the measured load. */
    public HelloLoadSimulation() throws IOException {
        System.out.println("Load: " + settings + ", " + settings.windows().size() + " windows");
        // A report left by an earlier run must not pass for this one's if this one fails.
        Stream.of(LoadReport.REPORT, LoadReport.SUMMARY).forEach(f -> settings.outputDir().resolve(f).toFile().delete());
        PopulationBuilder measured = scenario("hello through Fabio")
                .stopLoadGeneratorIf(session -> recorder.stopReason(), session -> recorder.shouldStop())
                // Gatling numbers users across both scenarios: the warm-up's come first.
                .exec(session -> session.set("window", recorder.begin(session.userId() - settings.generatorWarmUp())))
                .exec(request(settings.url(), "GET /hello/api/v1"))
                .exec(session -> {
                    recorder.end(session.getInt("window"), session.getIntegerWrapper("status"), Objects.requireNonNullElse(
                            session.getIntegerWrapper("responseTime"), settings.timeoutSeconds() * 1000),
                            session.getString("uuid"), session.isFailed(), sampled(session));
                    return session;
                })
                // rampUsers(n).during(d) injects exactly n users evenly over d: a constant rate, and
                // user numbers that map onto windows exactly (LoadRun.Recorder.begin).
                .injectOpen(settings.windows().stream()
                        .map(w -> rampUsers((int) w.users()).during(Duration.ofSeconds(w.seconds()))).toList());
        PopulationBuilder warmUp = scenario("generator warm-up on a loopback stand-in, not counted")
                .exec(request("http://127.0.0.1:" + standIn.getAddress().getPort() + "/hello/api/v1", "generator warm-up"))
                .injectOpen(rampUsers(settings.generatorWarmUp()).during(Duration.ofMillis(settings.generatorWarmUp() * 10L)));
        PopulationBuilder run = settings.generatorWarmUp() == 0 ? measured : warmUp.andThen(measured);
        // No warm-up on Gatling's outside URL; one keep-alive pool for all users, as a client of a
        // load balancer keeps: a connection per request costs generator, docker-proxy and Fabio more.
        SetUp setUp = setUp(run.protocols(http.disableWarmUp().shareConnections().acceptHeader("application/json")));
        if (!settings.capacity()) {
            setUp.assertions(global().successfulRequests().percent().gte(settings.successPercent()));
        }
    }

    /** @return the one request, with the checks: status, length and frame always, the whole contract when sampled */
    private HttpRequestActionBuilder request(String url, String name) {
        return http(name).get(url)
                .requestTimeout(Duration.ofSeconds(settings.timeoutSeconds()))
                // Status and time saved first: a failure is told by its status or its absence.
                .check(status().saveAs("status"), responseTimeInMillis().saveAs("responseTime"), status().is(200),
                        bodyBytes().transform(contract::uuidOf).name("length and frame").saveAs("uuid"))
                .checkIf(this::sampled)
                .then(bodyBytes().transform(contract::violation).is(AnswerContract.OK).name("full contract"));
    }

    /**
     * A stand-in for the cluster on loopback, in this JVM, answering as the replicas do: the first {@code load.generatorWarmUp}
     * requests go to it, with the same checks, so that the run measures the cluster's first second, not a cold generator's
     * (Netty, Gatling and the checks interpreted: 10 ms of CPU a request against 1.3 later, 300-450 ms on its slowest answers;
     * docs/load-test.md, "Cold tails"). Nothing of the warm-up reaches the cluster or the report.
     */
    private static HttpServer standIn(int payload) throws IOException {
        byte[] body = Bodies.of(new HelloPayload(UUID.randomUUID(), payload));
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.createContext("/hello/api/v1", exchange -> {
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.setExecutor(Executors.newFixedThreadPool(2));
        server.start();
        return server;
    }

    /** The first answer and every {@code sampleEvery}-th after it get the full check. */
    private boolean sampled(Session session) {
        return (session.userId() - 1) % settings.sampleEvery() == 0;
    }

    /** Writes the report, the load being over. */
    @Override
    public void after() {
        standIn.stop(0);
        ((ExecutorService) standIn.getExecutor()).shutdownNow();
        try {
            LoadReport.write(recorder.stop(counters.problems()), settings.outputDir());
        } catch (IOException e) {
            System.err.println("Load: could not write the report to " + settings.outputDir() + ": " + e);
        }
    }
}
