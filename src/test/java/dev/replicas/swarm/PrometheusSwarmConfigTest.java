package dev.replicas.swarm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * Prometheus' configuration in the Swarm stack (cluster-profiles/prometheus-swarm.yml) differs from
 * the Maven profiles' (prometheus.yml) in addresses and Consul's token only: the same jobs (and the
 * scaler's, which only the stack has), the same scrape interval, and the hello job's relabeling line for line (instance = Consul service ID), so
 * that the saved graphs read the same in both.
 */
class PrometheusSwarmConfigTest {

    private static final Path PROFILES = Path.of("cluster-profiles", "prometheus.yml");
    private static final Path SWARM = Path.of("cluster-profiles", "prometheus-swarm.yml");

    /** The file's lines without comments and blank lines. */
    private static List<String> lines(Path file) throws Exception {
        List<String> lines = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            String content = line.replaceFirst("\\s+#.*$", "").replaceFirst("^\\s*#.*$", "");
            if (!content.isBlank()) {
                lines.add(content.stripTrailing());
            }
        }
        return lines;
    }

    private static int indent(String line) {
        return line.length() - line.stripLeading().length();
    }

    /** The lines of the block under the first line that is {@code key} (stripped) after {@code from}. */
    private static List<String> block(List<String> lines, int from, String key) {
        int start = from;
        while (start < lines.size() && !lines.get(start).strip().equals(key)) {
            start++;
        }
        assertTrue(start < lines.size(), "no " + key);
        List<String> block = new ArrayList<>();
        for (int i = start + 1; i < lines.size() && indent(lines.get(i)) > indent(lines.get(start))
                && !lines.get(i).strip().startsWith("- job_name:"); i++) {
            block.add(lines.get(i));
        }
        return block;
    }

    private static List<String> jobs(List<String> lines) {
        return lines.stream().filter(l -> l.strip().startsWith("- job_name:")).map(String::strip).toList();
    }

    private static int job(List<String> lines, String name) {
        int i = lines.stream().map(String::strip).toList().indexOf("- job_name: " + name);
        assertTrue(i >= 0, "no job " + name);
        return i;
    }

    @Test
    void theSameJobsAndTheHelloJobsRelabelingAsTheProfiles() throws Exception {
        List<String> profiles = lines(PROFILES);
        List<String> swarm = lines(SWARM);
        assertEquals(jobs(profiles), jobs(swarm).stream().filter(j -> !j.equals("- job_name: scaler")).toList());
        assertTrue(jobs(swarm).contains("- job_name: scaler"), jobs(swarm).toString());
        assertEquals(block(profiles, 0, "global:"), block(swarm, 0, "global:"), "scrape and evaluation intervals");
        List<String> relabeling = block(swarm, job(swarm, "hello"), "relabel_configs:");
        assertEquals(block(profiles, job(profiles, "hello"), "relabel_configs:"), relabeling);
        assertTrue(relabeling.contains("      - source_labels: [__meta_consul_service_id]"), relabeling.toString());
    }

    @Test
    void consulIsAskedWithTheTokenFromTheSecretAndNoTokenIsInTheFile() throws Exception {
        String swarm = Files.readString(SWARM);
        List<String> sd = block(lines(SWARM), job(lines(SWARM), "hello"), "consul_sd_configs:");
        assertTrue(sd.contains("      - server: host.docker.internal:@HELLO_CONSUL_PORT@"), sd.toString());
        assertTrue(sd.contains("          credentials_file: /run/secrets/consul-prometheus-token"), sd.toString());
        assertTrue(sd.contains("        services: [hello-server]"), sd.toString());
        assertFalse(swarm.matches("(?s).*\\n\\s*token:.*"), "a token in prometheus-swarm.yml");
    }
}
