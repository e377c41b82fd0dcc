package dev.replicas.load;

import static org.jfree.chart.plot.DefaultDrawingSupplier.DEFAULT_PAINT_SEQUENCE;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** The chart of every capacity run kept, {@value #FILE}: p99 and p50 against the offered rate, one colour a replica count. */
final class CapacityChart {

    static final String FILE = "load-capacity.png";

    private CapacityChart() {
    }

    /** Draws the curves kept in {@code dir} into {@code output}; @return where, and what each held, or why not drawn */
    static String draw(Path dir, Path output) {
        Path png = output.resolve(FILE);
        List<CapacityCurve> curves;
        try {
            curves = CapacityCurve.read(dir);
            System.setProperty("java.awt.headless", "true");
            XYSeriesCollection data = new XYSeriesCollection();
            XYLineAndShapeRenderer lines = new XYLineAndShapeRenderer();
            BasicStroke dashed = new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[] {6, 5}, 0);
            for (CapacityCurve c : curves) {
                for (int p : new int[] {2, 1}) { // p99 solid and in the legend, then p50 dashed; both in one colour
                    int s = data.getSeriesCount();
                    XYSeries series = new XYSeries(p == 1 ? s : String.format(Locale.US, "%d replica%s: held %s/s",
                            c.replicas(), c.replicas() == 1 ? "" : "s", LoadSettings.rate(c.held())));
                    c.points().forEach(point -> series.add(point[0], Math.max(1, point[p])));
                    data.addSeries(series);
                    lines.setSeriesPaint(s, DEFAULT_PAINT_SEQUENCE[s / 2 % DEFAULT_PAINT_SEQUENCE.length]);
                    lines.setSeriesStroke(s, p == 2 ? new BasicStroke(2.5f) : dashed);
                    lines.setSeriesShapesVisible(s, p == 2);
                    lines.setSeriesVisibleInLegend(s, p == 2);
                }
            }
            long limit = curves.isEmpty() ? 500 : curves.get(0).p99LimitMs();
            LogAxis ms = new LogAxis("response time (ms); grey: the p99 limit, " + limit + " ms");
            ms.setRange(1, 20_000);
            ms.setTickUnit(new NumberTickUnit(1)); // 1, 10, 100 ... ms
            ms.setNumberFormatOverride(new DecimalFormat("#,##0"));
            XYPlot plot = new XYPlot(data, new NumberAxis("offered rate (requests/s), a step of "
                    + (curves.isEmpty() ? 0 : curves.get(0).stepSeconds()) + " s each"), ms, lines);
            plot.addRangeMarker(new ValueMarker(limit, Color.GRAY, dashed));
            plot.setBackgroundPaint(Color.WHITE);
            plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
            JFreeChart chart = new JFreeChart("Capacity through Fabio: response time per step (p99 solid, p50 dashed)",
                    JFreeChart.DEFAULT_TITLE_FONT.deriveFont(15f), plot, true);
            chart.setBackgroundPaint(Color.WHITE);
            ChartUtils.saveChartAsPNG(png.toFile(), chart, 900, 560);
        } catch (IOException | RuntimeException | Error e) {
            return "Capacity chart not drawn: " + e + "\n";
        }
        return String.format(Locale.US, "%nHighest rate held so far (%s): %s%nChart: %s%n", dir, curves.stream()
                .map(c -> c.replicas() + " replica(s): " + LoadSettings.rate(c.held()) + "/s")
                .collect(Collectors.joining(", ")), png.toAbsolutePath());
    }
}
