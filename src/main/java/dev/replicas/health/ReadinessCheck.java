package dev.replicas.health;

import dev.replicas.discovery.ConsulRegistrar;
import dev.replicas.lifecycle.GracefulStop;
import dev.replicas.lifecycle.WarmUp;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Readiness: UP once the replica has warmed up ({@link WarmUp}) and until shutdown begins. The
 * state of the Consul registration is reported as data but never makes the replica unready:
 * Consul itself checks this endpoint, and an outage of Consul must not take the replicas with it.
 */
@Readiness
@ApplicationScoped
public class ReadinessCheck implements HealthCheck {

    private final GracefulStop shutdown;
    private final WarmUp warmUp;
    private final ConsulRegistrar registrar;

    /**
     * @param shutdown  tells whether the replica is stopping
     * @param warmUp    tells whether the replica has warmed up
     * @param registrar the Consul registration, for its state
     */
    @Inject
    public ReadinessCheck(GracefulStop shutdown, WarmUp warmUp, ConsulRegistrar registrar) {
        this.shutdown = shutdown;
        this.warmUp = warmUp;
        this.registrar = registrar;
    }

    /** For the CDI client proxy only. */
    protected ReadinessCheck() {
        this(null, null, null);
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("hello-readiness")
                .status(warmUp.isDone() && !shutdown.isStopping())
                .withData("warm-up", warmUp.outcome())
                .withData("consul", registrar.state().label())
                .withData("registration", registrar.describe())
                .withData("consul-last-error", registrar.lastFailure())
                .build();
    }
}
