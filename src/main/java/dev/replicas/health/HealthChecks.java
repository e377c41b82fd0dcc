package dev.replicas.health;

import dev.replicas.discovery.ConsulRegistrar;
import dev.replicas.lifecycle.GracefulStop;
import dev.replicas.lifecycle.WarmUp;
import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.inject.Produces;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

/** The replica's MicroProfile Health checks, {@code /health/live} and {@code /health/ready}. */
@Dependent
public class HealthChecks {

    /** @return liveness: the beans answer. Nothing this replica depends on can wedge it: nothing more to say. */
    @Produces
    @Liveness
    static HealthCheck liveness() {
        return () -> HealthCheckResponse.up("hello-liveness");
    }

    /**
     * Readiness: UP once the replica has warmed up and until it begins to stop. The state of the
     * Consul registration is reported as data but never makes the replica unready: Consul itself
     * checks this endpoint, and an outage of Consul must not take the replicas with it.
     *
     * @param stop      tells whether the replica is stopping
     * @param warmUp    tells whether the replica has warmed up
     * @param registrar the Consul registration, for its state
     * @return the check
     */
    @Produces
    @Readiness
    static HealthCheck readiness(GracefulStop stop, WarmUp warmUp, ConsulRegistrar registrar) {
        return () -> HealthCheckResponse.named("hello-readiness")
                .status(warmUp.isDone() && !stop.isStopping())
                .withData("warm-up", warmUp.outcome())
                .withData("consul", registrar.state().label())
                .withData("registration", registrar.describe())
                .withData("consul-last-error", registrar.lastFailure())
                .build();
    }
}
