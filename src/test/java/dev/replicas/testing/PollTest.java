package dev.replicas.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

/** The suites' one wait: what it returns, what it asks again, and what it reports. */
class PollTest {

    private static final Duration SOON = Duration.ofMillis(1);

    @Test
    void returnsTheFirstAnswerThatDoesAfterIOExceptionsAsNotYet() throws Exception {
        AtomicInteger asked = new AtomicInteger();
        int answer = Poll.until("3", Duration.ofSeconds(5), SOON, () -> {
            if (asked.incrementAndGet() == 1) {
                throw new IOException("connection refused");
            }
            return asked.get();
        }, n -> n >= 3);
        assertEquals(3, answer);
    }

    @Test
    void aTimeoutNamesTheWaitTheLastAnswerAndTheLastExceptionAsItsCause() {
        AtomicInteger asked = new AtomicInteger();
        IOException last = new IOException("reset");
        AssertionError timeout = assertThrows(AssertionError.class, () -> Poll.until("never", Duration.ofMillis(50), SOON,
                () -> {
                    if (asked.incrementAndGet() % 2 == 0) {
                        throw last;
                    }
                    return "answer " + asked.get();
                }, answer -> false));
        assertTrue(timeout.getMessage().startsWith("not within 50 ms: never; last seen: answer "), timeout.getMessage());
        assertTrue(timeout.getMessage().endsWith("; last exception: java.io.IOException: reset"), timeout.getMessage());
        assertSame(last, timeout.getCause());
    }

    @Test
    void anAssertionInTheProbeEndsTheWaitAtOnce() {
        AtomicInteger asked = new AtomicInteger();
        AssertionError failed = new AssertionError("503 while not warming up");
        assertSame(failed, assertThrows(AssertionError.class, () -> Poll.until("ready", Duration.ofSeconds(5), SOON, () -> {
            asked.incrementAndGet();
            throw failed;
        }, answer -> true)));
        assertEquals(1, asked.get());
    }
}
