package dev.replicas.metrics;

import java.io.IOException;

import io.prometheus.metrics.expositionformats.ExpositionFormats;
import jakarta.inject.Inject;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/** {@code GET /hello/metrics}, in Prometheus' text format or OpenMetrics as {@code Accept} asks; no settings here. */
@WebServlet("/metrics")
public class MetricsServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    private static final ExpositionFormats FORMATS = ExpositionFormats.init();

    @Inject
    private transient ReplicaMetrics metrics;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        var writer = FORMATS.findWriter(request.getHeader("Accept"));
        response.setContentType(writer.getContentType());
        response.setHeader("Cache-Control", "no-store");
        try (var out = response.getOutputStream()) {
            writer.write(out, metrics.scrape());
        }
    }
}
