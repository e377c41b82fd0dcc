package dev.replicas.scaler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class ScalingPolicyTest {

    private static final long S = 1_000;

    /** min 2, max 12, 20 requests/s per replica, 10 % tolerance, +4 or double per step, 300 s down window. */
    private final ScalingPolicy policy = new ScalingPolicy(new ScalingPolicy.Limits(2, 12, 20, 0.1, 4, Duration.ofSeconds(300)));

    @Test
    void withinTheToleranceItHolds() {
        ScalingPolicy.Decision d = policy.decide(0, 4, 4, 4 * 21.9);
        assertEquals(4, d.desired());
        assertFalse(d.scales());
    }

    @Test
    void upAtOnceToWhatTheRateWants() {
        assertEquals(5, policy.decide(0, 4, 4, 110).desired()); // 5.5 replicas' worth: 5 carry 22 each, within 10 %
        assertEquals(7, policy.decide(0, 4, 4, 140).desired()); // 7: 6 would carry 23.3 each
    }

    @Test
    void noiseAtARoundLoadNeitherOvershootsNorFlaps() {
        assertEquals(4, policy.decide(0, 2, 2, 80.1).desired()); // not 5 for the 0.1/s
        // Scaled down to 4 while 5 still drain and answer: 80.2/s is the 4's own load, within tolerance.
        assertEquals(4, policy.decide(15 * S, 4, 5, 80.2).desired());
    }

    @Test
    void upAtMostDoubleOrFourMorePerStep() {
        assertEquals(6, policy.decide(0, 2, 2, 400).desired()); // wants 12 (max), 2 + 4
        assertEquals(12, policy.decide(15 * S, 6, 6, 400).desired()); // 6 x 2
    }

    @Test
    void neverBeyondMinOrMax() {
        assertEquals(12, policy.decide(0, 10, 10, 10_000).desired());
        assertEquals(2, policy.decide(301 * S, 3, 3, 0).desired());
        assertEquals(12, policy.decide(602 * S, 14, 14, 280).desired()); // someone scaled past max
    }

    @Test
    void notDownBeforeAWindowHasPassedSinceItStarted() {
        assertEquals(8, policy.decide(0, 8, 8, 40).desired());
        assertEquals(2, policy.decide(301 * S, 8, 8, 40).desired());
    }

    @Test
    void downOnlyToTheHighestWantedOverTheWindow() {
        policy.decide(0, 8, 8, 160); // wants 8
        assertEquals(8, policy.decide(100 * S, 8, 8, 60).desired()); // wants 3: 8 within the window
        assertEquals(8, policy.decide(299 * S, 8, 8, 60).desired());
        assertEquals(3, policy.decide(301 * S, 8, 8, 60).desired()); // the 8 has left the window
    }

    @Test
    void aDipInsideTheWindowLimitsHowFarItGoesDown() {
        policy.decide(0, 8, 8, 160);
        policy.decide(200 * S, 8, 8, 100); // wants 5
        assertEquals(5, policy.decide(301 * S, 8, 8, 40).desired()); // wants 2; the 5 is still in the window
    }

    @Test
    void warmingReplicasDoNotCount() {
        // 6 in the service, 3 routed and warm carry 90/s: 4.5 replicas' worth, so 5 are wanted, not 9 (3 at 1.5x).
        ScalingPolicy.Decision d = policy.decide(0, 6, 3, 90);
        assertEquals(5, d.wanted());
        assertEquals(6, d.desired()); // and not down yet: the window holds the 6 it started with
    }

    @Test
    void noLoadWantsMinAfterTheWindow() {
        assertEquals(5, policy.decide(0, 5, 0, 0).desired());
        assertEquals(2, policy.decide(301 * S, 5, 0, 0).desired());
    }
}
