package dev.replicas.scaler;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;

/** How many replicas the load wants, as Kubernetes' HPA decides (docs/swarm.md, "The scaler"). */
final class ScalingPolicy {

    record Limits(int min, int max, double targetPerReplica, double tolerance, int maxStepUp, Duration downWindow) {
    }

    /** One evaluation: the service's count, what the load alone wants, what to scale to (current: hold), and why. */
    record Decision(int current, int wanted, int desired, String why) {
        boolean scales() {
            return desired != current;
        }
    }

    private final Limits limits;
    /** Each evaluation's wanted count, {time in ms, count}, over the scale-down window. */
    private final Deque<long[]> recent = new ArrayDeque<>();

    ScalingPolicy(Limits limits) {
        this.limits = limits;
    }

    /** Decides at {@code now} (ms, monotonic) from the service's count and its routed, warm replicas' rate. */
    Decision decide(long now, int current, int counted, double rate) {
        // Replicas' worth of load (none answering: none), against the service's count, not the routed one (that
        // holds replicas still draining); outside the tolerance, the fewest that each stay within it (noise: no flap).
        double load = counted <= 0 ? 0 : rate / limits.targetPerReplica();
        boolean withinTolerance = Math.abs(load / current - 1) <= limits.tolerance();
        int wanted = clamp(withinTolerance ? current : (int) Math.ceil(load / (1 + limits.tolerance())));
        if (recent.isEmpty()) {
            recent.addLast(new long[] {now, current}); // a scaler that starts does not go down before a window has passed
        }
        recent.addLast(new long[] {now, wanted});
        recent.removeIf(r -> r[0] < now - limits.downWindow().toMillis());
        if (wanted > current) {
            int step = Math.max(current * 2, current + limits.maxStepUp());
            int desired = Math.min(wanted, step);
            return new Decision(current, wanted, desired, desired < wanted ? "up, limited to " + step + " this step" : "up");
        }
        // Down only as far as the highest count wanted over the window: a dip does not remove replicas.
        int highest = recent.stream().mapToInt(r -> (int) r[1]).max().orElse(wanted);
        int desired = clamp(Math.min(current, highest));
        String why = desired != current ? "down" : wanted < current ? "hold: wanted " + highest + " within the scale-down window"
                : withinTolerance ? "hold: within tolerance" : "hold";
        return new Decision(current, wanted, desired, why);
    }

    private int clamp(int n) {
        return Math.max(limits.min(), Math.min(limits.max(), n));
    }
}
