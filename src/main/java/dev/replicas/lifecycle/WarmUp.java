package dev.replicas.lifecycle;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryType;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.URI;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.management.JMException;
import javax.management.ObjectName;

import dev.replicas.config.ReplicaSettings;
import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.Startup;
import jakarta.inject.Inject;

/** Warms the JIT up before readiness, until the JVM says it has settled (docs/load-test.md, "Cold tails"). */
@ApplicationScoped
public class WarmUp {

    private static final String PATH = "/hello/api/v1";
    /** Marks the warm-up's own requests, which the replica's metrics do not count. */
    public static final String HEADER = "X-Hello-Warm-Up";
    /** Requests between two looks at the code cache. */
    private static final int ROUND = 50;
    /** Code cache growth over a round below which compiling counts as done. */
    private static final long SETTLED_BYTES = 16 * 1024;
    private static final Logger LOG = Logger.getLogger(WarmUp.class.getName());
    private static final String RUNNING = "running";
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    @Resource(lookup = "java:comp/DefaultManagedExecutorService")
    private ExecutorService executor;
    @Inject
    private ReplicaSettings config;
    /** A stop ends the warm-up: its requests would only slow the server's own stop. */
    @Inject
    private GracefulStop stop;
    /** How the warm-up went; {@link #RUNNING} until it is over. */
    private volatile String outcome = RUNNING;

    void onStart(@Observes Startup event) {
        if (config.warmUpRequests() == 0) {
            outcome = "off (hello.warmup.requests=0)";
        } else {
            executor.submit(this::run);
        }
    }

    /** @return whether the warm-up is over: done, off, or out of time */
    public boolean isDone() {
        return !RUNNING.equals(outcome);
    }

    /** @return how the warm-up went, one line */
    public String outcome() {
        return outcome;
    }

    private void run() {
        long start = System.nanoTime();
        long deadline = start + config.warmUpBound().toNanos();
        long cpuDeadline = OS.getProcessCpuTime() + config.warmUpBound().toNanos();
        int sent = 0;
        String problem = null;
        long code = codeCacheUsed();
        boolean settled = false;
        // Over when both the clock's and the JVM's CPU time are out: a replica with a small CPU limit settles late.
        while (!settled && (System.nanoTime() < deadline || OS.getProcessCpuTime() < cpuDeadline) && !stop.isStopping()
                && !Thread.currentThread().isInterrupted()) {
            problem = send();
            if (problem != null && problem.startsWith("HTTP")) {
                break;
            } else if (problem != null) {
                // The port opens only once every application has started: until then, try again.
                LockSupport.parkNanos(50_000_000);
            } else if (++sent % ROUND == 0) {
                long grown = codeCacheUsed() - code;
                code += grown;
                settled = sent >= config.warmUpRequests() && grown < SETTLED_BYTES && compilesPending() <= 0;
            }
        }
        // Collected now, while no client waits, the route starts with a compact old generation.
        if (!stop.isStopping()) {
            System.gc();
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / 1024 / 1024;
        outcome = settled
                ? sent + " requests to " + PATH + " in " + millis + " ms, until compiling settled (code cache "
                        + code / 1024 + " KiB); heap after a full collection " + heap + " MiB"
                : "gave up after " + millis + " ms and " + sent + " requests ("
                        + (problem == null ? "compiling had not settled" : "last: " + problem) + "); ready anyway";
        LOG.log(settled ? Level.INFO : Level.WARNING, (settled ? "Warm-up: " : "Warm-up ") + outcome);
    }

    /** @return null when {@code GET PATH} answered 200 and was read to the end, else what went wrong */
    private String send() {
        URI uri = URI.create("http://127.0.0.1:" + config.httpPort() + PATH);
        try {
            HttpURLConnection http = (HttpURLConnection) uri.toURL().openConnection(Proxy.NO_PROXY);
            http.setConnectTimeout(1000);
            http.setReadTimeout(5000);
            http.setRequestProperty(HEADER, "1");
            int status = http.getResponseCode();
            // Read to the end: writing the answer is part of the hot path, and the connection goes back to the pool.
            try (var in = status == 200 ? http.getInputStream() : http.getErrorStream()) {
                if (in != null) {
                    in.transferTo(OutputStream.nullOutputStream());
                }
            }
            return status == 200 ? null : "HTTP " + status;
        } catch (IOException e) {
            return e.getClass().getSimpleName() + ": " + e.getMessage();
        }
    }

    /** @return how many methods the JIT has queued or is compiling (Compiler.queue), or -1 where the JVM cannot say */
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

    /** @return the methods in Compiler.queue's text: a line each under "Current compiles:" and "C1 compile queue:" */
    static int pendingIn(String queue) {
        return (int) queue.lines().map(String::strip).filter(l -> !l.isEmpty() && !l.equals("Empty")
                && !l.startsWith("Current compiles:") && !l.endsWith("compile queue:")).count();
    }

    private static long codeCacheUsed() {
        return ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(pool -> pool.getType() == MemoryType.NON_HEAP && pool.getName().startsWith("Code"))
                .mapToLong(pool -> pool.getUsage().getUsed()).sum();
    }
}
