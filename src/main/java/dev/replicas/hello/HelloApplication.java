package dev.replicas.hello;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;

/**
 * The JAX-RS application. Deployed as {@code hello.war}, so with this path the endpoint is
 * {@code /hello/api/v1}, the seed's URL.
 */
@ApplicationPath("/api")
public class HelloApplication extends Application {
}
