package dev.replicas.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.LogRecord;

import dev.replicas.config.LogCapture;
import dev.replicas.config.ReplicaConfig;
import dev.replicas.config.ReplicaSettings;
import dev.replicas.config.TestConfigs;
import dev.replicas.discovery.ConsulRegistrar;
import dev.replicas.testing.Poll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The drain's own timing, timed by its settings (registration off: nothing to leave). */
class GracefulStopTest {

    private LogCapture log;
    private GracefulStop stop;

    @BeforeEach
    void start() {
        log = LogCapture.of(GracefulStop.class);
        ReplicaSettings settings = ReplicaConfig.read(TestConfigs.of(Map.of("HELLO_REGISTRATION_ENABLED", "false",
                "HELLO_DRAIN_QUIET", "200ms", "HELLO_DRAIN_MAX", "3s")), () -> "127.0.0.1", List::of);
        stop = new GracefulStop(new ConsulRegistrar(settings), settings);
    }

    @AfterEach
    void stopCapturing() {
        log.close();
    }

    @Test
    void withoutTrafficTheDrainEndsAfterTheQuietTime() {
        assertFalse(stop.isStopping());
        long started = System.nanoTime();
        stop.drain();
        long tookMillis = (System.nanoTime() - started) / 1_000_000;

        assertTrue(stop.isStopping(), "readiness goes DOWN first");
        assertTrue(tookMillis >= 200 && tookMillis < 3_000, "took " + tookMillis + " ms");
        assertEquals(1, log.records().size(), log.records().toString());
        assertTrue(log.records().get(0).getMessage().startsWith("Drained: no request for 200 ms"),
                log.records().get(0).getMessage());
    }

    @Test
    void whileRequestsKeepComingTheDrainEndsAtItsBound() throws Exception {
        CompletableFuture<Void> drained = CompletableFuture.runAsync(stop::drain);
        Poll.until("the drain ended", Duration.ofSeconds(10), Duration.ofMillis(20), () -> {
            stop.filter(null); // a request every 20 ms, well within the quiet time
            return drained.isDone();
        }, done -> done);
        drained.get(1, TimeUnit.SECONDS);

        List<LogRecord> records = log.records();
        assertEquals(1, records.size(), records.toString());
        assertEquals("Still routed to 3000 ms after the stop began; stopping anyway", records.get(0).getMessage());
    }
}
