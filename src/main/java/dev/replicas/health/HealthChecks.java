package dev.replicas.health;

import dev.replicas.discovery.ConsulRegistrar;
import dev.replicas.lifecycle.GracefulStop;
import dev.replicas.lifecycle.WarmUp;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

/** The replica's MicroProfile Health checks, {@code /health/live} and {@code /health/ready}. */
@ApplicationScoped
public class HealthChecks {

    private final GracefulStop stop;
    private final WarmUp warmUp;
    private final ConsulRegistrar registrar;

    /**
     * @param stop      tells whether the replica is stopping
     * @param warmUp    tells whether the replica has warmed up
     * @param registrar the Consul registration, for its state
     */
    @Inject
    public HealthChecks(GracefulStop stop, WarmUp warmUp, ConsulRegistrar registrar) {
        this.stop = stop;
        this.warmUp = warmUp;
        this.registrar = registrar;
    }

    /** For the CDI client proxy only. */
    protected HealthChecks() {
        this(null, null, null);
    }

    /**
     * @return liveness: the application is deployed and its beans answer. Nothing this service
     *         depends on can make it wedge, so a restart would never help and there is nothing more to say.
     */
    @Produces
    @Liveness
    HealthCheck liveness() {
        return () -> HealthCheckResponse.up("hello-liveness");
    }

    /**
     * @return readiness: UP once the replica has warmed up and until it begins to stop. The state of
     *         the Consul registration is reported as data but never makes the replica unready: Consul
     *         itself checks this endpoint, and an outage of Consul must not take the replicas with it.
     */
    @Produces
    @Readiness
    HealthCheck readiness() {
        return () -> HealthCheckResponse.named("hello-readiness")
                .status(warmUp.isDone() && !stop.isStopping())
                .withData("warm-up", warmUp.outcome())
                .withData("consul", registrar.state().label())
                .withData("registration", registrar.describe())
                .withData("consul-last-error", registrar.lastFailure())
                .build();
    }
}
