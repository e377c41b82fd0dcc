package dev.replicas.metrics;

import java.io.IOException;
import java.util.Objects;

import dev.replicas.lifecycle.WarmUp;
import jakarta.inject.Inject;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.MappingMatch;

/** Times requests until their body is written, as a JAX-RS filter cannot; not the warm-up's, which would top the p99. */
@WebFilter("/*")
public class RequestTimingFilter implements Filter {

    @Inject
    private ReplicaMetrics metrics;

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
        long start = System.nanoTime();
        HttpServletRequest request = (HttpServletRequest) req;
        HttpServletResponse response = (HttpServletResponse) res;
        if (request.getHeader(WarmUp.HEADER) != null && "127.0.0.1".equals(request.getRemoteAddr())) {
            chain.doFilter(req, res);
            metrics.declare(request.getMethod(), route(request), response.getStatus());
            return;
        }
        // Every resource answers synchronously, so the body has been written when the chain returns.
        boolean failed = true;
        try {
            chain.doFilter(req, res);
            failed = false;
        } finally {
            // An exception that got this far becomes the container's 500.
            int status = failed ? 500 : response.getStatus();
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
