package dev.replicas.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Properties;

import org.junit.jupiter.api.Test;

class LoadSettingsTest {

    @Test
    void theDefaultsAreTheSeedsTest() {
        LoadSettings s = LoadSettings.from(new Properties());
        assertFalse(s.capacity());
        assertEquals(6000, s.plan().users());
        assertEquals(200_000, s.payload());
        assertEquals(50, s.sampleEvery());
    }

    @Test
    void capacityModeStepsFrom50By50() {
        Properties p = new Properties();
        p.setProperty("load.mode", "capacity");
        p.setProperty("load.capacity.max", "200");
        LoadSettings s = LoadSettings.from(p);
        assertTrue(s.capacity());
        assertEquals(4, s.plan().windows().size());
        assertEquals(500, s.p99LimitMs());
        assertEquals(0.1, s.failLimitPercent(), 1e-9);
        assertTrue(s.toString().startsWith("capacity: 50/s, then +50/s every 20 s up to 200/s"), s.toString());
    }

    @Test
    void aBadValueIsNamedWithItsKey() {
        Properties p = new Properties();
        p.setProperty("load.rate", "fast");
        assertEquals("load.rate='fast' is not a number >= 0",
                assertThrows(IllegalArgumentException.class, () -> LoadSettings.from(p)).getMessage());
        Properties q = new Properties();
        q.setProperty("load.mode", "soak");
        assertEquals("load.mode='soak' is not constant or capacity",
                assertThrows(IllegalArgumentException.class, () -> LoadSettings.from(q)).getMessage());
        Properties r = new Properties();
        r.setProperty("load.duration", "0");
        assertEquals("load.duration='0' must be greater than 0",
                assertThrows(IllegalArgumentException.class, () -> LoadSettings.from(r)).getMessage());
    }
}
