package dev.replicas.load;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class GcPausesTest {

    private static final Instant START = Instant.parse("2026-12-02T02:21:07.000Z");
    private static final Instant END = Instant.parse("2026-12-02T02:22:07.000Z");
    private static final String LOG = String.join("\n",
            "[2026-12-02T02:20:40.100+0000][3.632s] GC(36) Pause Full (CodeCache GC Threshold) 35M->26M(63M) 104.042ms",
            "[2026-12-02T02:21:07.050+0000][30.001s] GC(40) Pause Young (Allocation Failure) 40M->30M(63M) 60.000ms",
            "[2026-12-02T02:21:20.000+0000][43.000s] GC(41) Pause Young (Allocation Failure) 42M->29M(63M) 3.485ms",
            "[2026-12-02T02:21:54.535+0000][77.535s] GC(42) Pause Full (Allocation Failure) 43M->30M(46M) 280.312ms",
            "[2026-12-02T02:21:54.600+0000][77.600s] Using Serial", // not a pause
            "[2026-12-02T02:22:07.100+0000][90.100s] GC(43) Pause Young (Allocation Failure) 42M->29M(63M) 50.000ms");

    @Test
    void keepsThePausesThatOverlapTheRunEvenOneThatBeganBeforeIt() {
        List<GcPauses.Pause> pauses = GcPauses.parse("replica-7", LOG, START, END);
        assertEquals(List.of(60.0, 3.485, 280.312), pauses.stream().map(GcPauses.Pause::ms).toList());
        assertEquals(List.of(false, false, true), pauses.stream().map(GcPauses.Pause::full).toList());
        assertEquals("Pause Full (Allocation Failure) 43M->30M(46M)", pauses.get(2).what());
    }

    @Test
    void listsTheLongPausesAtTheSecondOfTheRunTheyBegan() {
        assertEquals("""
                GC pauses during the run (the replicas' and the generator's GC logs): 2 young, 1 full, 344 ms paused in all, the longest 280 ms
                  0.0 s  replica-7   Pause Young (Allocation Failure) 40M->30M(63M), 60 ms
                  47.3 s  replica-7   Pause Full (Allocation Failure) 43M->30M(46M), 280 ms
                  no GC log lines from replica-1 (an image without -Xlog:gc with time decorations?)
                """, GcPauses.render(Map.of("replica-7", LOG, "replica-1", "Launching defaultServer"), START, END));
        assertEquals(280.312, GcPauses.longest(Map.of("replica-7", LOG), START, END));
        assertEquals("GC pauses: no GC log could be read.\n", GcPauses.render(Map.of(), START, END));
    }
}
