package dev.replicas.load;

import java.util.ArrayList;
import java.util.List;

/**
 * The injection profile as consecutive windows, each at one constant rate of arrivals (each
 * arrival sends one request). A run at a constant rate is cut into windows only to report how the
 * figures change over time (warm-up); a capacity run steps the rate up from window to window.
 *
 * <p>Each window injects exactly {@link Window#users()} users, so Gatling's user number tells
 * which window a request belongs to, without timing guesses.
 *
 * @param capacity whether the rate steps up (capacity mode) or stays constant
 * @param windows  the windows, in order
 */
public record LoadPlan(boolean capacity, List<Window> windows) {

    /**
     * @param index   0, 1, ...
     * @param rate    arrivals per second
     * @param seconds how long the window lasts
     */
    public record Window(int index, double rate, int seconds) {
        /** @return how many users this window injects */
        public long users() {
            return Math.round(rate * seconds);
        }
    }

    public LoadPlan {
        windows = List.copyOf(windows);
        if (windows.isEmpty()) {
            throw new IllegalArgumentException("a load plan needs at least one window");
        }
    }

    /**
     * @param rate          arrivals per second
     * @param seconds       for how long
     * @param windowSeconds length of the reporting windows (the last one may be shorter)
     */
    public static LoadPlan constant(double rate, int seconds, int windowSeconds) {
        require(rate > 0 && seconds > 0 && windowSeconds > 0, "rate, duration and window must be positive");
        List<Window> windows = new ArrayList<>();
        for (int at = 0; at < seconds; at += windowSeconds) {
            windows.add(new Window(windows.size(), rate, Math.min(windowSeconds, seconds - at)));
        }
        return new LoadPlan(false, windows);
    }

    /**
     * @param start       rate of the first step
     * @param increment   added from one step to the next
     * @param max         no step above this rate
     * @param stepSeconds how long each step lasts
     */
    public static LoadPlan capacity(double start, double increment, double max, int stepSeconds) {
        require(start > 0 && increment > 0 && max >= start && stepSeconds > 0,
                "capacity needs start > 0, step > 0, max >= start and a positive step time");
        List<Window> windows = new ArrayList<>();
        for (double rate = start; rate <= max + 1e-9; rate += increment) {
            windows.add(new Window(windows.size(), rate, stepSeconds));
        }
        return new LoadPlan(true, windows);
    }

    /**
     * @param userNumber Gatling's user id, 1 for the first user injected
     * @return the index of the window that injected this user (the last one if beyond the plan)
     */
    public int windowOf(long userNumber) {
        long seen = 0;
        for (Window w : windows) {
            seen += w.users();
            if (userNumber <= seen) {
                return w.index();
            }
        }
        return windows.size() - 1;
    }

    /** @return seconds from the start of the run to the start of window {@code index} */
    public int startSecond(int index) {
        int at = 0;
        for (int i = 0; i < index; i++) {
            at += windows.get(i).seconds();
        }
        return at;
    }

    /** @return users of all windows */
    public long users() {
        return windows.stream().mapToLong(Window::users).sum();
    }

    /** @return seconds of all windows */
    public int seconds() {
        return startSecond(windows.size());
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}
