package dev.replicas.metrics;

import java.io.IOException;
import java.util.Objects;

import dev.replicas.lifecycle.WarmUp;
import jakarta.inject.Inject;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.MappingMatch;

/** Times requests until their body is written, as a JAX-RS filter cannot; not the warm-up's, which would top the p99. */
@WebFilter("/*")
public class RequestTimingFilter extends HttpFilter {

    private static final long serialVersionUID = 1L;

    @Inject
    private transient ReplicaMetrics metrics;

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        long start = System.nanoTime();
        if (request.getHeader(WarmUp.HEADER) != null && "127.0.0.1".equals(request.getRemoteAddr())) {
            chain.doFilter(request, response);
            metrics.declare(request.getMethod(), route(request), response.getStatus());
            return;
        }
        // Every resource answers synchronously, so the body has been written when the chain returns.
        int status = 500; // what the container makes of an exception that got this far
        try {
            chain.doFilter(request, response);
            status = response.getStatus();
        } finally {
            metrics.record(request.getMethod(), route(request), status, System.nanoTime() - start);
        }
    }

    private static String route(HttpServletRequest request) {
        var mapping = request.getHttpServletMapping();
        String exact = mapping != null && mapping.getMappingMatch() == MappingMatch.EXACT
                ? request.getContextPath() + mapping.getPattern() : null;
        return Objects.toString(request.getAttribute(RouteTemplateFilter.ROUTE), exact);
    }
}
