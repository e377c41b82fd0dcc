package dev.replicas.health;

import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.BeforeDestroyed;
import jakarta.enterprise.event.Observes;

/**
 * Knows whether the application has begun to stop (or to drain, see {@link GracefulStop}), so that
 * readiness can go DOWN at once.
 */
@ApplicationScoped
public class ShutdownSignal {

    private final AtomicBoolean stopping = new AtomicBoolean();

    void onStop(@Observes @BeforeDestroyed(ApplicationScoped.class) Object event) {
        stopping.set(true);
    }

    /** The replica is about to stop: no longer ready. */
    void beginStopping() {
        stopping.set(true);
    }

    /**
     * @return true once the application has begun to shut down
     */
    public boolean isStopping() {
        return stopping.get();
    }
}
