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

    /** @return readiness: warmed up and not stopping. Consul's state is only data: its outage must not take us down. */
    @Produces
    @Readiness
    static HealthCheck readiness(GracefulStop stop, WarmUp warmUp, ConsulRegistrar registrar) {
        return () -> HealthCheckResponse.named("hello-readiness").status(warmUp.isDone() && !stop.isStopping())
                .withData("warm-up", warmUp.outcome())
                .withData("consul", registrar.state().label())
                .withData("registration", registrar.describe())
                .withData("consul-last-error", registrar.lastFailure())
                .build();
    }
}
