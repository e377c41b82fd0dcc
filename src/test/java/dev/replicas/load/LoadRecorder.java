package dev.replicas.load;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Records every request of a run by the window that injected it: when it began, and how it
 * ended (status, response time, the replica that answered, or why it failed). Our own counters,
 * so the report needs nothing of Gatling's output format.
 *
 * <p>Thread-safe: Gatling calls it from its event loops. One lock per window, held for a few map
 * updates.
 */
public final class LoadRecorder {

    /** A request failed: no answer (timeout, connection error). */
    public static final String NO_ANSWER = "no answer (timeout or connection error)";
    /** A request failed: 200 with a body of the wrong length or frame. */
    public static final String BAD_BODY = "HTTP 200 with a wrong body (length or frame)";
    /** A request failed: 200, framed right, but the sampled full check found a violation. */
    public static final String BAD_CONTRACT = "HTTP 200 failing the full contract check";

    /** What happened in one window. */
    static final class Tally {
        long started;
        long ok;
        long failed;
        long sampled;
        final LatencyHistogram all = new LatencyHistogram();
        final LatencyHistogram successful = new LatencyHistogram();
        final Map<String, Long> failures = new TreeMap<>();
        final Map<String, Long> replicas = new TreeMap<>();

        long completed() {
            return ok + failed;
        }
    }

    private final LoadPlan plan;
    private final Tally[] tallies;

    /**
     * @param plan the windows requests are recorded by
     */
    public LoadRecorder(LoadPlan plan) {
        this.plan = plan;
        this.tallies = new Tally[plan.windows().size()];
        for (int i = 0; i < tallies.length; i++) {
            tallies[i] = new Tally();
        }
    }

    /** @return the plan this recorder follows */
    public LoadPlan plan() {
        return plan;
    }

    /**
     * A request is about to be sent.
     *
     * @param userNumber Gatling's user id (1 for the first user)
     * @return the window of the request, to pass to {@link #end}
     */
    public int begin(long userNumber) {
        int window = plan.windowOf(userNumber);
        Tally t = tallies[window];
        synchronized (t) {
            t.started++;
        }
        return window;
    }

    /**
     * A request has ended.
     *
     * @param window         as {@link #begin} returned it
     * @param status         the HTTP status, null when there was no answer
     * @param responseTimeMs Gatling's response time
     * @param uuid           the answering replica, as the cheap check read it; null when that check failed
     * @param failed         whether any check failed
     * @param sampled        whether the full contract was checked on this answer
     */
    public void end(int window, Integer status, long responseTimeMs, String uuid, boolean failed, boolean sampled) {
        Tally t = tallies[window];
        synchronized (t) {
            t.all.record(responseTimeMs);
            if (sampled && status != null && status == 200 && uuid != null) {
                t.sampled++;
            }
            if (!failed) {
                t.ok++;
                t.successful.record(responseTimeMs);
                t.replicas.merge(uuid == null ? "?" : uuid, 1L, Long::sum);
                return;
            }
            t.failed++;
            String cause;
            if (status == null) {
                cause = NO_ANSWER;
            } else if (status != 200) {
                cause = "HTTP " + status;
            } else if (uuid == null) {
                cause = BAD_BODY;
            } else {
                cause = BAD_CONTRACT;
            }
            t.failures.merge(cause, 1L, Long::sum);
        }
    }

    /**
     * How a window stands now, with requests not yet answered counted as slower than any answer.
     *
     * @param window index
     * @param pct    percentile of the response time to compute
     * @return {started, completed, failed, percentile in ms or Long.MAX_VALUE}
     */
    public long[] standing(int window, double pct) {
        Tally t = tallies[window];
        synchronized (t) {
            long outstanding = Math.max(0, t.started - t.completed());
            return new long[] {t.started, t.completed(), t.failed, t.all.percentileWithSlower(pct, outstanding)};
        }
    }

    /**
     * @return one summary per window, copies safe to keep
     */
    public List<LoadResult.Window> windows() {
        List<LoadResult.Window> out = new ArrayList<>();
        for (LoadPlan.Window w : plan.windows()) {
            Tally t = tallies[w.index()];
            synchronized (t) {
                out.add(new LoadResult.Window(w.index(), w.rate(), plan.startSecond(w.index()), w.seconds(), w.users(),
                        t.started, t.ok, t.failed, t.sampled, new TreeMap<>(t.failures), new TreeMap<>(t.replicas),
                        t.all.counts(), t.successful.counts(), null, null, null, null));
            }
        }
        return out;
    }
}
