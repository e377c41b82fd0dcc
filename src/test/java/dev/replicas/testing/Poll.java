package dev.replicas.testing;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.function.Predicate;

/**
 * The one bounded wait of every suite: asks a probe until its answer will do. An IOException from
 * the probe means "not yet" (a server that does not listen yet, resets, times out or answers what
 * is not JSON yet): the probe is asked again, and a wait that times out names the last one and
 * has it as its cause. Anything else the probe throws, an assertion above all, ends the wait at once.
 */
public final class Poll {

    /** How often a wait asks, unless it says otherwise. */
    public static final Duration EVERY = Duration.ofMillis(200);

    private Poll() {
    }

    /** {@link #until(String, Duration, Duration, Callable, Predicate)}, asking every {@link #EVERY}. */
    public static <T> T until(String what, Duration limit, Callable<T> probe, Predicate<? super T> done) throws Exception {
        return until(what, limit, EVERY, probe, done);
    }

    /**
     * Asks {@code probe} every {@code every} until {@code done} holds for its answer, for at most
     * {@code limit}.
     *
     * @return the answer that did
     * @throws AssertionError once {@code limit} has passed, naming {@code what}, the last answer and
     *                        the last IOException, which is also its cause
     */
    public static <T> T until(String what, Duration limit, Duration every, Callable<T> probe, Predicate<? super T> done)
            throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        T last = null;
        IOException notYet = null;
        while (true) {
            try {
                last = probe.call();
                if (done.test(last)) {
                    return last;
                }
            } catch (IOException e) {
                notYet = e;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("not within " + limit.toMillis() + " ms: " + what + "; last seen: " + last
                        + (notYet == null ? "" : "; last exception: " + notYet), notYet);
            }
            Thread.sleep(every.toMillis());
        }
    }
}
