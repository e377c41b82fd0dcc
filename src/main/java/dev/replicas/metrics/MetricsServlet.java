package dev.replicas.metrics;

import java.io.IOException;
import java.io.Writer;

import jakarta.inject.Inject;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * {@code GET /hello/metrics}: the replica's requests and its JVM in Prometheus' text format, for
 * Prometheus to scrape (cluster-profiles/prometheus.yml). Counts and timings only: no setting of
 * the replica appears here. Other methods get 405 from {@link HttpServlet}.
 */
@WebServlet("/metrics")
public class MetricsServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    @Inject
    private transient RequestDurations durations;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        StringBuilder page = new StringBuilder(8192);
        durations.writeTo(page);
        JvmMetrics.writeTo(page);
        response.setContentType("text/plain; version=0.0.4; charset=utf-8");
        response.setHeader("Cache-Control", "no-store");
        try (Writer out = response.getWriter()) {
            out.append(page);
        }
    }
}
