package dev.replicas.discovery;

import java.net.ConnectException;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

import com.google.common.base.Throwables;
import com.google.common.collect.Comparators;
import com.orbitz.consul.AgentClient;
import com.orbitz.consul.Consul;
import com.orbitz.consul.ConsulException;
import com.orbitz.consul.model.agent.ImmutableRegCheck;
import com.orbitz.consul.model.agent.ImmutableRegistration;
import com.orbitz.consul.model.health.Service;
import dev.replicas.config.DurationConverter;
import dev.replicas.config.ReplicaSettings;
import dev.replicas.config.ReplicaSettings.Registration;
import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.BeforeDestroyed;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.Startup;
import jakarta.inject.Inject;

/** Keeps this replica registered in Consul from start to stop, never delaying start-up; logs each change of state once. */
@ApplicationScoped
public class ConsulRegistrar {

    /** Where this replica stands with Consul: the one record of it. */
    public enum State {
        /** Registration is switched off by configuration. */ DISABLED,
        /** A setting is bad: nothing is sent to Consul. */ MISCONFIGURED,
        /** Started, first attempt not finished yet. */ PENDING,
        /** No attempt has reached the agent yet, so Consul cannot have this replica; retrying. */ UNREACHABLE,
        /** Consul has this replica. */ REGISTERED,
        /** The last attempt failed, after Consul may have taken the registration; retrying. */ RETRYING,
        /** Consul refused the registration (ACL: no token, or one without the right); retrying. */ REFUSED,
        /** Removed from Consul on the way down. */ DEREGISTERED;

        /** @return the state as health reports it, where unreachable is one more way of retrying */
        public String label() {
            return (this == UNREACHABLE ? RETRYING : this).name().toLowerCase(Locale.ROOT);
        }
    }

    private static final Duration FIRST_RETRY = Duration.ofSeconds(1);
    private static final Logger LOG = Logger.getLogger(ConsulRegistrar.class.getName());

    /** Package-private so that unit tests can give their own. */
    @Resource(lookup = "java:comp/DefaultManagedScheduledExecutorService")
    ScheduledExecutorService executor;

    private final ReplicaSettings config;
    /** Held by an attempt across its exchanges with Consul; never by a deregistration or readers of the state. */
    private final Object lock = new Object();
    private volatile State state = State.PENDING;
    private volatile String lastFailure = "";
    /** Consul's check of this replica has passed at least once: Fabio routes it (or did). */
    private volatile boolean routed;
    private volatile boolean stopped;
    private Duration nextRetry = FIRST_RETRY;
    /** Set while registering, null before and once the application stopped. */
    private volatile Consul consul;
    private volatile ScheduledFuture<?> next;

    /** @param config who this replica is, and the checked settings */
    @Inject
    public ConsulRegistrar(ReplicaSettings config) {
        this.config = config;
    }

    /** For the CDI client proxy only. */
    protected ConsulRegistrar() {
        this(null);
    }

    void onStart(@Observes Startup event) {
        synchronized (lock) {
            if (!config.problems().isEmpty()) {
                state = State.MISCONFIGURED;
            } else if (config.registration().isEmpty()) {
                state = State.DISABLED;
                LOG.info("Consul registration is switched off (hello.registration.enabled=false)");
            } else {
                Registration settings = config.registration().get();
                LOG.info("Registering " + describe() + "; the HTTP check is " + settings.checkUrl());
                Consul.Builder builder = Consul.builder().withUrl(settings.consul().url()).withPing(false)
                        .withConnectTimeoutMillis(2_000).withReadTimeoutMillis(5_000).withWriteTimeoutMillis(5_000);
                // A header: consul-client's withAclToken sends ?token=, which Consul deprecates and access logs keep.
                settings.token().ifPresent(token -> builder.withHeaders(Map.of("X-Consul-Token", token)));
                settings.consulCa().ifPresent(ca -> builder.withSslContext(ca.context()).withTrustManager(ca.trust()));
                consul = builder.build();
                schedule(Duration.ZERO);
            }
        }
    }

    void onStop(@Observes @BeforeDestroyed(ApplicationScoped.class) Object event) {
        deregister("the application is stopping");
        Optional.ofNullable(consul).ifPresent(Consul::destroy);
        consul = null;
    }

    /**
     * Removes this replica from Consul for good; safe to call again. Never waits for an attempt in flight: it deregisters itself.
     *
     * @param why for the log
     * @return whether Consul no longer has this replica: removed, never registered, or registration off
     */
    public boolean deregister(String why) {
        boolean first = !stopped;
        stopped = true;
        Optional.ofNullable(next).ifPresent(pending -> pending.cancel(false));
        Consul client = consul;
        if (client == null || !(state == State.REGISTERED || state == State.RETRYING || state == State.REFUSED)) {
            return true;
        }
        try {
            client.agentClient().deregister(id());
            state = State.DEREGISTERED;
            LOG.info("Deregistered " + id() + " from Consul: " + why);
            return true;
        } catch (RuntimeException e) {
            if (e instanceof ConsulException ce && ce.getCode() == 404) {
                state = State.DEREGISTERED; // gone already: an earlier call that timed out here reached Consul
                return true;
            }
            if (first) {
                LOG.warning("Could not deregister " + id() + " from Consul (" + reason(e) + "); asking again while the drain"
                        + " lasts, else Consul removes it after " + DurationConverter.format(config.registration().get()
                        .deregisterAfter()) + " of failing checks");
            }
            return false;
        }
    }

    /** @return whether Fabio routes this replica, or did: Consul's check of it passed once, or registration is off */
    public boolean isRouted() {
        return routed || config.registration().isEmpty() && config.problems().isEmpty();
    }

    /** @return the current state of the registration */
    public State state() {
        return state;
    }

    /** @return why the last attempt failed, or empty while none has */
    public String lastFailure() {
        return lastFailure;
    }

    /** @return a one-line description of what is (to be) registered, or why nothing is */
    public String describe() {
        return !config.problems().isEmpty() ? String.join("; ", config.problems()) : config.registration()
                .map(s -> id() + " as " + s.serviceName() + " at " + s.hostAndPort() + " in Consul at " + s.consul().url())
                .orElse("off");
    }

    /** The service registration the Consul agent receives: ID {@code hello-<uuid>} as in the seed. */
    static ImmutableRegistration registration(Registration s, String id, String uuid) {
        var check = ImmutableRegCheck.builder().http(s.checkUrl()).interval(DurationConverter.format(s.checkInterval()))
                .timeout(DurationConverter.format(s.checkTimeout()))
                .deregisterCriticalServiceAfter(DurationConverter.format(s.deregisterAfter())).build();
        return ImmutableRegistration.builder().id(id).name(s.serviceName()).address(s.address()).port(s.port())
                .tags(s.tags()).meta(Map.of("uuid", uuid)).check(check).build();
    }

    private String id() {
        return "hello-" + config.uuid();
    }

    private void attempt() {
        synchronized (lock) {
            Consul client = consul;
            if (client == null || stopped) {
                return; // stopped while this attempt waited
            }
            Registration settings = config.registration().orElseThrow();
            try {
                AgentClient agent = client.agentClient();
                Map<String, Service> services = agent.getServices();
                if (state != State.REGISTERED || !services.containsKey(id())) {
                    if (state == State.REGISTERED) {
                        LOG.warning("Consul no longer has " + id() + " (agent restarted?); registering it again");
                    }
                    removeGhosts(agent, services, settings);
                    agent.register(registration(settings, id(), config.uuid().toString()));
                    if (stopped) {
                        agent.deregister(id()); // the stop's own deregistration may have come first
                        return;
                    }
                    if (state != State.REGISTERED) {
                        LOG.info("Registered " + describe());
                    }
                    state = State.REGISTERED;
                }
                if (!routed && agent.getChecks().values().stream().anyMatch(check -> "passing".equals(check.getStatus())
                        && check.getServiceId().filter(id()::equals).isPresent())) {
                    routed = true;
                    LOG.info("Consul's check of " + id() + " passes: Fabio routes it");
                }
                nextRetry = FIRST_RETRY;
                lastFailure = "";
                // Until routed, look again soon: the container's health (and so a rollout) waits for it.
                schedule(routed ? settings.refresh() : Comparators.min(settings.refresh(), FIRST_RETRY));
            } catch (RuntimeException e) {
                failed(settings, e);
            }
        }
    }

    private void failed(Registration settings, RuntimeException e) {
        if (stopped) {
            return; // an attempt that was under way when the stop came: nothing to retry, nothing to say
        }
        int code = e instanceof ConsulException ce ? ce.getCode() : 0;
        boolean refused = code == 401 || code == 403;
        String message = !refused ? reason(e) : "Consul refused it (HTTP " + code + "): " + (settings.token().isPresent()
                ? "the ACL token in " + settings.tokenKey() + " is unknown to Consul or may not register " + settings.serviceName()
                : "no ACL token is set (CONSUL_HTTP_TOKEN or CONSUL_HTTP_TOKEN_FILE) and this Consul requires one");
        // The token never appears in a log line or a health check, whatever an exception says.
        String why = settings.token().map(token -> message.replace(token, "<token>")).orElse(message);
        // Until a request reaches the agent, Consul cannot have this replica: nothing to deregister.
        boolean neverReached = Throwables.getRootCause(e) instanceof ConnectException
                && (state == State.PENDING || state == State.UNREACHABLE);
        State newState = refused ? State.REFUSED : neverReached ? State.UNREACHABLE : State.RETRYING;
        if (state != newState || !why.equals(lastFailure)) {
            LOG.warning("Cannot register " + id() + " in Consul at " + settings.consul().url() + ": " + why
                    + "; retrying with backoff up to " + DurationConverter.format(settings.retryMax()));
            LOG.log(Level.FINE, "Consul registration failure", e);
        }
        state = newState;
        lastFailure = why;
        // Jitter (80-120 % of the delay), so that replicas started together do not retry together.
        long millis = nextRetry.toMillis();
        schedule(Duration.ofMillis(millis * 4 / 5 + ThreadLocalRandom.current().nextLong(millis * 2 / 5 + 1)));
        nextRetry = Comparators.min(nextRetry.multipliedBy(2), settings.retryMax());
    }

    /** Removes other instances of this service at this address and port: left by a crashed earlier process. */
    private void removeGhosts(AgentClient agent, Map<String, Service> services, Registration settings) {
        for (Service service : services.values()) {
            if (!service.getId().equals(id()) && service.getService().equals(settings.serviceName())
                    && service.getAddress().equals(settings.address()) && service.getPort() == settings.port()) {
                agent.deregister(service.getId());
                LOG.info("Took over " + settings.hostAndPort() + " from " + service.getId()
                        + ", left in Consul by an earlier process on the same port");
            }
        }
    }

    private void schedule(Duration delay) {
        if (!stopped) {
            next = executor.schedule(this::attempt, delay.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private static String reason(Throwable e) {
        Throwable root = Throwables.getRootCause(e);
        return root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
    }
}
