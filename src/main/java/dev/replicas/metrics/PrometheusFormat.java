package dev.replicas.metrics;

/** The two details of Prometheus' text format that every writer of it needs. */
final class PrometheusFormat {

    private PrometheusFormat() {
    }

    /** Appends a label value with backslash, double quote and line feed escaped. */
    static void escape(String value, StringBuilder out) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '"' -> out.append("\\\"");
                case '\n' -> out.append("\\n");
                default -> out.append(c);
            }
        }
    }

    /** A sample value: integral values without a fraction, the others as Java prints them. */
    static String number(double value) {
        if (value == Math.rint(value) && !Double.isInfinite(value) && Math.abs(value) < 1e15) {
            return Long.toString((long) value);
        }
        return Double.toString(value);
    }
}
