package dev.replicas.load;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;

import org.junit.jupiter.api.Test;

class LatencyHistogramTest {

    @Test
    void givesNearestRankPercentilesMeanMinAndMax() {
        LatencyHistogram h = new LatencyHistogram();
        for (int ms = 1; ms <= 100; ms++) {
            h.record(ms);
        }
        assertEquals(100, h.count());
        assertEquals(50.5, h.mean(), 1e-9);
        assertEquals(1, h.min());
        assertEquals(100, h.max());
        assertEquals(50, h.percentile(50));
        assertEquals(99, h.percentile(99));
        assertEquals(100, h.percentile(100));
        assertEquals(1, h.percentile(0));
    }

    @Test
    void anEmptyHistogramSaysZero() {
        LatencyHistogram h = new LatencyHistogram();
        assertEquals(0, h.percentile(99));
        assertEquals(0, h.mean());
        assertEquals(0, h.max());
    }

    @Test
    void countsUnansweredRequestsAsSlowerThanEveryAnswer() {
        LatencyHistogram h = new LatencyHistogram();
        for (int i = 0; i < 99; i++) {
            h.record(10);
        }
        assertEquals(10, h.percentileWithSlower(99, 1), "1 of 100 outstanding: p99 is still an answer");
        assertEquals(Long.MAX_VALUE, h.percentileWithSlower(99, 2), "2 of 101 outstanding: p99 falls among them");
        assertEquals(10, h.percentileWithSlower(99, 0));
    }

    @Test
    void survivesTheTripThroughTheResultFile() {
        LatencyHistogram h = new LatencyHistogram();
        h.record(5);
        h.record(5);
        h.record(700);
        h.record(-3);
        LatencyHistogram back = LatencyHistogram.of(h.counts());
        assertEquals(Map.of(0L, 1L, 5L, 2L, 700L, 1L), back.counts());
        assertEquals(h.mean(), back.mean(), 1e-9);
        assertEquals(700, back.percentile(99));

        LatencyHistogram sum = new LatencyHistogram();
        sum.addAll(h);
        sum.addAll(back);
        assertEquals(8, sum.count());
        assertEquals(5, sum.percentile(50));
    }
}
