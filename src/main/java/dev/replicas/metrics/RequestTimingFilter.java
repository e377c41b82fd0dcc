package dev.replicas.metrics;

import java.io.IOException;

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

/**
 * Times every request to the application, from the servlet container handing it over until the
 * response body has been written (a JAX-RS filter would stop before the 200 kB body), and records
 * it in {@link ReplicaMetrics}. The route comes from {@link RouteTemplateFilter} for JAX-RS
 * resources, from the servlet mapping for a servlet mapped to one path (/metrics). The replica's
 * own warm-up ({@link WarmUp#HEADER}, from loopback) is not counted: the figures are what clients
 * asked for, and a joining replica's coldest requests would otherwise top its p99 graph. It only
 * makes the series of the routes it uses exist, at zero, so that clients' first requests count in
 * Prometheus' rates ({@link ReplicaMetrics#declare}).
 */
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
        // Every resource answers synchronously (none is asynchronous), so the body has been
        // written when the chain returns.
        boolean failed = true;
        try {
            chain.doFilter(req, res);
            failed = false;
        } finally {
            // An exception that got this far becomes the container's 500.
            record(request, failed ? 500 : response.getStatus(), start);
        }
    }

    private void record(HttpServletRequest request, int status, long start) {
        metrics.record(request.getMethod(), route(request), status, System.nanoTime() - start);
    }

    private static String route(HttpServletRequest request) {
        Object route = request.getAttribute(RouteTemplateFilter.ROUTE);
        if (route != null) {
            return route.toString();
        }
        var mapping = request.getHttpServletMapping();
        return mapping != null && mapping.getMappingMatch() == MappingMatch.EXACT
                ? request.getContextPath() + mapping.getPattern() : null;
    }
}
