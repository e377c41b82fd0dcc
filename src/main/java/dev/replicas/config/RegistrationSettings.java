package dev.replicas.config;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import com.google.common.net.HostAndPort;

/**
 * Everything this replica needs to register itself in Consul, already checked.
 *
 * @param consul          the Consul agent's HTTP API
 * @param token           ACL token for the agent, if any
 * @param tokenKey        the setting the token comes from, for messages: CONSUL_HTTP_TOKEN or CONSUL_HTTP_TOKEN_FILE
 * @param serviceName     the Consul service name (the seed's {@code hello-server})
 * @param address         the address Consul's check and Fabio use to reach this replica
 * @param port            the port they use: the container's published host port ({@code DOCKERPORT})
 * @param tags            service tags, Fabio's {@code urlprefix-} route among them
 * @param checkInterval   between health checks
 * @param checkTimeout    how long a check may take
 * @param deregisterAfter after how long critical an instance leaves the catalog
 * @param refresh         how often a registered replica confirms Consul still has it
 * @param retryMax        the longest wait between two attempts while Consul cannot be reached
 */
public record RegistrationSettings(ConsulAddress consul, Optional<String> token, String tokenKey, String serviceName,
                                   String address, int port, List<String> tags, Duration checkInterval,
                                   Duration checkTimeout, Duration deregisterAfter, Duration refresh, Duration retryMax) {

    /** @return where Consul's check and Fabio reach this replica, e.g. {@code [fd00::5]:8001} */
    public String hostAndPort() {
        return HostAndPort.fromParts(address, port).toString();
    }

    /** @return the URL of the HTTP check: this replica's health endpoint as seen from Consul */
    public String checkUrl() {
        return "http://" + hostAndPort() + "/health";
    }
}
