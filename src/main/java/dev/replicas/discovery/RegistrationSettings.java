package dev.replicas.discovery;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import com.orbitz.consul.model.agent.ImmutableRegCheck;
import com.orbitz.consul.model.agent.ImmutableRegistration;
import com.orbitz.consul.model.agent.Registration;

/**
 * Everything this replica needs to register itself in Consul, already validated.
 *
 * @param consul          the Consul agent's HTTP API
 * @param token           ACL token for the agent, if any
 * @param serviceName     the Consul service name (the seed's {@code hello-server})
 * @param address         the address Consul's check and Fabio use to reach this replica
 * @param port            the port they use: the container's published host port ({@code DOCKERPORT})
 * @param tags            service tags, Fabio's {@code urlprefix-} route among them
 * @param checkInterval   between health checks, e.g. {@code 10s}
 * @param checkTimeout    how long a check may take, e.g. {@code 30s}
 * @param deregisterAfter after how long critical an instance leaves the catalog
 * @param refresh         how often a registered replica confirms Consul still has it
 * @param retryMax        the longest wait between two attempts while Consul cannot be reached
 */
public record RegistrationSettings(ConsulAddress consul, Optional<String> token, String serviceName,
                                   String address, int port, List<String> tags, ConsulDuration checkInterval,
                                   ConsulDuration checkTimeout, ConsulDuration deregisterAfter,
                                   ConsulDuration refresh, ConsulDuration retryMax) {

    /**
     * @param replica the replica's UUID
     * @return the Consul service ID, {@code hello-<uuid>} as in the seed
     */
    public static String serviceId(UUID replica) {
        return "hello-" + replica;
    }

    /**
     * @return the URL of the HTTP check: this replica's health endpoint as seen from Consul
     */
    public String checkUrl() {
        return "http://" + Hosts.forUrl(address) + ":" + port + "/health";
    }

    /**
     * @param replica the replica's UUID
     * @return the service registration to send to the Consul agent
     */
    public Registration toRegistration(UUID replica) {
        return ImmutableRegistration.builder()
                .id(serviceId(replica))
                .name(serviceName)
                .address(address)
                .port(port)
                .tags(tags)
                .meta(Map.of("uuid", replica.toString()))
                .check(ImmutableRegCheck.builder()
                        .http(checkUrl())
                        .interval(checkInterval.text())
                        .timeout(checkTimeout.text())
                        .deregisterCriticalServiceAfter(deregisterAfter.text())
                        .build())
                .build();
    }
}
