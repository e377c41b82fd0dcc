package dev.replicas.hello;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;

/** The JAX-RS application: in {@code hello.war}, the endpoint is the seed's {@code /hello/api/v1}. */
@ApplicationPath("/api")
public class HelloApplication extends Application {
}
