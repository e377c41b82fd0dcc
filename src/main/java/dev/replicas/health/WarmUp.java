package dev.replicas.health;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.logging.Logger;

import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.Startup;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Warms the replica up before it admits to being ready: sends its own hot path, {@code GET
 * /hello/api/v1}, through its own HTTP port on loopback a number of times, so that the first
 * requests routed to it do not pay for lazy initialisation and interpreted code. Readiness (and
 * so Consul's check and Fabio's route) waits for it, but never longer than the configured bound.
 */
@ApplicationScoped
public class WarmUp {

    /** The path exercised: the service's endpoint. */
    static final String PATH = "/hello/api/v1";

    private static final Logger LOG = Logger.getLogger(WarmUp.class.getName());

    @Resource(lookup = "java:comp/DefaultManagedExecutorService")
    private ExecutorService executor;

    private final int port;
    private final int requests;
    private final long boundMillis;
    private volatile boolean done;
    private volatile String outcome = "not started";

    /**
     * @param port     the server's HTTP port ({@code http.port})
     * @param requests how many requests to send ({@code hello.warmup.requests}, 0: none)
     * @param seconds  the most readiness waits for them ({@code hello.warmup.seconds})
     */
    @Inject
    public WarmUp(@ConfigProperty(name = "http.port", defaultValue = "8000") int port,
                  @ConfigProperty(name = "hello.warmup.requests", defaultValue = "200") int requests,
                  @ConfigProperty(name = "hello.warmup.seconds", defaultValue = "15") int seconds) {
        this.port = port;
        this.requests = Math.max(0, requests);
        this.boundMillis = Math.max(0, seconds) * 1000L;
    }

    /** For the CDI client proxy only. */
    protected WarmUp() {
        this(0, 0, 0);
    }

    void onStart(@Observes Startup event) {
        if (requests == 0) {
            finish("off (hello.warmup.requests=0)");
            return;
        }
        outcome = "running";
        executor.submit(this::run);
    }

    /**
     * @return whether the warm-up is over: done, off, or out of time
     */
    public boolean isDone() {
        return done;
    }

    /**
     * @return how the warm-up went, one line
     */
    public String outcome() {
        return outcome;
    }

    private void run() {
        long start = System.nanoTime();
        long deadline = start + boundMillis * 1_000_000L;
        int sent = 0;
        String problem = null;
        while (sent < requests && System.nanoTime() < deadline) {
            try {
                int status = get(deadline);
                if (status != 200) {
                    problem = "HTTP " + status;
                    break;
                }
                sent++;
            } catch (IOException e) {
                // The port opens only once every application has started: until then, try again.
                problem = e.getClass().getSimpleName() + ": " + e.getMessage();
                try {
                    Thread.sleep(50);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        if (sent == requests) {
            finish(sent + " requests to " + PATH + " in " + millis + " ms");
        } else {
            finish("gave up after " + millis + " ms and " + sent + " of " + requests + " requests"
                    + (problem == null ? "" : " (last: " + problem + ")") + "; ready anyway");
            LOG.warning("Warm-up " + outcome);
        }
    }

    private void finish(String result) {
        outcome = result;
        done = true;
    }

    /** One GET on loopback, the whole answer read; returns the status. */
    private int get(long deadline) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
            socket.setSoTimeout((int) Math.max(1, Math.min(5000, (deadline - System.nanoTime()) / 1_000_000)));
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + PATH + " HTTP/1.0\r\nHost: localhost\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[16 * 1024];
            int n = 0;
            for (int r; n < 12 && (r = in.read(buffer, n, buffer.length - n)) >= 0; ) {
                n += r;
            }
            if (n < 12) {
                throw new IOException("no status line");
            }
            int status = Integer.parseInt(new String(buffer, 9, 3, StandardCharsets.US_ASCII));
            while (in.read(buffer) >= 0) {
                // drain: the server writes the whole body before it closes
            }
            return status;
        }
    }
}
