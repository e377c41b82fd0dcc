package dev.replicas.swarm;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import dev.replicas.cluster.Cluster;
import dev.replicas.cluster.ConstantLoad;
import dev.replicas.load.HostCounters;
import dev.replicas.testing.Poll;
import dev.replicas.testing.Settings;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The scaler's benchmark, mvn verify -Pswarm,ramp (not part of -Pswarm). One one-node stack whose
 * replicas each have a CPU limit (ramp.cpus), so that a replica has a capacity of its own as on a
 * real node; the same ramp through Fabio run three times on it: replicas fixed at ramp.min, fixed at
 * ramp.max, and scaled by the scaler between the two. The ramp, in eighths of ramp.minutes: 1 at
 * ramp.base requests/s, 2 rising to ramp.peak, 2 at the peak, 2 falling, 1 at the base; sent on
 * schedule whatever the answers. Fails on a failed request in any run, and unless the scaled run rose
 * above min at the peak, came down before the end (where the ramp leaves time for ramp.window) and
 * never changed direction within that window of its last change. Writes target/ramp-report.txt (a
 * table, a timeline per 10 s) and target/ramp.svg (requests/s, replicas, p99 over time).
 */
class ScalerRamp {

    private static final int SECONDS = (int) Math.round(Double.parseDouble(Settings.of("ramp.minutes")) * 60);
    private static final int BASE = Integer.parseInt(Settings.of("ramp.base"));
    private static final int PEAK = Integer.parseInt(Settings.of("ramp.peak"));
    private static final String CPUS = Settings.of("ramp.cpus");
    private static final int MIN = Integer.parseInt(Settings.of("ramp.min"));
    private static final int MAX = Integer.parseInt(Settings.of("ramp.max"));
    private static final double TARGET = Double.parseDouble(Settings.of("ramp.target"));
    private static final Duration WINDOW = Settings.duration("ramp.window");
    /** The peak's hold, in ms of the load: from 3/8 to 5/8 of the ramp. */
    private static final long PEAK_FROM = SECONDS * 375L;
    private static final long PEAK_TO = SECONDS * 625L;
    private static final long END = SECONDS * 1000L;
    /** The report's and the chart's step: 10 s, in ms. */
    private static final long BUCKET = 10_000;
    private static final int SAMPLE_SECONDS = 5;
    /**
     * How far the scaler trails the load, at most: half its 30 s rate window, its 15 s interval,
     * Prometheus' 5 s scrape, one sample of ours, and 10 s to spare.
     */
    private static final int LAG_SECONDS = 50;
    private static final Duration SETTLE = Duration.ofMinutes(5);
    private static final String SCALER = Swarm.STACK + "_scaler";
    private static final String[] COLOURS = {"#1f77b4", "#ff7f0e", "#2ca02c"};
    /** The chart: panels' left edge, width, height, a panel and the gap below it, the first's top. */
    private static final int LEFT = 60;
    private static final int WIDTH = 900;
    private static final int HEIGHT = 120;
    private static final int STEP = 160;
    private static final int TOP = 40;
    private static Swarm swarm;

    @BeforeAll
    static void deploy() throws Exception {
        swarm = Swarm.open();
        // The scaler in a dry run (it scales nothing) until the scaled run makes it live.
        swarm.deploy(Map.of("HELLO_REPLICAS", String.valueOf(MIN), "HELLO_REPLICA_CPUS", CPUS,
                "HELLO_AUTOSCALE", "true", "HELLO_SCALER_DRY_RUN", "true"));
    }

    @AfterAll
    static void remove() throws Exception {
        if (swarm != null) {
            swarm.close();
        }
    }

    /** Requests per second in second {@code s} of the ramp. */
    static int rate(int s) {
        double eighth = (s + 0.5) * 8 / SECONDS;
        double rate = eighth < 1 ? BASE : eighth < 3 ? BASE + (PEAK - BASE) * (eighth - 1) / 2
                : eighth < 5 ? PEAK : eighth < 7 ? PEAK - (PEAK - BASE) * (eighth - 5) / 2 : BASE;
        return (int) Math.round(rate);
    }

    @Test
    void theScaledRunServesThePeakAsMaxDoesWithFewerReplicasNoFailureAndNoFlapping() throws Exception {
        List<Run> runs = List.of(run("fixed-min", MIN, false), run("fixed-max", MAX, false), run("scaled", MIN, true));
        report(runs);
        Run scaled = runs.get(2);
        int atPeak = scaled.samples().stream().filter(s -> s.atMillis() >= PEAK_FROM && s.atMillis() < PEAK_TO)
                .mapToInt(Sample::desired).max().orElse(0);
        int most = scaled.samples().stream().mapToInt(Sample::desired).max().orElse(0);
        int last = scaled.samples().isEmpty() ? 0 : scaled.samples().get(scaled.samples().size() - 1).desired();
        List<Executable> checks = new ArrayList<>();
        for (Run r : runs) {
            checks.add(r.load()::assertEveryRequestCounted);
            // A request held back because 100 were unanswered is one a client would have lost too.
            checks.add(() -> assertEquals(0, r.load().failures().size() + r.load().held(), r.name() + ": " + r.load()));
        }
        // Only what the ramp's timing allows: up once the scaler has seen the climb, before the hold ends;
        // down once the falling rate, seen by mid-fall, has stayed low for a window before the end.
        if (PEAK > MIN * TARGET * 1.1 && SECONDS / 4 >= LAG_SECONDS) {
            checks.add(() -> assertTrue(atPeak > MIN, "scaled: wanted at most " + atPeak + " during the peak"));
        }
        if (SECONDS / 4 >= LAG_SECONDS + WINDOW.toSeconds()) {
            checks.add(() -> assertTrue(last < most, "scaled: not down before the end: " + most + " -> " + last));
        }
        checks.add(() -> assertFalse(scaled.flapping(), "scaled: changes of direction " + scaled.turns()));
        assertAll(checks.stream());
    }

    /** One run: the replicas scaled to {@code replicas}, settled and routed, the scaler made live if {@code scaled}. */
    private static Run run(String name, int replicas, boolean scaled) throws Exception {
        Cluster.dockerWithin(SETTLE, "service", "scale", "--detach=false", Swarm.REPLICAS + "=" + replicas);
        // Those scaled away gone too: a draining replica still takes CPU, and each run counts its own.
        String settled = replicas + " wanted, " + replicas + " running, " + replicas + " routed";
        Poll.until(settled, SETTLE, Duration.ofSeconds(2), () -> Swarm.desiredReplicas() + " wanted, " + Swarm.replicaContainers().size()
                + " running, " + Cluster.fabioTargets().size() + " routed", settled::equals);
        if (scaled) {
            // As SwarmIT's scaler case: the same task's settings, the dry run off.
            Cluster.dockerWithin(SETTLE, "service", "update", "--detach=false", "--env-add", "SCALER_DRY_RUN=false",
                    "--env-add", "SCALER_MIN=" + MIN, "--env-add", "SCALER_MAX=" + MAX, "--env-add", "SCALER_TARGET_RATE=" + TARGET,
                    "--env-add", "SCALER_DOWN_WINDOW=" + WINDOW.toSeconds() + "s", SCALER);
        }
        try (ConstantLoad load = ConstantLoad.ramp(ScalerRamp::rate, SECONDS); Sampler sampler = new Sampler(load)) {
            assertTrue(load.awaitStopped(Duration.ofSeconds(SECONDS + 60)), name + ": the ramp did not end by itself");
            load.close(); // waits for the answers still due
            List<Sample> samples = sampler.stop();
            String decisions = !scaled ? "" : Cluster.docker("service", "logs", "--raw", "--timestamps", SCALER).lines()
                    .filter(l -> (l.contains("; up") || l.contains("; down")) && !l.contains("dry run"))
                    .collect(Collectors.joining("\n"));
            return new Run(name, load, load.answers(), samples, decisions);
        }
    }

    /** One look at the stack: replicas the service wants and replicas routed, and CPU counters (ns) by part. */
    record Sample(long atMillis, int desired, int routed, Map<String, Long> cpu) {
    }

    /**
     * Samples every 5 s, in ms of the load. "Routed" is what Consul has passing, which Fabio follows
     * within its 0.5 s poll: asking Fabio itself takes a container started each time (its API is not
     * published), which would cost the node under test more CPU than the rest of the sample.
     */
    private static final class Sampler implements AutoCloseable {
        private final ConstantLoad load;
        private final List<Sample> samples = Collections.synchronizedList(new ArrayList<>());
        private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

        Sampler(ConstantLoad load) {
            this.load = load;
            timer.scheduleAtFixedRate(this::sample, 0, SAMPLE_SECONDS, TimeUnit.SECONDS);
        }

        private void sample() {
            try {
                long at = load.elapsedMillis();
                int routed = Swarm.consul("/v1/health/service/hello-server?passing=true").size();
                // Replica containers by slot and task ID ("3.<task>"): a task that starts later is a new key.
                samples.add(new Sample(at, Swarm.desiredReplicas(), routed, HostCounters.discover(Swarm.REPLICAS + ".").cpu()));
            } catch (Exception | AssertionError e) {
                // Consul or Docker busy: the next sample counts
            }
        }

        /** Stops, takes a last sample at the run's end, and returns them all. */
        List<Sample> stop() throws InterruptedException {
            close();
            sample();
            return List.copyOf(samples);
        }

        @Override
        public void close() throws InterruptedException {
            timer.shutdownNow();
            timer.awaitTermination(30, TimeUnit.SECONDS);
        }
    }

    /** One run of the ramp: its load (closed), its answers, the samples, and the scaler's decisions if it scaled. */
    record Run(String name, ConstantLoad load, List<ConstantLoad.Answer> answers, List<Sample> samples, String decisions) {

        /** The p99 (ms) of the answers to requests sent in [from, to) ms; NaN if none. */
        double p99(long from, long to) {
            Histogram h = new Histogram(3);
            answers.stream().filter(a -> a.sentMillis() >= from && a.sentMillis() < to).forEach(a -> h.recordValue(a.micros()));
            return h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(99) / 1000.0;
        }

        /** Requests sent in [from, to) ms: each ended as an answer or a failure. */
        long sent(long from, long to) {
            return answers.stream().filter(a -> a.sentMillis() >= from && a.sentMillis() < to).count() + failed(from, to);
        }

        long failed(long from, long to) {
            return load.failures().stream().filter(f -> f.sentMillis() >= from && f.sentMillis() < to).count();
        }

        /** The last sample before {@code at} ms (the first if none). */
        Sample at(long at) {
            return samples.stream().filter(s -> s.atMillis() < at).reduce((a, b) -> b).orElse(samples.get(0));
        }

        /** Routed replicas integrated over the ramp, each sample's count held until the next. */
        double replicaMinutes() {
            double sum = 0;
            for (int i = 0; i < samples.size(); i++) {
                long from = Math.min(samples.get(i).atMillis(), END);
                long to = i + 1 < samples.size() ? Math.min(samples.get(i + 1).atMillis(), END) : END;
                sum += samples.get(i).routed() * (double) (to - from);
            }
            return sum / 60_000;
        }

        /** Each change of direction of the desired count: {when, ms since the change before it}. */
        List<List<Long>> turns() {
            List<List<Long>> turns = new ArrayList<>();
            long lastAt = 0;
            int lastSign = 0;
            for (int i = 1; i < samples.size(); i++) {
                int sign = Integer.signum(samples.get(i).desired() - samples.get(i - 1).desired());
                if (sign != 0) {
                    if (lastSign != 0 && sign != lastSign) {
                        turns.add(List.of(samples.get(i).atMillis(), samples.get(i).atMillis() - lastAt));
                    }
                    lastAt = samples.get(i).atMillis();
                    lastSign = sign;
                }
            }
            return turns;
        }

        /** A turn within the window of the change before it; a sample late or early is a sample's time off. */
        boolean flapping() {
            return turns().stream().anyMatch(t -> t.get(1) < WINDOW.toMillis() - SAMPLE_SECONDS * 1000L);
        }

        /** CPU seconds over the run: this JVM (the load), the replicas (each task from its first sample), the host. */
        String cpu() {
            if (samples.isEmpty()) {
                return "n/a";
            }
            Map<String, Long> first = samples.get(0).cpu();
            Map<String, Long> latest = new HashMap<>();
            samples.forEach(s -> latest.putAll(s.cpu()));
            List<Map.Entry<String, Long>> tasks = latest.entrySet().stream().filter(e -> e.getKey().contains(".")).toList();
            String replicas = tasks.isEmpty() ? "n/a" : String.format("%.0f",
                    tasks.stream().mapToLong(e -> e.getValue() - first.getOrDefault(e.getKey(), 0L)).sum() / 1e9);
            return spent(first, latest, "generator") + " / " + replicas + " / " + spent(first, latest, "host");
        }

        private static String spent(Map<String, Long> first, Map<String, Long> latest, String part) {
            return first.containsKey(part) ? String.format("%.0f", (latest.get(part) - first.get(part)) / 1e9) : "n/a";
        }
    }

    /** target/ramp-report.txt: the settings, a markdown table of the runs, and each run per 10 s; and target/ramp.svg. */
    private static void report(List<Run> runs) throws Exception {
        StringBuilder out = new StringBuilder(String.format("Scaler ramp, %s: %d s, %d -> %d -> %d requests/s through Fabio;"
                + " %s CPU a replica; min %d, max %d; the scaler's target %.0f requests/s a replica, scale-down window %d s%n%n",
                Instant.now(), SECONDS, BASE, PEAK, BASE, CPUS, MIN, MAX, TARGET, WINDOW.toSeconds()));
        out.append("| run | sent | failed | not sent | p99 | p99 at the peak | replica-minutes | most routed | changes of direction"
                + " | flapping | CPU s: load / replicas / host |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|\n");
        for (Run r : runs) {
            out.append(String.format("| %s | %,d | %d | %d | %.1f ms | %.1f ms | %.1f | %d | %d | %s | %s |%n", r.name(),
                    r.load().sent(), r.load().failures().size(), r.load().held(), r.p99(0, Long.MAX_VALUE), r.p99(PEAK_FROM, PEAK_TO),
                    r.replicaMinutes(), r.samples().stream().mapToInt(Sample::routed).max().orElse(0), r.turns().size(),
                    r.flapping() ? "yes" : "no", r.cpu()));
        }
        String table = out.toString();
        for (Run r : runs) {
            out.append("\n").append(r.name()).append(", every 10 s: from, sent, failed, p99, routed (wanted) at its end\n");
            for (long from = 0; from < END && !r.samples().isEmpty(); from += BUCKET) {
                Sample s = r.at(from + BUCKET);
                out.append(String.format("%5d s %6d %4d %9.1f ms %3d (%d)%n", from / 1000, r.sent(from, from + BUCKET),
                        r.failed(from, from + BUCKET), r.p99(from, from + BUCKET), s.routed(), s.desired()));
            }
            out.append(r.decisions().isEmpty() ? "" : "the scaler's scalings:\n" + r.decisions() + "\n");
        }
        Files.writeString(Path.of("target", "ramp-report.txt"), out);
        Files.writeString(Path.of("target", "ramp.svg"), chart(runs));
        System.out.print("[ramp] " + table + "[ramp] the timelines: target/ramp-report.txt, the chart: target/ramp.svg\n");
    }

    /** Three panels over the ramp's time, a colour a run: requests/s sent (the plan dashed), replicas routed, p99 per 10 s. */
    static String chart(List<Run> runs) {
        StringBuilder svg = new StringBuilder(String.format("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
                + " font-family=\"sans-serif\" font-size=\"11\"><rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>%n",
                LEFT + WIDTH + 20, TOP + 3 * STEP));
        String[] titles = {"requests/s sent (dashed: the ramp)", "replicas routed", "p99 per 10 s (log scale, clipped to 1 ms - 10 s)"};
        Map<Double, String> grid0 = Map.of(0.0, "0", 1 / 1.2, String.valueOf(PEAK));
        Map<Double, String> grid1 = Map.of(0.0, "0", MIN / (MAX + 1.0), String.valueOf(MIN), MAX / (MAX + 1.0), String.valueOf(MAX));
        Map<Double, String> grid2 = Map.of(0.0, "1 ms", 0.25, "10 ms", 0.5, "100 ms", 0.75, "1 s", 1.0, "10 s");
        List<Map<Double, String>> grids = List.of(grid0, grid1, grid2);
        for (int p = 0; p < 3; p++) {
            int y = TOP + p * STEP;
            svg.append(String.format("<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#ccc\"/>"
                    + "<text x=\"%d\" y=\"%d\">%s</text>%n", LEFT, y, WIDTH, HEIGHT, LEFT, y - 4, titles[p]));
            grids.get(p).forEach((f, label) -> svg.append(String.format("<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#eee\"/>"
                    + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n", LEFT, LEFT + WIDTH, y + HEIGHT * (1 - f),
                    y + HEIGHT * (1 - f), LEFT - 4, y + HEIGHT * (1 - f) + 4, label)));
        }
        for (int m = 0; m * 60 <= SECONDS; m++) {
            svg.append(String.format("<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%d min</text>%n",
                    LEFT + m * 60.0 * WIDTH / SECONDS, TOP + 2 * STEP + HEIGHT + 14, m));
        }
        List<double[]> plan = new ArrayList<>();
        for (int s = 0; s < SECONDS; s++) {
            plan.add(new double[] {s, rate(s) / (PEAK * 1.2)});
        }
        svg.append(line(plan, 0, "#999\" stroke-dasharray=\"4,3"));
        for (int i = 0; i < runs.size(); i++) {
            Run r = runs.get(i);
            List<double[]> sent = new ArrayList<>();
            List<double[]> p99 = new ArrayList<>();
            for (long from = 0; from < END; from += BUCKET) {
                double mid = (from + BUCKET / 2.0) / 1000;
                sent.add(new double[] {mid, r.sent(from, from + BUCKET) * 1000.0 / BUCKET / (PEAK * 1.2)});
                double ms = r.p99(from, from + BUCKET);
                if (!Double.isNaN(ms)) {
                    p99.add(new double[] {mid, Math.log10(Math.max(1, Math.min(10_000, ms))) / 4});
                }
            }
            List<double[]> routed = new ArrayList<>();
            for (int k = 0; k < r.samples().size(); k++) { // a step a sample; the runs 1.5 px apart, so that equal counts show
                double y = r.samples().get(k).routed() / (MAX + 1.0) + (i - 1) * 1.5 / HEIGHT;
                long next = k + 1 < r.samples().size() ? r.samples().get(k + 1).atMillis() : END;
                routed.add(new double[] {Math.min(END, r.samples().get(k).atMillis()) / 1000.0, y});
                routed.add(new double[] {Math.min(END, next) / 1000.0, y});
            }
            svg.append(line(sent, 0, COLOURS[i])).append(line(routed, 1, COLOURS[i])).append(line(p99, 2, COLOURS[i]))
                    .append(String.format("<rect x=\"%d\" y=\"8\" width=\"12\" height=\"4\" fill=\"%s\"/><text x=\"%d\" y=\"14\">%s</text>%n",
                            LEFT + 300 + i * 150, COLOURS[i], LEFT + 316 + i * 150, r.name()));
        }
        return svg.append("</svg>\n").toString();
    }

    /** A polyline in panel {@code panel}: points of {seconds, fraction of the panel's height}. */
    private static String line(List<double[]> points, int panel, String colour) {
        String xy = points.stream().map(p -> String.format("%.1f,%.1f", LEFT + p[0] * WIDTH / SECONDS,
                TOP + panel * STEP + HEIGHT * (1 - Math.max(0, Math.min(1, p[1]))))).collect(Collectors.joining(" "));
        return "<polyline fill=\"none\" stroke=\"" + colour + "\" points=\"" + xy + "\"/>\n";
    }
}
