package dev.replicas.scaler;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.concurrent.Callable;
import java.util.logging.Level;
import java.util.logging.Logger;

import com.sun.net.httpserver.HttpServer;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/** Every interval: the service's count, Prometheus' reading, the policy's decision, one log line; a failure holds. */
public final class Scaler {

    /** The service's replica count, as the Docker API has it. */
    interface Replicas {
        /** The count the service wants now. */
        int current() throws Exception;

        /** Sets the count the service wants. */
        void scaleTo(int replicas) throws Exception;
    }

    private static final Logger LOG = Logger.getLogger(Scaler.class.getName());
    private final ScalerConfig config;
    private final ScalingPolicy policy;
    private final Replicas replicas;
    private final Callable<PrometheusReader.Reading> readings;
    private final Gauge currentReplicas;
    private final Gauge desiredReplicas;
    private final Counter scalings;

    Scaler(ScalerConfig config, Replicas replicas, Callable<PrometheusReader.Reading> readings, PrometheusRegistry metrics) {
        this.config = config;
        this.policy = new ScalingPolicy(config.limits());
        this.replicas = replicas;
        this.readings = readings;
        this.currentReplicas = Gauge.builder().name("hello_scaler_current_replicas")
                .help("Replicas the service had at the last evaluation").register(metrics);
        this.desiredReplicas = Gauge.builder().name("hello_scaler_desired_replicas")
                .help("Replicas the scaler wanted at the last evaluation").register(metrics);
        this.scalings = Counter.builder().name("hello_scaler_scalings")
                .help("Times the scaler changed the service's count").labelNames("direction").register(metrics);
    }

    /** Runs until the process is stopped; exits 2 on bad settings or a service Docker does not know. */
    public static void main(String[] args) throws Exception {
        System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tFT%1$tT.%1$tLZ %4$s %5$s%6$s%n");
        ScalerConfig config = ScalerConfig.fromEnvironment();
        if (!config.problems().isEmpty()) {
            config.problems().forEach(p -> LOG.severe("not scaling: " + p));
            System.exit(2);
        }
        String dockerHost = System.getenv().getOrDefault("DOCKER_HOST", "unix:///var/run/docker.sock");
        SwarmReplicas replicas = new SwarmReplicas(dockerHost, config.service());
        try {
            replicas.current();
        } catch (RuntimeException e) {
            LOG.severe("not scaling: scaler.service=" + config.service() + " is no replicated service at " + dockerHost
                    + ": " + e.getMessage());
            System.exit(2);
        }
        PrometheusRegistry metrics = new PrometheusRegistry();
        Scaler scaler = new Scaler(config, replicas, new PrometheusReader(config)::read, metrics);
        ExpositionFormats formats = ExpositionFormats.init();
        HttpServer server = HttpServer.create(new InetSocketAddress(config.metricsPort()), 0);
        server.createContext("/metrics", exchange -> {
            var writer = formats.findWriter(exchange.getRequestHeaders().getFirst("Accept"));
            exchange.getResponseHeaders().set("Content-Type", writer.getContentType());
            exchange.sendResponseHeaders(200, 0);
            try (OutputStream out = exchange.getResponseBody()) {
                writer.write(out, metrics.scrape());
            }
        });
        server.start();
        LOG.info("scaling " + config.service() + " every " + config.interval().toSeconds() + " s within " + config.limits()
                + (config.dryRun() ? "; dry run: logs, scales nothing" : ""));
        while (true) {
            try {
                scaler.evaluate(System.nanoTime() / 1_000_000);
            } catch (RuntimeException e) { // a failed evaluation must not end the loop
                LOG.log(Level.SEVERE, "evaluation failed; holding until the next", e);
            }
            Thread.sleep(config.interval().toMillis());
        }
    }

    /** Evaluates once at {@code now} (ms, monotonic); returns the log line it wrote. */
    String evaluate(long now) {
        String failing = "holding: the Docker API did not give " + config.service() + "'s replicas: ";
        int current = 0;
        PrometheusReader.Reading seen;
        try {
            current = replicas.current();
            currentReplicas.set(current);
            failing = "holding " + current + ": no reading from Prometheus: ";
            seen = readings.call();
        } catch (Exception e) {
            return warn(failing + (e.getMessage() != null ? e.getMessage() : e)); // a ConnectException has no message
        }
        if (seen.series() == 0) {
            return warn("holding " + current + ": Prometheus has no series of " + config.service() + "'s requests");
        }
        ScalingPolicy.Decision d = policy.decide(now, current, seen.counted(), seen.rate());
        double ceiling = config.p99CeilingSeconds();
        if (ceiling > 0 && seen.p99Seconds() > ceiling && d.desired() <= current && current < config.limits().max()) {
            d = new ScalingPolicy.Decision(current, d.wanted(), current + 1, "up: p99 above " + ceiling + " s");
        }
        desiredReplicas.set(d.desired());
        String line = "%s: %d replicas, %d routed answering %.1f requests/s (p99 %.3f s); the load wants %d; %s -> %d".formatted(
                config.service(), current, seen.counted(), seen.rate(), seen.p99Seconds(), d.wanted(), d.why(), d.desired());
        if (d.scales() && config.dryRun()) {
            line += " (dry run: not scaled)";
        } else if (d.scales()) {
            try {
                replicas.scaleTo(d.desired());
            } catch (Exception e) {
                return warn(line + ", but the Docker API refused: " + e.getMessage());
            }
            scalings.labelValues(d.desired() > current ? "up" : "down").inc();
        }
        LOG.info(line);
        return line;
    }

    private static String warn(String line) {
        LOG.warning(line);
        return line;
    }
}
