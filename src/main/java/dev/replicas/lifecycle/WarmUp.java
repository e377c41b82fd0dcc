package dev.replicas.lifecycle;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.URI;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Logger;

import dev.replicas.config.ReplicaSettings;
import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.Startup;
import jakarta.inject.Inject;

/**
 * Warms the replica up before it admits to being ready: sends its own hot path, {@code GET
 * /hello/api/v1}, through its own HTTP port on loopback a number of times, so that the first
 * requests routed to it do not pay for lazy initialisation and interpreted code. Readiness (and
 * so Consul's check and Fabio's route) waits for it, but never longer than the configured bound.
 */
@ApplicationScoped
public class WarmUp {

    private static final String PATH = "/hello/api/v1";
    private static final Logger LOG = Logger.getLogger(WarmUp.class.getName());

    @Resource(lookup = "java:comp/DefaultManagedExecutorService")
    private ExecutorService executor;

    private final ReplicaSettings config;
    private volatile boolean done;
    private volatile String outcome = "not started";

    /** @param config the settings: the server's port, how many requests, and the most they may take */
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
        int requests = config.warmUpRequests();
        long start = System.nanoTime();
        long deadline = start + config.warmUpBound().toNanos();
        int sent = 0;
        String problem = null;
        while (sent < requests && System.nanoTime() < deadline && !Thread.currentThread().isInterrupted()) {
            try {
                URI uri = URI.create("http://127.0.0.1:" + config.httpPort() + PATH);
                HttpURLConnection http = (HttpURLConnection) uri.toURL().openConnection(Proxy.NO_PROXY);
                http.setConnectTimeout(1000);
                http.setReadTimeout((int) Math.max(1, Math.min(5000, (deadline - System.nanoTime()) / 1_000_000)));
                if (http.getResponseCode() != 200) {
                    problem = "HTTP " + http.getResponseCode();
                    break;
                }
                try (InputStream in = http.getInputStream()) {
                    in.transferTo(OutputStream.nullOutputStream()); // writing the whole answer is part of the hot path
                }
                sent++;
            } catch (IOException e) {
                // The port opens only once every application has started: until then, try again.
                problem = e.getClass().getSimpleName() + ": " + e.getMessage();
                LockSupport.parkNanos(50_000_000);
            }
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        outcome = sent == requests ? sent + " requests to " + PATH + " in " + millis + " ms"
                : "gave up after " + millis + " ms and " + sent + " of " + requests + " requests"
                        + (problem == null ? "" : " (last: " + problem + ")") + "; ready anyway";
        done = true;
        if (sent < requests) {
            LOG.warning("Warm-up " + outcome);
        }
    }
}
