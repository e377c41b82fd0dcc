package dev.replicas.hello;

import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * Who this replica is: one random UUID, made once per server start. It appears in every
 * response, so a client can see which replica answered, and in the Consul service ID.
 */
@ApplicationScoped
public class ReplicaIdentity {

    private final UUID uuid = UUID.randomUUID();

    /**
     * @return this replica's UUID, the same for the life of the server
     */
    public UUID uuid() {
        return uuid;
    }
}
