package dev.replicas.scaler;

import java.util.Optional;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Service;
import com.github.dockerjava.api.model.ServiceReplicatedModeOptions;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;

/** The Swarm service's replica count through the Docker API of a manager (its socket, docker-java). */
final class SwarmReplicas implements Scaler.Replicas {

    private final DockerClient docker;
    private final String service;

    SwarmReplicas(String dockerHost, String service) {
        var config = DefaultDockerClientConfig.createDefaultConfigBuilder().withDockerHost(dockerHost).build();
        this.docker = DockerClientImpl.getInstance(config, new ZerodepDockerHttpClient.Builder()
                .dockerHost(config.getDockerHost()).build());
        this.service = service;
    }

    @Override
    public int current() {
        return Math.toIntExact(replicated(docker.inspectServiceCmd(service).exec()).getReplicas());
    }

    @Override
    public void scaleTo(int replicas) {
        // As docker service scale: the spec as read, another count, and its version (Swarm refuses a spec changed meanwhile).
        Service s = docker.inspectServiceCmd(service).exec();
        replicated(s).withReplicas(replicas);
        docker.updateServiceCmd(s.getId(), s.getSpec()).withVersion(s.getVersion().getIndex()).exec();
    }

    private ServiceReplicatedModeOptions replicated(Service s) {
        return Optional.ofNullable(s.getSpec().getMode().getReplicated())
                .orElseThrow(() -> new IllegalStateException(service + " is not a replicated service"));
    }
}
