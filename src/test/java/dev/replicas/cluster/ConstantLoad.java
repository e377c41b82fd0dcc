package dev.replicas.cluster;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntUnaryOperator;

import dev.replicas.hello.AnswerContract;
import dev.replicas.testing.Poll;
import org.HdrHistogram.ConcurrentHistogram;

/**
 * A constant load through Fabio while a fault test breaks something: {@code rate} GETs of the
 * endpoint per second, each with a timeout, never more than {@code maxSeconds} and never more than
 * {@code rate * maxSeconds} requests (it stops by itself); or, {@link #ramp}, a rate that follows a
 * schedule second by second, bounded the same way, which also keeps every answer's latency. Every
 * answer is checked against the {@link AnswerContract} (status, media type, length, the seed's frame; one in 50 also through a
 * JSON parser); one that breaks it is a failure. Records every failure with its time, so a test can tell which failures fell into which
 * phase of the fault. Every request sent ends as answered or failed: one still without an answer
 * when the load is closed is a failure ({@link #assertEveryRequestCounted}).
 */
public final class ConstantLoad implements AutoCloseable {

    /**
     * One request that got no answer, or one that broke the answer contract.
     *
     * @param atMillis   when it ended, in milliseconds since the load started
     * @param what       what went wrong: an exception's class and message, {@code HTTP <status>}, or the
     *                   contract's violation
     * @param sentMillis when it was sent
     */
    public record Failure(long atMillis, String what, long sentMillis) {
    }

    /** One answer within the contract: when it was sent (ms since the load started), and how long it took, in microseconds. */
    public record Answer(long sentMillis, long micros) {
    }

    /**
     * The most requests in flight at once: below the 250 streams Fabio's HTTP/2 allows on one
     * connection, since the JDK's client fails a request past the server's limit at once instead of
     * queueing it (JDK-8225647). A stalled test JVM otherwise sends its missed ticks in one burst.
     */
    static final int MAX_IN_FLIGHT = 100;

    /** One answer in this many, the first included, is also checked through the JSON parser. */
    static final int FULL_CHECK_EVERY = 50;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).sslContext(Cluster.tls()).build();
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "constant-load");
        t.setDaemon(true);
        return t;
    });
    private final HttpRequest request;
    private final AnswerContract contract;
    /** When the first request was due: set once the uncounted first request is over. */
    private final long startNanos;
    private final long maxRequests;
    /** Requests per second, by the second of the load. */
    private final IntUnaryOperator rate;
    /** A ramp's schedule: requests due by the start of each second; null for a constant rate. */
    private final long[] dueBy;
    /** A ramp's answers within the contract, for its report; null for a constant rate. */
    private final ConcurrentLinkedQueue<Answer> kept;
    /** A ramp's requests come due so far, sent or held (the ticker's thread only). */
    private long issued;
    private final AtomicLong sent = new AtomicLong();
    /** Ticks that sent nothing because {@link #MAX_IN_FLIGHT} requests were still unanswered. */
    private final AtomicLong held = new AtomicLong();
    private final AtomicLong ok = new AtomicLong();
    /** Answers received, for the sample checked through the JSON parser. */
    private final AtomicLong answers = new AtomicLong();
    private final ConcurrentLinkedQueue<Failure> failures = new ConcurrentLinkedQueue<>();
    /** Answers within the contract by the second of the load they came in, for a timeline. */
    private final AtomicIntegerArray okBySecond;
    /** Microseconds from sending to the whole answer, of the answers within the contract. */
    private final ConcurrentHistogram latency = new ConcurrentHistogram(3);
    /** Requests not yet answered. */
    private final Map<CompletableFuture<?>, Pending> inFlight = new HashMap<>();

    /** A request on its way: when it was sent, and whether its outcome has been counted. */
    private record Pending(long sentAt, AtomicBoolean counted) {
    }

    private ConstantLoad(String url, IntUnaryOperator rate, int maxSeconds, AnswerContract contract, boolean ramp) {
        this.request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).GET().build();
        this.contract = contract;
        this.rate = rate;
        long[] due = new long[maxSeconds + 1];
        for (int s = 0; s < maxSeconds; s++) {
            due[s + 1] = due[s] + rate.applyAsInt(s);
        }
        this.maxRequests = due[maxSeconds];
        this.dueBy = ramp ? due : null;
        this.kept = ramp ? new ConcurrentLinkedQueue<>() : null;
        this.okBySecond = new AtomicIntegerArray(maxSeconds + 20);
        // One request first, not counted: until its first HTTP/2 connection to the host is up, the
        // JDK's client opens one for every request, and a burst of TLS handshakes from a cold client
        // on a busy machine outlasts the connect timeout (in a chaos soak: 7 requests of its first 0.4 s).
        try {
            http.send(request, HttpResponse.BodyHandlers.discarding());
        } catch (IOException e) {
            // nothing listens yet, or it broke: the load's own requests say so
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // The clock starts with the first tick, so that a ramp's first second is not cut by that request.
        startNanos = System.nanoTime();
        if (ramp) {
            ticker.scheduleAtFixedRate(this::tick, 0, 5, TimeUnit.MILLISECONDS);
        } else {
            ticker.scheduleAtFixedRate(this::send, 0, 1_000_000 / rate.applyAsInt(0), TimeUnit.MICROSECONDS);
        }
        ticker.schedule(ticker::shutdown, maxSeconds, TimeUnit.SECONDS);
    }

    /**
     * Starts the load on Fabio's balanced endpoint, its answers checked against the contract of
     * the service as configured ({@link AnswerContract#configured()}).
     *
     * @param rate       requests per second
     * @param maxSeconds the longest it may run
     */
    public static ConstantLoad start(int rate, int maxSeconds) {
        return new ConstantLoad(Cluster.FABIO + "/hello/api/v1", second -> rate, maxSeconds, AnswerContract.configured(), false);
    }

    /**
     * Starts a load on Fabio's balanced endpoint whose rate follows {@code rate} for {@code seconds}
     * (then it stops by itself), sent on schedule whatever the answers, keeping every answer ({@link #answers}).
     *
     * @param rate    requests in each second of the load, by the second (from 0)
     * @param seconds how long it runs
     */
    public static ConstantLoad ramp(IntUnaryOperator rate, int seconds) {
        return new ConstantLoad(Cluster.FABIO + "/hello/api/v1", rate, seconds, AnswerContract.configured(), true);
    }

    /** A ramp's tick (every 5 ms): sends the requests its schedule has made due since the last one, evenly within each second. */
    private void tick() {
        long micros = elapsedMicros();
        int s = (int) Math.min(micros / 1_000_000, dueBy.length - 2);
        long due = dueBy[s] + (dueBy[s + 1] - dueBy[s]) * Math.min(1_000_000, micros - s * 1_000_000L) / 1_000_000;
        while (issued < due && !ticker.isShutdown()) {
            issued++;
            send();
        }
    }

    private void send() {
        if (sent.get() >= maxRequests) {
            ticker.shutdown();
            return;
        }
        synchronized (inFlight) {
            inFlight.keySet().removeIf(CompletableFuture::isDone);
            if (inFlight.size() >= MAX_IN_FLIGHT) {
                held.incrementAndGet(); // those in flight fail by their own timeout if they get no answer
                return;
            }
        }
        sent.incrementAndGet();
        long sentAt = elapsedMillis();
        long sentMicros = elapsedMicros();
        AtomicBoolean counted = new AtomicBoolean();
        CompletableFuture<?> f = http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray())
                .handle((response, error) -> {
                    if (!counted.compareAndSet(false, true)) {
                        return null; // already counted as unanswered at close
                    }
                    if (error != null) {
                        Throwable cause = error instanceof CompletionException && error.getCause() != null
                                ? error.getCause() : error;
                        failures.add(new Failure(elapsedMillis(), cause.getClass().getSimpleName()
                                + (cause.getMessage() == null ? "" : ": " + cause.getMessage()), sentAt));
                    } else {
                        // The frame on every answer, the parser on every 50th: parsing 200 kB of JSON
                        // 50 times a second costs the CPU the cluster under test runs on.
                        String violation = answers.getAndIncrement() % FULL_CHECK_EVERY == 0
                                ? contract.violationOf(response) : contract.framedViolationOf(response);
                        if (violation.equals(AnswerContract.OK)) {
                            long micros = Math.max(0, elapsedMicros() - sentMicros);
                            latency.recordValue(micros);
                            if (kept != null) {
                                kept.add(new Answer(sentAt, micros));
                            }
                            ok.incrementAndGet();
                            okBySecond.incrementAndGet((int) Math.min(okBySecond.length() - 1, elapsedMillis() / 1000));
                        } else {
                            failures.add(new Failure(elapsedMillis(), violation, sentAt));
                        }
                    }
                    return null;
                });
        synchronized (inFlight) {
            inFlight.put(f, new Pending(sentAt, counted));
        }
    }

    /**
     * @return milliseconds since the load started
     */
    public long elapsedMillis() {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    private long elapsedMicros() {
        return (System.nanoTime() - startNanos) / 1_000;
    }

    /** @return the 99th percentile of the answers within the contract so far, in milliseconds */
    public double p99Millis() {
        return latency.getValueAtPercentile(99) / 1000.0;
    }

    /**
     * Stops sending and waits (at most 10 s, longer than a request's own timeout) for the answers
     * still due; a request that has none by then counts as failed. Safe to call more than once.
     */
    @Override
    public void close() {
        ticker.shutdownNow();
        try {
            ticker.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Map<CompletableFuture<?>, Pending> pending;
        synchronized (inFlight) {
            pending = new HashMap<>(inFlight);
            inFlight.clear();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        pending.forEach((f, request) -> {
            try {
                f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (Exception e) {
                // handle() records every answer and every error; only a wait that timed out ends up here
            }
            if (request.counted().compareAndSet(false, true)) {
                failures.add(new Failure(elapsedMillis(), "no answer when the load stopped", request.sentAt()));
            }
        });
    }

    /**
     * Waits (at most 20 s) until two seconds' worth of requests have been answered: the load is
     * under way, the fault can begin.
     *
     * @return this load
     */
    public ConstantLoad awaitUnderWay() throws Exception {
        Poll.until("load under way", Duration.ofSeconds(20), this::ok, ok -> ok > 2L * rate.applyAsInt(0));
        return this;
    }

    /**
     * Waits (at most 20 s) until {@code seconds}' worth more requests have been answered: the load
     * went on that long over what the case left, e.g. the replicas after a fault.
     */
    public void awaitMore(int seconds) throws Exception {
        long okSoFar = ok();
        long more = (long) seconds * rate.applyAsInt((int) (elapsedMillis() / 1000));
        Poll.until(seconds + " s more of load", Duration.ofSeconds(20), this::ok, ok -> ok >= okSoFar + more);
    }

    /**
     * Waits (at most {@code limit}) until the load has stopped by itself: its time or its requests are over.
     *
     * @return whether it has
     */
    public boolean awaitStopped(Duration limit) throws InterruptedException {
        return ticker.awaitTermination(limit.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** @return requests not sent because {@link #MAX_IN_FLIGHT} were unanswered: due, but neither answered nor failed */
    public long held() {
        return held.get();
    }

    /** @return a ramp's answers within the contract so far (none for a constant load) */
    public List<Answer> answers() {
        return kept == null ? List.of() : List.copyOf(kept);
    }

    /** @return requests sent so far */
    public long sent() {
        return sent.get();
    }

    /** @return requests answered within the contract */
    public long ok() {
        return ok.get();
    }

    /** @return answers within the contract in each second of the load so far */
    public int[] okBySecond() {
        int[] counts = new int[(int) Math.min(okBySecond.length(), elapsedMillis() / 1000 + 1)];
        Arrays.setAll(counts, okBySecond::get);
        return counts;
    }

    /**
     * @return requests still without an end {@code limit} after they were sent: with a request
     *         timeout shorter than that, a request the count lost
     */
    public long lost(Duration limit) {
        long before = elapsedMillis() - limit.toMillis();
        synchronized (inFlight) {
            return inFlight.entrySet().stream().filter(e -> !e.getKey().isDone() && e.getValue().sentAt() < before).count();
        }
    }

    /** @return requests that failed, in the order they ended */
    public List<Failure> failures() {
        return List.copyOf(failures);
    }

    /**
     * Fails unless every request sent has ended, answered or failed: for after {@link #close()}.
     * A request that slipped through the count would be a failure no assertion sees.
     */
    public void assertEveryRequestCounted() {
        if (sent() != ok() + failures.size()) {
            throw new AssertionError("every request counted: expected " + sent() + " sent = " + ok() + " ok + "
                    + failures.size() + " failed; " + this);
        }
    }

    /** @return a summary for messages: "1,235 sent: 1,234 ok, 1 failed [...]" */
    @Override
    public String toString() {
        return String.format("%,d sent: %,d ok, %,d failed%s%s", sent(), ok(), failures.size(),
                held.get() == 0 ? "" : String.format(" (%,d not sent: %d in flight)", held.get(), MAX_IN_FLIGHT),
                failures.isEmpty() ? "" : " " + failures().subList(0, Math.min(5, failures.size())));
    }
}
