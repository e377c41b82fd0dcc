package dev.replicas.health;

import java.io.IOException;

import dev.replicas.discovery.ConsulRegistrar;
import dev.replicas.lifecycle.GracefulStop;
import dev.replicas.lifecycle.WarmUp;
import jakarta.inject.Inject;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/** {@code GET /hello/routed}, the image's HEALTHCHECK: 200 while ready and once Consul's check has passed (docs/swarm.md). */
@WebServlet("/routed")
public class RoutedServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    @Inject
    private transient WarmUp warmUp;
    @Inject
    private transient GracefulStop stop;
    @Inject
    private transient ConsulRegistrar registrar;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        boolean ready = warmUp.isDone() && !stop.isStopping();
        boolean routed = registrar.isRouted();
        response.setStatus(ready && routed ? 200 : 503);
        response.setContentType("text/plain; charset=utf-8");
        response.getWriter().write((ready ? "ready" : "not ready") + ", " + (routed ? "routed" : "not routed: consul "
                + registrar.state().label()) + "\n");
    }
}
