package dev.replicas.scaler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class ScalerConfigTest {

    private static ScalerConfig with(Map<String, String> values) {
        return ScalerConfig.read(values::get);
    }

    @Test
    void theDefaultsAreTheHpasAndHaveNoProblem() {
        ScalerConfig c = with(Map.of());
        assertEquals(List.of(), c.problems());
        assertEquals("hello_replica", c.service());
        assertEquals(new ScalingPolicy.Limits(2, 8, 20, 0.1, 4, Duration.ofMinutes(5)), c.limits());
        assertEquals(Duration.ofSeconds(15), c.interval());
    }

    @Test
    void aValueOverridesItsDefault() {
        ScalerConfig c = with(Map.of("scaler.max", "12", "scaler.down-window", "1m", "scaler.dry-run", "true"));
        assertEquals(12, c.limits().max());
        assertEquals(Duration.ofMinutes(1), c.limits().downWindow());
        assertTrue(c.dryRun());
    }

    @Test
    void anEmptyValueIsUnsetAndTakesTheDefault() {
        assertEquals(8, with(Map.of("scaler.max", " ")).limits().max());
    }

    @Test
    void eachBadValueIsOneLineNamingKeyAndValue() {
        ScalerConfig c = with(Map.of("scaler.min", "9", "scaler.max", "4"));
        assertEquals(List.of("scaler.min=9 is more than scaler.max=4"), c.problems());
        c = with(Map.of("scaler.target-rate", "0", "scaler.interval", "soon", "scaler.prometheus.url", "ftp://x"));
        assertEquals(List.of("scaler.target-rate=0 is not a number of at least 0.001",
                "scaler.interval=soon is not a duration such as 15s or 5m",
                "scaler.prometheus.url=ftp://x is not an http or https URL"), c.problems());
    }
}
