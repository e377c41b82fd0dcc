package dev.replicas.load;

import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.jmesPath;
import static io.gatling.javaapi.core.CoreDsl.responseTimeInMillis;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Pattern;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpProtocolBuilder;

/**
 * The seed's load test, through Fabio: an open model of {@code load.rate} new users per second
 * for {@code load.duration} seconds (100 × 60 = 6,000 requests), each sending one
 * {@code GET load.url} with a {@code load.timeout}-second request timeout.
 *
 * <p>A request succeeds only when it answers 200 with exactly the seed's keys (Status,
 * Application, UUID, Data), Status 200, Application "hello", a UUID, and {@code load.payload}
 * letters of Data. Gatling's own assertion {@code load.successPercent} (100 by default) decides
 * whether the build passes; the gatling-maven-plugin fails it only in the verify phase, after
 * the cluster has been stopped.
 *
 * <p>While the load runs, {@link ReplicaStatsSampler} records memory and CPU of the cluster's
 * containers from the Docker engine, and every answering replica's UUID is counted; both go to
 * files that {@link LoadReport} turns into the printed table.
 *
 * <p>Every setting is a system property, set by the {@code load} Maven profile:
 * {@code load.rate}, {@code load.duration}, {@code load.url}, {@code load.timeout},
 * {@code load.payload}, {@code load.successPercent}, {@code load.outputDir},
 * {@code load.containerPrefix}, {@code load.samplePeriodMs}.
 */
public class HelloLoadSimulation extends Simulation {

    private static final Pattern UUID_PATTERN =
            Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    private final LoadSettings settings = LoadSettings.fromSystemProperties();
    private final ResponseCounter responses = new ResponseCounter();
    private final ReplicaStatsSampler sampler = new ReplicaStatsSampler(
            settings.containerPrefix(), Duration.ofMillis(settings.samplePeriodMs()));

    private final HttpProtocolBuilder protocol = http
            // Gatling warms its HTTP stack up on an outside URL by default: never, here.
            .disableWarmUp()
            .acceptHeader("application/json");

    private final ScenarioBuilder scenario = scenario("hello through Fabio")
            .exec(http("GET /hello/api/v1")
                    .get(settings.url())
                    .requestTimeout(Duration.ofSeconds(settings.timeoutSeconds()))
                    .check(
                            // Saved first, so that a failure can be told by its status (or its absence).
                            status().saveAs("status"),
                            responseTimeInMillis().saveAs("responseTime"),
                            status().is(200),
                            jmesPath("join(',', sort(keys(@)))").is("Application,Data,Status,UUID"),
                            jmesPath("Status").ofInt().is(200),
                            jmesPath("Application").is("hello"),
                            jmesPath("UUID").transform(uuid -> UUID_PATTERN.matcher(uuid).matches()).is(true)
                                    .name("UUID is a UUID"),
                            jmesPath("UUID").saveAs("uuid"),
                            jmesPath("length(Data)").ofInt().is(settings.payload())))
            .exec(session -> {
                if (!session.isFailed() && session.contains("uuid")) {
                    responses.ok(session.getString("uuid"), session.getInt("responseTime"));
                } else if (!session.contains("status")) {
                    responses.failed("no answer (timeout or connection error)");
                } else if (session.getInt("status") != 200) {
                    responses.failed("HTTP " + session.getInt("status"));
                } else {
                    responses.failed("HTTP 200 with a wrong body");
                }
                return session;
            });

    {
        System.out.println("Load: " + settings);
        setUp(scenario.injectOpen(constantUsersPerSec(settings.rate()).during(Duration.ofSeconds(settings.durationSeconds()))))
                .protocols(protocol)
                .assertions(global().successfulRequests().percent().gte(settings.successPercent()));
    }

    @Override
    public void before() {
        sampler.start();
    }

    @Override
    public void after() {
        sampler.stop();
        Path dir = settings.outputDir();
        try {
            sampler.write(dir.resolve(LoadReport.STATS_FILE));
            responses.write(dir.resolve(LoadReport.UUIDS_FILE));
        } catch (java.io.IOException e) {
            System.err.println("Load: could not write the replica statistics to " + dir + ": " + e);
        }
    }
}
