package dev.replicas.load;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Stroke;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import javax.imageio.ImageIO;

/**
 * A PNG of capacity runs: p99 (solid) and p50 (dashed) response time against the offered rate,
 * one colour per number of replicas, on a log scale, with the p99 limit drawn across. The highest
 * rate each cluster held is marked with a ring.
 */
final class CapacityChart {

    private static final int WIDTH = 900;
    private static final int HEIGHT = 560;
    private static final int LEFT = 80;
    private static final int RIGHT = 200;
    private static final int TOP = 50;
    private static final int BOTTOM = 60;
    private static final double MIN_MS = 1;
    private static final double MAX_MS = 20_000;
    private static final Color[] COLOURS = {
        new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0x9467bd), new Color(0xff7f0e),
        new Color(0x8c564b)};

    private CapacityChart() {
    }

    static void draw(List<LoadResult> results, Path png) throws IOException {
        System.setProperty("java.awt.headless", "true");
        double maxRate = 0;
        for (LoadResult r : results) {
            for (LoadResult.Window w : r.windows()) {
                if (w.started() > 0 && (w.index() == 0 || !Boolean.FALSE.equals(r.windows().get(w.index() - 1).held()))) {
                    maxRate = Math.max(maxRate, w.rate());
                }
            }
        }
        maxRate = Math.max(50, Math.ceil(maxRate / 50) * 50);

        BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, WIDTH, HEIGHT);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));

        int plotW = WIDTH - LEFT - RIGHT;
        int plotH = HEIGHT - TOP - BOTTOM;
        // grid and axes
        g.setColor(new Color(0xdddddd));
        for (double ms = MIN_MS; ms <= MAX_MS; ms *= 10) {
            int y = y(ms, plotH);
            g.drawLine(LEFT, y, LEFT + plotW, y);
        }
        int xStep = maxRate > 400 ? 100 : 50;
        for (int rate = 0; rate <= maxRate; rate += xStep) {
            int x = x(rate, maxRate, plotW);
            g.drawLine(x, TOP, x, TOP + plotH);
        }
        g.setColor(Color.BLACK);
        g.drawRect(LEFT, TOP, plotW, plotH);
        for (double ms = MIN_MS; ms <= MAX_MS; ms *= 10) {
            String label = ms >= 1000 ? (long) (ms / 1000) + " s" : (long) ms + " ms";
            g.drawString(label, LEFT - 8 - g.getFontMetrics().stringWidth(label), y(ms, plotH) + 4);
        }
        for (int rate = 0; rate <= maxRate; rate += xStep) {
            String label = String.valueOf(rate);
            g.drawString(label, x(rate, maxRate, plotW) - g.getFontMetrics().stringWidth(label) / 2, TOP + plotH + 18);
        }
        int stepSeconds = results.isEmpty() ? 0 : results.get(0).windows().get(0).seconds();
        g.drawString("offered rate (requests/s), a step of " + stepSeconds + " s each", LEFT + plotW / 2 - 130, TOP + plotH + 42);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        g.drawString("Capacity through Fabio: response time per step (p99 solid, p50 dashed)", LEFT, 30);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));

        // the p99 limit
        long limit = results.isEmpty() ? 500 : results.get(0).p99LimitMs();
        Stroke dashed = new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[] {6, 5}, 0);
        g.setColor(Color.GRAY);
        g.setStroke(dashed);
        g.drawLine(LEFT, y(limit, plotH), LEFT + plotW, y(limit, plotH));
        g.drawString("p99 limit " + limit + " ms", LEFT + 6, y(limit, plotH) - 5);

        int legendY = TOP + 10;
        for (int i = 0; i < results.size(); i++) {
            LoadResult r = results.get(i);
            Color colour = COLOURS[i % COLOURS.length];
            g.setColor(colour);
            int[] prev99 = null;
            int[] prev50 = null;
            for (LoadResult.Window w : r.windows()) {
                if (w.started() == 0) {
                    continue;
                }
                if (w.index() > 0 && Boolean.FALSE.equals(r.windows().get(w.index() - 1).held())) {
                    break; // after the first step that failed, the load was stopped
                }
                LatencyHistogram h = LatencyHistogram.of(w.latency());
                long unanswered = Math.max(0, w.started() - w.completed());
                long p99 = Math.min((long) MAX_MS, h.percentileWithSlower(99, unanswered));
                int x = x(w.rate(), maxRate, plotW);
                int[] p99Point = {x, y(Math.max(MIN_MS, p99), plotH)};
                int[] p50Point = {x, y(Math.max(MIN_MS, h.percentile(50)), plotH)};
                g.setStroke(new BasicStroke(2.5f));
                if (prev99 != null) {
                    g.drawLine(prev99[0], prev99[1], p99Point[0], p99Point[1]);
                }
                g.fillOval(p99Point[0] - 4, p99Point[1] - 4, 8, 8);
                g.setStroke(dashed);
                if (prev50 != null) {
                    g.drawLine(prev50[0], prev50[1], p50Point[0], p50Point[1]);
                }
                prev99 = p99Point;
                prev50 = p50Point;
            }
            double held = LoadReport.highestRateHeld(r.windows());
            if (held > 0) {
                for (LoadResult.Window w : r.windows()) {
                    if (w.rate() == held) {
                        LatencyHistogram h = LatencyHistogram.of(w.latency());
                        int x = x(held, maxRate, plotW);
                        int y = y(Math.max(MIN_MS, h.percentile(99)), plotH);
                        g.setStroke(new BasicStroke(2f));
                        g.drawOval(x - 9, y - 9, 18, 18);
                    }
                }
            }
            g.setStroke(new BasicStroke(2.5f));
            g.drawLine(WIDTH - RIGHT + 20, legendY, WIDTH - RIGHT + 45, legendY);
            g.setColor(Color.BLACK);
            g.drawString(String.format(Locale.US, "%d replica%s: held %s/s", r.replicas(), r.replicas() == 1 ? "" : "s",
                    LoadMonitor.rate(held)), WIDTH - RIGHT + 52, legendY + 4);
            legendY += 22;
        }
        g.setColor(Color.DARK_GRAY);
        g.drawString("ring: highest rate held", WIDTH - RIGHT + 20, legendY + 10);
        g.dispose();
        Files.createDirectories(png.toAbsolutePath().getParent());
        ImageIO.write(image, "png", png.toFile());
    }

    private static int x(double rate, double maxRate, int plotW) {
        return LEFT + (int) Math.round(rate / maxRate * plotW);
    }

    private static int y(double ms, int plotH) {
        double f = (Math.log10(ms) - Math.log10(MIN_MS)) / (Math.log10(MAX_MS) - Math.log10(MIN_MS));
        return TOP + plotH - (int) Math.round(f * plotH);
    }
}
