package dev.replicas.load;

import static io.gatling.javaapi.core.CoreDsl.bodyBytes;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.rampUsers;
import static io.gatling.javaapi.core.CoreDsl.responseTimeInMillis;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import java.io.IOException;
import java.time.Duration;
import java.util.stream.Stream;

import dev.replicas.hello.AnswerContract;
import io.gatling.javaapi.core.Session;
import io.gatling.javaapi.core.Simulation;

/**
 * The seed's load test through Fabio, an open model: users arrive at a constant (capacity mode: stepping) rate, each
 * sends one {@code GET}. Kept cheap: every answer's status, length and frame are checked ({@link AnswerContract#uuidOf}),
 * every {@code load.sampleEvery}-th in full. Gatling's assertion (constant mode) fails the build in verify.
 */
public class HelloLoadSimulation extends Simulation {

    private final LoadSettings settings = LoadSettings.from(System.getProperties());
    private final AnswerContract contract = new AnswerContract(settings.payload());
    private final LoadRecorder recorder = new LoadRecorder(settings, HostCounters.discover(settings.containerPrefix()));

    {
        System.out.println("Load: " + settings + ", " + settings.windows().size() + " windows");
        // A report left by an earlier run must not pass for this one's if this one fails.
        Stream.of(LoadReport.REPORT, LoadReport.SUMMARY).forEach(f -> settings.outputDir().resolve(f).toFile().delete());
        var request = http("GET /hello/api/v1").get(settings.url())
                .requestTimeout(Duration.ofSeconds(settings.timeoutSeconds()))
                // Status and time saved first: a failure is told by its status or its absence.
                .check(status().saveAs("status"), responseTimeInMillis().saveAs("responseTime"), status().is(200),
                        bodyBytes().transform(contract::uuidOf).name("length and frame").saveAs("uuid"))
                .checkIf(this::sampled)
                .then(bodyBytes().transform(contract::violation).is(AnswerContract.OK).name("full contract"));
        SetUp setUp = setUp(scenario("hello through Fabio")
                .stopLoadGeneratorIf(session -> recorder.stopReason(), session -> recorder.shouldStop())
                .exec(session -> session.set("window", recorder.begin(session.userId())))
                .exec(request)
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
                        .map(w -> rampUsers((int) w.users()).during(Duration.ofSeconds(w.seconds()))).toList())
                // No warm-up on Gatling's outside URL; one keep-alive pool for all users, as a client of a
                // load balancer keeps: a connection per request costs generator, docker-proxy and Fabio more.
                .protocols(http.disableWarmUp().shareConnections().acceptHeader("application/json")));
        if (!settings.capacity()) {
            setUp.assertions(global().successfulRequests().percent().gte(settings.successPercent()));
        }
    }

    /** The first answer and every {@code sampleEvery}-th after it get the full check. */
    private boolean sampled(Session session) {
        return (session.userId() - 1) % settings.sampleEvery() == 0;
    }

    @Override
    public void after() {
        recorder.stop();
        try {
            LoadReport.write(recorder, settings.outputDir());
        } catch (IOException e) {
            System.err.println("Load: could not write the report to " + settings.outputDir() + ": " + e);
        }
    }
}
