package dev.replicas.lifecycle;

import java.util.Optional;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Logger;

import dev.replicas.config.ReplicaSettings;
import dev.replicas.discovery.ConsulRegistrar;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.BeforeDestroyed;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.Startup;
import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.ext.Provider;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/** Drains on SIGTERM: Liberty stops taking requests before app observers run (docs/reliability.md, "Graceful stop"). */
@Provider
@ApplicationScoped
public class GracefulStop implements ContainerRequestFilter {

    private static final Logger LOG = Logger.getLogger(GracefulStop.class.getName());
    private static final Signal TERM = new Signal("TERM");

    private final ConsulRegistrar registrar;
    private final ReplicaSettings config;
    private volatile long lastRequestNanos = System.nanoTime();
    private volatile boolean stopping;
    private volatile SignalHandler previous;

    /** Drains out of {@code registrar}, timed by {@code config}'s drain settings. */
    @Inject
    public GracefulStop(ConsulRegistrar registrar, ReplicaSettings config) {
        this.registrar = registrar;
        this.config = config;
    }

    /** For the CDI client proxy, and for JAX-RS, which then takes this bean from CDI as its filter. */
    public GracefulStop() {
        this(null, null);
    }

    @Override
    public void filter(ContainerRequestContext request) {
        lastRequestNanos = System.nanoTime();
    }

    /** @return true once the replica has begun to drain or the application to stop: no longer ready */
    public boolean isStopping() {
        return stopping;
    }

    synchronized void onStart(@Observes Startup event) {
        try {
            previous = Signal.handle(TERM, signal -> {
                Optional<SignalHandler> next = Optional.ofNullable(previous);
                drain();
                next.ifPresent(handler -> handler.handle(signal));
            });
            LOG.info("On SIGTERM this replica drains first: readiness DOWN, out of Consul, then until no request for "
                    + config.drainQuiet().toMillis() + " ms (at most " + config.drainMax().toMillis() + " ms)");
        } catch (IllegalArgumentException e) {
            LOG.warning("Cannot drain on SIGTERM (" + e.getMessage() + "); the replica stops without draining");
        }
    }

    synchronized void onStop(@Observes @BeforeDestroyed(ApplicationScoped.class) Object event) {
        stopping = true;
        if (previous != null) {
            // The application goes (dev mode, redeploy) while the JVM stays: give the signal back.
            Signal.handle(TERM, previous);
            previous = null;
        }
    }

    /** Readiness DOWN, out of Consul (asking again until it confirms), then until traffic stops, within the bound. */
    void drain() {
        long quiet = config.drainQuiet().toNanos();
        long start = System.nanoTime();
        long deadline = start + config.drainMax().toNanos();
        stopping = true;
        if (!registrar.isRouted()) {
            registrar.deregister("graceful stop");
            LOG.info("Never routed: stopping without a drain");
            return;
        }
        while (!registrar.deregister("graceful stop") && System.nanoTime() < deadline) {
            LockSupport.parkNanos(500_000_000);
        }
        long left = System.nanoTime();
        for (long now = left; !Thread.currentThread().isInterrupted(); now = System.nanoTime()) {
            if (now - Math.max(left, lastRequestNanos) >= quiet) {
                LOG.info("Drained: no request for " + quiet / 1_000_000 + " ms, " + (now - start) / 1_000_000
                        + " ms after the stop began; stopping");
                return;
            }
            if (now >= deadline) {
                LOG.warning("Still routed to " + config.drainMax().toMillis() + " ms after the stop began; stopping anyway");
                return;
            }
            LockSupport.parkNanos(Math.min(50_000_000, deadline - now));
        }
    }
}
