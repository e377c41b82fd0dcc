package dev.replicas.lifecycle;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.URI;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Logger;
import javax.management.JMException;
import javax.management.ObjectName;

import dev.replicas.config.ReplicaSettings;
import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.Startup;
import jakarta.inject.Inject;

/**
 * Warms the replica up before it admits to being ready, so that the first requests routed to it
 * are served like the later ones. It sends its own hot path, {@code GET /hello/api/v1}, through its
 * own HTTP port on loopback, at least {@code hello.warmup.requests} times and then on, a round at a
 * time, until the JIT has stopped compiling (the code cache grew less than {@value #SETTLED_BYTES}
 * bytes over the last round, and nothing is queued for it or being compiled); then it collects the
 * heap in full, once. Readiness (and so Consul's check and Fabio's route) waits for it, but never
 * longer than {@code hello.warmup.seconds}.
 *
 * <p>Why the JVM's signals and not a count (docs/load-test.md, "Cold tails"): how many requests
 * the JIT needs depends on the JVM's flags and on how busy its compiler is (8 replicas starting on
 * 2 cores), and a replica routed too early paid for hundreds of compilations in its first seconds
 * of traffic; the start-up had also left the old generation full, so the first routed requests
 * paid for full collections, each 100-240 ms on our machines (one triggered by the code cache's
 * growth itself). Done here, before the route exists, that work costs no client anything. The
 * compile queue counts because the code cache alone was fooled where replicas start together: with
 * the compiler threads waiting for a core, a round added little code while the request path's own
 * methods were still waiting to be compiled (docs/load-test.md, "The compile queue").
 */
@ApplicationScoped
public class WarmUp {

    private static final String PATH = "/hello/api/v1";
    /**
     * Marks the warm-up's own requests, so that the replica's metrics count only what clients
     * asked (dev.replicas.metrics.RequestTimingFilter, on loopback only).
     */
    public static final String HEADER = "X-Hello-Warm-Up";
    /** Requests between two looks at the code cache. */
    private static final int ROUND = 50;
    /** Code cache growth over a round below which compiling counts as done. */
    private static final long SETTLED_BYTES = 16 * 1024;
    private static final Logger LOG = Logger.getLogger(WarmUp.class.getName());

    @Resource(lookup = "java:comp/DefaultManagedExecutorService")
    private ExecutorService executor;

    private final ReplicaSettings config;
    private volatile boolean done;
    private volatile String outcome = "not started";

    /** @param config the settings: the server's port, the fewest requests, and the most time they may take */
    @Inject
    public WarmUp(ReplicaSettings config) {
        this.config = config;
    }

    /** For the CDI client proxy only. */
    protected WarmUp() {
        this(null);
    }

    void onStart(@Observes Startup event) {
        if (config.warmUpRequests() == 0) {
            outcome = "off (hello.warmup.requests=0)";
            done = true;
        } else {
            outcome = "running";
            executor.submit(this::run);
        }
    }

    /** @return whether the warm-up is over: done, off, or out of time */
    public boolean isDone() {
        return done;
    }

    /** @return how the warm-up went, one line */
    public String outcome() {
        return outcome;
    }

    private void run() {
        long start = System.nanoTime();
        long deadline = start + config.warmUpBound().toNanos();
        int sent = 0;
        String problem = null;
        long code = codeCacheUsed();
        boolean settled = false;
        while (!settled && System.nanoTime() < deadline && !Thread.currentThread().isInterrupted()) {
            int round = 0;
            while (round < ROUND && System.nanoTime() < deadline) {
                problem = send(deadline);
                if (problem == null) {
                    round++;
                } else if (problem.startsWith("HTTP")) {
                    break;
                } else {
                    // The port opens only once every application has started: until then, try again.
                    LockSupport.parkNanos(50_000_000);
                }
            }
            sent += round;
            if (problem != null && problem.startsWith("HTTP")) {
                break;
            }
            long grown = codeCacheUsed() - code;
            code += grown;
            settled = round == ROUND && sent >= config.warmUpRequests() && grown < SETTLED_BYTES
                    && compilesPending() <= 0;
        }
        // The heap collected in full now, while no client waits, starts the route with the old
        // generation compact and the code cache's GC threshold counted from here.
        System.gc();
        long millis = (System.nanoTime() - start) / 1_000_000;
        String heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / 1024 / 1024 + " MiB";
        outcome = settled
                ? sent + " requests to " + PATH + " in " + millis + " ms, until compiling settled (code cache "
                        + code / 1024 + " KiB); heap after a full collection " + heap
                : "gave up after " + millis + " ms and " + sent + " requests ("
                        + (problem == null ? "compiling had not settled" : "last: " + problem) + "); ready anyway";
        done = true;
        if (settled) {
            LOG.info("Warm-up: " + outcome);
        } else {
            LOG.warning("Warm-up " + outcome);
        }
    }

    /** @return null when {@code GET PATH} answered 200 and was read to the end, else what went wrong */
    private String send(long deadline) {
        URI uri = URI.create("http://127.0.0.1:" + config.httpPort() + PATH);
        try {
            HttpURLConnection http = (HttpURLConnection) uri.toURL().openConnection(Proxy.NO_PROXY);
            http.setConnectTimeout(1000);
            http.setReadTimeout((int) Math.max(1, Math.min(5000, (deadline - System.nanoTime()) / 1_000_000)));
            http.setRequestProperty(HEADER, "1");
            int status = http.getResponseCode();
            // Read to the end either way: writing the whole answer is part of the hot path, and a
            // connection read to its end goes back to the keep-alive pool.
            try (InputStream in = status == 200 ? http.getInputStream() : http.getErrorStream()) {
                if (in != null) {
                    in.transferTo(OutputStream.nullOutputStream());
                }
            }
            return status == 200 ? null : "HTTP " + status;
        } catch (IOException e) {
            return e.getClass().getSimpleName() + ": " + e.getMessage();
        }
    }

    /**
     * @return how many methods the JIT has queued or is compiling now (the JVM's Compiler.queue
     *         diagnostic command), or -1 where the JVM cannot say
     */
    static int compilesPending() {
        try {
            Object queue = ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), "compilerQueue",
                    new Object[] {null}, new String[] {String[].class.getName()});
            return pendingIn(String.valueOf(queue));
        } catch (JMException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * @param queue the Compiler.queue command's text: "Current compiles:", a line per method being
     *              compiled, then per compiler "C1 compile queue:" and a line per task, or "Empty"
     * @return the methods it lists
     */
    static int pendingIn(String queue) {
        return (int) queue.lines().map(String::strip).filter(l -> !l.isEmpty() && !l.equals("Empty")
                && !l.startsWith("Current compiles:") && !l.endsWith("compile queue:")).count();
    }

    /** @return the bytes of compiled code the JVM holds now, all code heaps together */
    private static long codeCacheUsed() {
        long used = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.NON_HEAP && pool.getName().startsWith("Code")) {
                used += pool.getUsage().getUsed();
            }
        }
        return used;
    }
}
