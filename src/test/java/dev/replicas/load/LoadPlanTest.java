package dev.replicas.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class LoadPlanTest {

    @Test
    void aConstantRunIsCutIntoWindowsWithExactUserCounts() {
        LoadPlan plan = LoadPlan.constant(100, 25, 10);
        assertEquals(List.of(10, 10, 5), plan.windows().stream().map(LoadPlan.Window::seconds).toList());
        assertEquals(2500, plan.users());
        assertEquals(25, plan.seconds());
        assertEquals(0, plan.windowOf(1));
        assertEquals(0, plan.windowOf(1000));
        assertEquals(1, plan.windowOf(1001));
        assertEquals(2, plan.windowOf(2500));
        assertEquals(2, plan.windowOf(9999), "beyond the plan: the last window");
        assertEquals(20, plan.startSecond(2));
    }

    @Test
    void aCapacityRunStepsTheRateUpToTheMaximum() {
        LoadPlan plan = LoadPlan.capacity(50, 50, 200, 20);
        assertTrue(plan.capacity());
        assertEquals(List.of(50.0, 100.0, 150.0, 200.0), plan.windows().stream().map(LoadPlan.Window::rate).toList());
        assertEquals(1000 + 2000 + 3000 + 4000, plan.users());
        assertEquals(1, plan.windowOf(1001));
        assertEquals(3, plan.windowOf(6001));
        assertEquals(80, plan.seconds());
    }

    @Test
    void refusesPlansThatCannotRun() {
        assertThrows(IllegalArgumentException.class, () -> LoadPlan.constant(0, 60, 10));
        assertThrows(IllegalArgumentException.class, () -> LoadPlan.capacity(100, 50, 50, 20));
    }
}
