package dev.replicas.health;

import java.time.Duration;
import java.util.logging.Logger;

import dev.replicas.discovery.ConfigReader;
import dev.replicas.discovery.ConsulDuration;
import dev.replicas.discovery.ConsulRegistrar;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.BeforeDestroyed;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.Startup;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.Config;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Drains the replica when it is told to stop (SIGTERM: {@code docker stop}, {@code mvn
 * docker:stop}), before the server stops listening: readiness goes DOWN, the replica leaves Consul
 * (so Fabio drops its route), and the stop waits until no request has come for
 * {@code hello.drain.quiet}, at most {@code hello.drain.max}; then the JVM shuts down as it would
 * have, and the server finishes what is in flight.
 *
 * <p>Why a signal handler: Liberty stops taking requests as soon as its shutdown begins, before any
 * application observer runs, so an application that deregisters on its way down is still routed to
 * after it stopped listening. The handler runs first, and then hands the signal to the JVM's own.
 */
@ApplicationScoped
public class GracefulStop {

    /** Quiet time that tells the load balancer no longer routes here. */
    public static final String QUIET = "hello.drain.quiet";
    /** The longest a drain may take; the container's stop grace must cover it and the server's stop. */
    public static final String MAX = "hello.drain.max";

    private static final Logger LOG = Logger.getLogger(GracefulStop.class.getName());
    private static final Signal TERM = new Signal("TERM");

    private final ShutdownSignal shutdown;
    private final ConsulRegistrar registrar;
    private final TrafficWatch traffic;
    private final Duration quiet;
    private final Duration max;
    private SignalHandler previous;

    /**
     * @param shutdown  readiness's stop flag
     * @param registrar the Consul registration
     * @param traffic   when the last request came
     * @param config    the application's MicroProfile Config
     */
    @Inject
    public GracefulStop(ShutdownSignal shutdown, ConsulRegistrar registrar, TrafficWatch traffic, Config config) {
        this.shutdown = shutdown;
        this.registrar = registrar;
        this.traffic = traffic;
        ConfigReader reader = new ConfigReader(config);
        String expectation = "is not a duration such as 500ms, 10s, 1m or 1h";
        this.quiet = reader.optional(QUIET, ConsulDuration.class, expectation).map(ConsulDuration::value).orElse(Duration.ofSeconds(1));
        this.max = reader.optional(MAX, ConsulDuration.class, expectation).map(ConsulDuration::value).orElse(Duration.ofSeconds(6));
        reader.problems().forEach(problem -> LOG.warning("Bad configuration: " + problem + "; using " + QUIET + "=1s, "
                + MAX + "=6s"));
    }

    /** For the CDI client proxy only. */
    protected GracefulStop() {
        this.shutdown = null;
        this.registrar = null;
        this.traffic = null;
        this.quiet = null;
        this.max = null;
    }

    synchronized void onStart(@Observes Startup event) {
        try {
            previous = Signal.handle(TERM, this::onTerm);
            LOG.info("On SIGTERM this replica drains first: readiness DOWN, out of Consul, then until no request for "
                    + quiet.toMillis() + " ms (at most " + max.toMillis() + " ms)");
        } catch (IllegalArgumentException e) {
            LOG.warning("Cannot drain on SIGTERM (" + e.getMessage() + "); the replica stops without draining");
        }
    }

    synchronized void onStop(@Observes @BeforeDestroyed(ApplicationScoped.class) Object event) {
        if (previous != null) {
            // The application goes (dev mode, redeploy) while the JVM stays: give the signal back.
            Signal.handle(TERM, previous);
            previous = null;
        }
    }

    private void onTerm(Signal signal) {
        SignalHandler next;
        synchronized (this) {
            next = previous;
        }
        drain();
        if (next != null) {
            next.handle(signal);
        }
    }

    /**
     * Readiness DOWN, out of Consul, then waits until traffic stops (bounded).
     */
    void drain() {
        long start = System.nanoTime();
        long deadline = start + max.toNanos();
        shutdown.beginStopping();
        registrar.deregister("graceful stop");
        long left = System.nanoTime();
        long quietNanos = quiet.toNanos();
        while (true) {
            long now = System.nanoTime();
            long since = Math.max(left, traffic.lastRequestNanos());
            if (now - since >= quietNanos) {
                LOG.info("Drained: no request for " + quiet.toMillis() + " ms, " + (now - start) / 1_000_000
                        + " ms after the stop began; stopping");
                return;
            }
            if (now >= deadline) {
                LOG.warning("Still routed to " + max.toMillis() + " ms after the stop began; stopping anyway");
                return;
            }
            try {
                Thread.sleep(Math.min(50, Math.max(1, (deadline - now) / 1_000_000)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
