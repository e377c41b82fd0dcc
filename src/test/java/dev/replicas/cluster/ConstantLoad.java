package dev.replicas.cluster;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A constant load through Fabio while a fault test breaks something: {@code rate} GETs of the
 * endpoint per second, each with a timeout, never more than {@code maxSeconds} and never more than
 * {@code rate * maxSeconds} requests (it stops by itself). Records every failure with its time, so
 * a test can tell which failures fell into which phase of the fault.
 */
public final class ConstantLoad implements AutoCloseable {

    /** One request that did not answer 200 with a full body. */
    public record Failure(long atMillis, String what) {
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "constant-load");
        t.setDaemon(true);
        return t;
    });
    private final HttpRequest request;
    private final long expectedLength;
    private final long startNanos = System.nanoTime();
    private final long maxRequests;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong ok = new AtomicLong();
    private final ConcurrentLinkedQueue<Failure> failures = new ConcurrentLinkedQueue<>();
    private final List<CompletableFuture<?>> inFlight = new ArrayList<>();

    private ConstantLoad(String url, int rate, int maxSeconds, long expectedLength) {
        this.request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).GET().build();
        this.expectedLength = expectedLength;
        this.maxRequests = (long) rate * maxSeconds;
        ticker.scheduleAtFixedRate(this::send, 0, 1_000_000 / rate, TimeUnit.MICROSECONDS);
        ticker.schedule(ticker::shutdown, maxSeconds, TimeUnit.SECONDS);
    }

    /**
     * Starts the load on Fabio's balanced endpoint.
     *
     * @param rate       requests per second
     * @param maxSeconds the longest it may run
     */
    public static ConstantLoad start(int rate, int maxSeconds) {
        // The seed's answer: 200,000 letters of Data in a frame of 92 bytes.
        return new ConstantLoad(Cluster.FABIO + "/hello/api/v1", rate, maxSeconds, 200_092);
    }

    private void send() {
        if (sent.incrementAndGet() > maxRequests) {
            ticker.shutdown();
            return;
        }
        CompletableFuture<?> f = http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray())
                .handle((response, error) -> {
                    if (error != null) {
                        failures.add(new Failure(elapsedMillis(), error.getClass().getSimpleName()));
                    } else if (response.statusCode() != 200) {
                        failures.add(new Failure(elapsedMillis(), "HTTP " + response.statusCode()));
                    } else if (response.body().length != expectedLength) {
                        failures.add(new Failure(elapsedMillis(), "body of " + response.body().length + " bytes"));
                    } else {
                        ok.incrementAndGet();
                    }
                    return null;
                });
        synchronized (inFlight) {
            inFlight.removeIf(CompletableFuture::isDone);
            inFlight.add(f);
        }
    }

    /**
     * @return milliseconds since the load started
     */
    public long elapsedMillis() {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    /**
     * Stops sending and waits (at most 10 s) for the answers still due.
     */
    @Override
    public void close() {
        ticker.shutdownNow();
        List<CompletableFuture<?>> pending;
        synchronized (inFlight) {
            pending = new ArrayList<>(inFlight);
        }
        try {
            CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            // what did not end is not counted either way
        }
    }

    /** @return requests answered in full */
    public long ok() {
        return ok.get();
    }

    /** @return requests that failed, in the order they ended */
    public List<Failure> failures() {
        return List.copyOf(failures);
    }

    /** @return a summary for messages: "1,234 ok, 0 failed" */
    @Override
    public String toString() {
        return String.format("%,d ok, %,d failed%s", ok(), failures.size(),
                failures.isEmpty() ? "" : " " + failures().subList(0, Math.min(5, failures.size())));
    }
}
