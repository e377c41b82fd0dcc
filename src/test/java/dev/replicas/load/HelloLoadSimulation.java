package dev.replicas.load;

import static io.gatling.javaapi.core.CoreDsl.bodyBytes;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.rampUsers;
import static io.gatling.javaapi.core.CoreDsl.responseTimeInMillis;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.stream.Stream;

import dev.replicas.hello.AnswerContract;
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

    /** The {@link StallProbe}'s file in the output directory. */
    static final String STALLS = "host-stalls.txt";

    private final LoadSettings settings = LoadSettings.from(System.getProperties());
    private final AnswerContract contract = new AnswerContract(settings.payload());
    private final LoadRecorder recorder = new LoadRecorder(settings, HostCounters.discover(settings.containerPrefix()));
    private final GeneratorWarmUp standIn;
    private final StallProbe probe;

    {
        System.out.println("Load: " + settings + ", " + settings.windows().size() + " windows");
        // A report left by an earlier run must not pass for this one's if this one fails.
        Stream.of(LoadReport.REPORT, LoadReport.SUMMARY).forEach(f -> settings.outputDir().resolve(f).toFile().delete());
        try {
            standIn = new GeneratorWarmUp(settings.payload());
        } catch (IOException e) {
            throw new UncheckedIOException("Load: no loopback stand-in for the generator's warm-up", e);
        }
        try { // started now, so that its own start is over before the first measured request
            probe = StallProbe.start(settings.outputDir().resolve(STALLS), settings.windows().stream()
                    .mapToLong(LoadSettings.Window::seconds).sum() + settings.timeoutSeconds() + 300);
        } catch (IOException e) {
            throw new UncheckedIOException("Load: the host's stall probe did not start", e);
        }
        PopulationBuilder measured = scenario("hello through Fabio")
                .stopLoadGeneratorIf(session -> recorder.stopReason(), session -> recorder.shouldStop())
                // Gatling numbers users across both scenarios: the warm-up's come first.
                .exec(session -> session.set("window", recorder.begin(session.userId() - settings.generatorWarmUp())))
                .exec(request(settings.url(), "GET /hello/api/v1"))
                .exec(session -> {
                    recorder.end(session.getInt("window"), session.contains("status") ? session.getInt("status") : null,
                            session.contains("responseTime") ? session.getInt("responseTime")
                                    : settings.timeoutSeconds() * 1000L,
                            session.contains("uuid") ? session.getString("uuid") : null, session.isFailed(),
                            sampled(session));
                    return session;
                })
                // rampUsers(n).during(d) injects exactly n users evenly over d: a constant rate, and
                // user numbers that map onto windows exactly (LoadRecorder.begin).
                .injectOpen(settings.windows().stream()
                        .map(w -> rampUsers((int) w.users()).during(Duration.ofSeconds(w.seconds()))).toList());
        PopulationBuilder run = settings.generatorWarmUp() == 0 ? measured
                : scenario("generator warm-up on a loopback stand-in, not counted")
                        .exec(request(standIn.url(), "generator warm-up"))
                        .injectOpen(rampUsers(settings.generatorWarmUp()).during(Duration.ofMillis(settings.generatorWarmUp() * 10L)))
                        .andThen(measured);
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

    /** The first answer and every {@code sampleEvery}-th after it get the full check. */
    private boolean sampled(Session session) {
        return (session.userId() - 1) % settings.sampleEvery() == 0;
    }

    @Override
    public void after() {
        standIn.close();
        recorder.stop();
        try {
            recorder.stalls = probe.stop();
        } catch (IOException | RuntimeException e) {
            System.err.println("Load: the host's stall probe left nothing readable: " + e);
        }
        try {
            LoadReport.write(recorder, settings.outputDir());
        } catch (IOException e) {
            System.err.println("Load: could not write the report to " + settings.outputDir() + ": " + e);
        }
    }
}
