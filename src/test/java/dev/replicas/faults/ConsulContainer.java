package dev.replicas.faults;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import dev.replicas.cluster.Cluster;
import dev.replicas.testing.Poll;

/**
 * The cluster's Consul container, remade from what Docker says about it: same name, network alias,
 * published ports, environment, labels and command, but a fresh container, so Consul's state is
 * gone, as after a crash that lost its data.
 */
final class ConsulContainer {

    static final String NAME = Cluster.NAME + "-consul";

    private final List<String> runArguments;

    private ConsulContainer(List<String> runArguments) {
        this.runArguments = runArguments;
    }

    /** Reads how the running Consul container was made. */
    static ConsulContainer inspect() throws Exception {
        JsonNode c = Cluster.JSON.readTree(Cluster.docker("inspect", NAME)).get(0);
        List<String> args = new ArrayList<>(List.of("run", "-d", "--name", NAME));
        String id = c.get("Id").asText();
        for (Iterator<Map.Entry<String, JsonNode>> it = c.get("NetworkSettings").get("Networks").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> network = it.next();
            args.addAll(List.of("--network", network.getKey()));
            for (JsonNode alias : network.getValue().path("Aliases")) {
                if (!id.startsWith(alias.asText())) {
                    args.addAll(List.of("--network-alias", alias.asText()));
                }
            }
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = c.get("HostConfig").get("PortBindings").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> port = it.next();
            for (JsonNode binding : port.getValue()) {
                args.addAll(List.of("-p", binding.get("HostIp").asText() + ":" + binding.get("HostPort").asText() + ":"
                        + port.getKey()));
            }
        }
        for (JsonNode host : c.get("HostConfig").path("ExtraHosts")) {
            args.addAll(List.of("--add-host", host.asText()));
        }
        for (JsonNode env : c.get("Config").path("Env")) {
            args.addAll(List.of("-e", env.asText()));
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = c.get("Config").path("Labels").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> label = it.next();
            args.addAll(List.of("--label", label.getKey() + "=" + label.getValue().asText()));
        }
        args.add(c.get("Config").get("Image").asText());
        for (JsonNode part : c.get("Config").path("Cmd")) {
            args.add(part.asText());
        }
        return new ConsulContainer(args);
    }

    /** Removes the container, state and all. */
    void remove() throws Exception {
        Cluster.docker("rm", "-f", "-v", NAME);
    }

    /**
     * Starts a fresh container made like the inspected one, and waits until the fresh Consul has
     * elected itself leader.
     *
     * @return when that was seen, as {@link System#nanoTime()}
     */
    long startFresh() throws Exception {
        Cluster.docker(runArguments.toArray(String[]::new));
        Poll.until("a Consul leader", Duration.ofSeconds(60), Cluster::consulLeader, leader -> leader.matches("[^\"]+:\\d+"));
        return System.nanoTime();
    }
}
