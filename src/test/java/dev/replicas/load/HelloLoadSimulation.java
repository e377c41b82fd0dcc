package dev.replicas.load;

import static io.gatling.javaapi.core.CoreDsl.bodyBytes;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.rampUsers;
import static io.gatling.javaapi.core.CoreDsl.responseTimeInMillis;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.replicas.hello.AnswerContract;
import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.OpenInjectionStep;
import io.gatling.javaapi.core.PopulationBuilder;
import io.gatling.javaapi.core.Session;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpProtocolBuilder;

/**
 * The seed's load test through Fabio, as an open model: users arrive at a constant rate (or, in
 * capacity mode, at a rate that steps up), each sends one {@code GET} and is done.
 *
 * <p>Kept cheap so that the generator does not eat the CPU it measures: every answer is checked
 * for status 200, its exact length and its frame, which also yields the answering replica's UUID
 * ({@link AnswerContract#uuidOf}); every {@code load.sampleEvery}-th answer is also parsed as JSON
 * and checked in full ({@link AnswerContract#violation}). Connections are kept alive and shared
 * between users, as a client of a load balancer would.
 *
 * <p>{@link LoadRecorder} counts every measured request by window, {@link LoadMonitor} reads the
 * CPU and memory counters of every part ({@link HostCounters}) from the first arrival on and, in capacity mode, stops the load at the first step that does not hold. Both go to
 * {@code load-result.json}, which {@link LoadReport} prints after the cluster has stopped.
 * Gatling's assertion (constant mode only) fails the build in the verify phase.
 */
public class HelloLoadSimulation extends Simulation {

    private final LoadSettings settings = LoadSettings.fromSystemProperties();
    private final LoadPlan plan = settings.plan();
    private final AnswerContract contract = new AnswerContract(settings.payload());
    private final LoadRecorder recorder = new LoadRecorder(plan);
    private final HostCounters counters = HostCounters.discover(settings.containerPrefix());
    private final LoadMonitor monitor = new LoadMonitor(recorder, counters, settings.p99LimitMs(),
            settings.failLimitPercent(), settings.memoryPeriodMs());

    private final HttpProtocolBuilder protocol = http
            // Gatling warms its HTTP stack up on an outside URL by default: never, here.
            .disableWarmUp()
            // One keep-alive pool for all users, as a client of a load balancer keeps: a new
            // connection per request costs the generator, docker-proxy and Fabio more
            // (docs/load-test.md).
            .shareConnections()
            .acceptHeader("application/json");

    {
        System.out.println("Load: " + settings);
        try {
            // A result left by an earlier run must not pass for this one's if this one fails.
            Files.deleteIfExists(settings.outputDir().resolve(LoadResult.FILE));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<OpenInjectionStep> steps = new ArrayList<>();
        for (LoadPlan.Window w : plan.windows()) {
            // rampUsers(n).during(d) injects exactly n users evenly over d: a constant rate, and
            // user numbers that map onto windows exactly (LoadPlan.windowOf).
            steps.add(rampUsers((int) w.users()).during(Duration.ofSeconds(w.seconds())));
        }
        PopulationBuilder load = scenario("hello through Fabio")
                .stopLoadGeneratorIf(session -> monitor.stopReason(), session -> monitor.shouldStop())
                .exec(session -> {
                    monitor.startOnce();
                    return session.set("window", recorder.begin(session.userId()));
                })
                .exec(request(settings.url()))
                .exec(session -> {
                    recorder.end(session.getInt("window"),
                            session.contains("status") ? session.getInt("status") : null,
                            session.contains("responseTime") ? session.getInt("responseTime")
                                    : settings.timeoutSeconds() * 1000L,
                            session.contains("uuid") ? session.getString("uuid") : null,
                            session.isFailed(), sampled(session));
                    return session;
                })
                .injectOpen(steps);
        SetUp setUp = setUp(load.protocols(protocol));
        if (!settings.capacity()) {
            setUp.assertions(global().successfulRequests().percent().gte(settings.successPercent()));
        }
    }

    /** The one request each user sends, with its checks. */
    private ChainBuilder request(String url) {
        return exec(http("GET /hello/api/v1")
                .get(url)
                .requestTimeout(Duration.ofSeconds(settings.timeoutSeconds()))
                .check(
                        // Saved first, so that a failure can be told by its status (or its absence).
                        status().saveAs("status"),
                        responseTimeInMillis().saveAs("responseTime"),
                        status().is(200),
                        bodyBytes().transform(contract::uuidOf).name("length and frame").saveAs("uuid"))
                .checkIf(this::sampled)
                .then(bodyBytes().transform(contract::violation).is(AnswerContract.OK).name("full contract")));
    }

    /** The first answer and every {@code sampleEvery}-th after it get the full check. */
    private boolean sampled(Session session) {
        return (session.userId() - 1) % settings.sampleEvery() == 0;
    }

    @Override
    public void after() {
        monitor.stop();
        List<LoadResult.Window> windows = new ArrayList<>();
        List<LoadMonitor.Verdict> verdicts = settings.capacity() ? monitor.finalVerdicts() : List.of();
        for (LoadResult.Window w : recorder.windows()) {
            LoadResult.Window window = w.withCounters(monitor.windowCpu(w.index()), monitor.windowMemory(w.index()));
            if (settings.capacity()) {
                window = window.withVerdict(verdicts.get(w.index()).held(), verdicts.get(w.index()).text());
            }
            windows.add(window);
        }
        LoadResult result = new LoadResult(settings.mode(), settings.replicas(), settings.url(), settings.payload(),
                settings.sampleEvery(), settings.p99LimitMs(), settings.failLimitPercent(), monitor.elapsedSeconds(),
                windows, monitor.runCpu(), monitor.memory(), counters.cpu().getOrDefault("generator", 0L),
                HostCounters.generatorResident(), monitor.stopReason(), counters.problems());
        try {
            result.write(settings.outputDir().resolve(LoadResult.FILE));
        } catch (IOException e) {
            System.err.println("Load: could not write " + LoadResult.FILE + " to " + settings.outputDir() + ": " + e);
        }
    }
}
