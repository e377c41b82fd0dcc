package dev.replicas.metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The samples of a page in Prometheus' text exposition format (version 0.0.4), as a scrape reads
 * them: enough to sum the series of one metric by their labels. Comments and HELP/TYPE lines are
 * kept apart so a test can check a metric's declared type.
 */
public final class PrometheusText {

    private static final Pattern SAMPLE = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})?\\s+(\\S+)(?:\\s+\\d+)?");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\",?");

    /** One sample: a metric name, its labels and its value. */
    public record Sample(String name, Map<String, String> labels, double value) {
    }

    private final List<Sample> samples;
    private final Map<String, String> types;

    private PrometheusText(List<Sample> samples, Map<String, String> types) {
        this.samples = samples;
        this.types = types;
    }

    /**
     * @param page a whole page as a scrape receives it
     * @return its samples
     * @throws IllegalArgumentException on a line that is neither a comment nor a sample
     */
    public static PrometheusText parse(String page) {
        List<Sample> samples = new ArrayList<>();
        Map<String, String> types = new LinkedHashMap<>();
        for (String line : page.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            if (line.startsWith("#")) {
                String[] words = line.split("\\s+", 4);
                if (words.length == 4 && words[1].equals("TYPE")) {
                    types.put(words[2], words[3].trim());
                }
                continue;
            }
            Matcher sample = SAMPLE.matcher(line.trim());
            if (!sample.matches()) {
                throw new IllegalArgumentException("not a sample: " + line);
            }
            Map<String, String> labels = new LinkedHashMap<>();
            if (sample.group(2) != null) {
                Matcher label = LABEL.matcher(sample.group(2));
                while (label.find()) {
                    labels.put(label.group(1), label.group(2));
                }
            }
            samples.add(new Sample(sample.group(1), labels, Double.parseDouble(sample.group(3))));
        }
        return new PrometheusText(samples, types);
    }

    /**
     * @param name a metric family's name
     * @return its type as the page's TYPE line declares it, or null
     */
    public String type(String name) {
        return types.get(name);
    }

    /**
     * @param name a sample name (e.g. a histogram's {@code _count} series)
     * @return its samples whose labels the filter accepts
     */
    public List<Sample> samples(String name, Predicate<Map<String, String>> labels) {
        return samples.stream().filter(s -> s.name().equals(name) && labels.test(s.labels())).toList();
    }

    /**
     * @param name a sample name
     * @param labels which of its series to add up
     * @return the sum of their values (0 when there are none)
     */
    public double sum(String name, Predicate<Map<String, String>> labels) {
        return samples(name, labels).stream().mapToDouble(Sample::value).sum();
    }

    /**
     * @param name a sample name
     * @return whether the page has a sample of that name
     */
    public boolean has(String name) {
        return samples.stream().anyMatch(s -> s.name().equals(name));
    }
}
