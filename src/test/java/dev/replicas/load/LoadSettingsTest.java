package dev.replicas.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Properties;

import dev.replicas.load.LoadSettings.Window;
import org.junit.jupiter.api.Test;

class LoadSettingsTest {

    private static LoadSettings of(String... keysAndValues) {
        Properties p = new Properties();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            p.setProperty(keysAndValues[i], keysAndValues[i + 1]);
        }
        return LoadSettings.from(p);
    }

    @Test
    void theDefaultsAreTheSeedsTestInWindowsOfExactUserCounts() {
        LoadSettings s = of();
        assertFalse(s.capacity());
        assertEquals(6000, s.windows().stream().mapToLong(Window::users).sum());
        assertEquals(200_000, s.payload());
        assertEquals(50, s.sampleEvery());
        assertEquals(List.of(new Window(0, 100, 10, 0), new Window(1, 100, 10, 10), new Window(2, 100, 5, 20)),
                of("load.duration", "25").windows(), "the last window may be shorter");
    }

    @Test
    void capacityModeStepsFrom50By50() {
        LoadSettings s = of("load.mode", "capacity", "load.capacity.max", "200");
        assertTrue(s.capacity());
        assertEquals(List.of(new Window(0, 50, 20, 0), new Window(1, 100, 20, 20), new Window(2, 150, 20, 40),
                new Window(3, 200, 20, 60)), s.windows());
        assertEquals(500, s.p99LimitMs());
        assertEquals(0.1, s.failLimitPercent(), 1e-9);
        assertTrue(s.toString().startsWith("capacity: 50/s, then +50/s every 20 s up to 200/s, until p99 > 500 ms or > 0.1 % fail"),
                s.toString());
    }

    @Test
    void aBadValueIsNamedWithItsKey() {
        assertEquals("load.rate='fast' is not a number >= 0",
                assertThrows(IllegalArgumentException.class, () -> of("load.rate", "fast")).getMessage());
        assertEquals("load.mode='soak' is not constant or capacity",
                assertThrows(IllegalArgumentException.class, () -> of("load.mode", "soak")).getMessage());
        assertEquals("load.duration='0' must be greater than 0",
                assertThrows(IllegalArgumentException.class, () -> of("load.duration", "0")).getMessage());
        assertEquals("load.capacity.max='50' is below load.capacity.start (100)", assertThrows(IllegalArgumentException.class,
                () -> of("load.mode", "capacity", "load.capacity.start", "100", "load.capacity.max", "50")).getMessage());
    }
}
