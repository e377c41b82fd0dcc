package dev.replicas.health;

import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.ext.Provider;

/**
 * Notes when the service's endpoints were last asked for something, so that a graceful stop can
 * tell when the load balancer has stopped sending traffic here. Health checks are not counted:
 * they are served outside JAX-RS.
 */
@Provider
@ApplicationScoped
public class TrafficWatch implements ContainerRequestFilter {

    private final AtomicLong lastNanos = new AtomicLong(System.nanoTime());

    @Override
    public void filter(ContainerRequestContext request) {
        lastNanos.set(System.nanoTime());
    }

    /**
     * @return {@link System#nanoTime()} of the last request
     */
    public long lastRequestNanos() {
        return lastNanos.get();
    }
}
