package dev.replicas.discovery;

import java.net.ConnectException;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

import com.google.common.base.Throwables;
import com.orbitz.consul.AgentClient;
import com.orbitz.consul.Consul;
import com.orbitz.consul.ConsulException;
import com.orbitz.consul.model.agent.ImmutableRegCheck;
import com.orbitz.consul.model.agent.ImmutableRegistration;
import com.orbitz.consul.model.agent.Registration;
import com.orbitz.consul.model.health.Service;
import dev.replicas.config.DurationConverter;
import dev.replicas.config.RegistrationSettings;
import dev.replicas.config.ReplicaConfig;
import dev.replicas.config.ReplicaSettings;
import dev.replicas.hello.ReplicaIdentity;
import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.BeforeDestroyed;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.Startup;
import jakarta.inject.Inject;

/**
 * Registers this replica in Consul when the application starts and deregisters it when it stops
 * (or earlier, when a graceful stop asks, see {@link #deregister}). A bad setting, of any key,
 * means no registration at all: the replica serves but never joins the balancer.
 *
 * <p>Start-up never waits for Consul: attempts run on the container's scheduled executor, and a
 * failed one is retried with exponential backoff (1 s doubling to {@code retry-max}, with jitter so
 * that replicas started together do not retry together). Once registered, the replica confirms every
 * {@code hello.registration.refresh} that the agent still has it and registers again if not, so a
 * restarted Consul agent gets it back. A registration takes over the address and port it
 * announces: an instance of the same service at the same address and port under another ID is a
 * ghost of an earlier process (one that crashed without deregistering) and is removed. Each change
 * of state is logged once, not each attempt.
 *
 * <p>The state is readable at any time without waiting: health checks must answer at once even
 * while a call to a frozen Consul hangs.
 */
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
    private final ReplicaIdentity identity;
    /** Held across each exchange with Consul; never by readers of the state. */
    private final Object lock = new Object();
    private volatile State state = State.PENDING;
    private volatile String lastFailure = "";
    private Duration nextRetry = FIRST_RETRY;
    private Consul consul;
    /** The next attempt; null once stopped. */
    private ScheduledFuture<?> next;

    /**
     * @param config   the checked settings
     * @param identity this replica's identity
     */
    @Inject
    public ConsulRegistrar(ReplicaSettings config, ReplicaIdentity identity) {
        this.config = config;
        this.identity = identity;
    }

    /** For the CDI client proxy only. */
    protected ConsulRegistrar() {
        this(null, null);
    }

    void onStart(@Observes Startup event) {
        synchronized (lock) {
            if (!config.problems().isEmpty()) {
                state = State.MISCONFIGURED;
            } else if (config.registration().isEmpty()) {
                state = State.DISABLED;
                LOG.info("Consul registration is switched off (" + ReplicaConfig.ENABLED + "=false)");
            } else {
                LOG.info("Registering " + describe() + "; the HTTP check is " + config.registration().get().checkUrl());
                schedule(Duration.ZERO);
            }
        }
    }

    void onStop(@Observes @BeforeDestroyed(ApplicationScoped.class) Object event) {
        deregister("the application is stopping");
    }

    /**
     * Removes this replica from Consul now and stops registering it: the first step of a graceful
     * stop, so that the load balancer stops routing here while the server still serves. Safe to
     * call more than once.
     *
     * @param why for the log
     */
    public void deregister(String why) {
        synchronized (lock) {
            if (next != null) {
                next.cancel(false);
                next = null;
            }
            if (consul == null) {
                return;
            }
            if (state == State.REGISTERED || state == State.RETRYING || state == State.REFUSED) {
                try {
                    consul.agentClient().deregister(id());
                    transition(State.DEREGISTERED, "Deregistered " + id() + " from Consul: " + why);
                } catch (RuntimeException e) {
                    LOG.warning("Could not deregister " + id() + " from Consul (" + reason(e) + "); Consul removes it after "
                            + DurationConverter.format(config.registration().get().deregisterAfter()) + " of failing checks");
                }
            }
            consul.destroy();
            consul = null;
        }
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
    static Registration registration(RegistrationSettings s, String id, String uuid) {
        return ImmutableRegistration.builder().id(id).name(s.serviceName()).address(s.address()).port(s.port())
                .tags(s.tags()).meta(Map.of("uuid", uuid))
                .check(ImmutableRegCheck.builder().http(s.checkUrl()).interval(DurationConverter.format(s.checkInterval()))
                        .timeout(DurationConverter.format(s.checkTimeout()))
                        .deregisterCriticalServiceAfter(DurationConverter.format(s.deregisterAfter())).build())
                .build();
    }

    private String id() {
        return "hello-" + identity.uuid();
    }

    private void attempt() {
        synchronized (lock) {
            if (next == null) {
                return; // stopped while this attempt waited for the lock
            }
            RegistrationSettings settings = config.registration().orElseThrow();
            try {
                AgentClient agent = client(settings).agentClient();
                Map<String, Service> services = agent.getServices();
                if (state != State.REGISTERED || !services.containsKey(id())) {
                    if (state == State.REGISTERED) {
                        LOG.warning("Consul no longer has " + id() + " (agent restarted?); registering it again");
                    }
                    removeGhosts(agent, services, settings);
                    agent.register(registration(settings, id(), identity.uuid().toString()));
                    transition(State.REGISTERED, "Registered " + describe());
                }
                nextRetry = FIRST_RETRY;
                lastFailure = "";
                schedule(settings.refresh());
            } catch (RuntimeException e) {
                failed(settings, e);
            }
        }
    }

    private void failed(RegistrationSettings settings, RuntimeException e) {
        int code = e instanceof ConsulException ce ? ce.getCode() : 0;
        boolean refused = code == 401 || code == 403;
        String message = !refused ? reason(e) : "Consul refused it (HTTP " + code + "): " + (settings.token().isPresent()
                ? "the ACL token in " + settings.tokenKey() + " is unknown to Consul or may not register " + settings.serviceName()
                : "no ACL token is set (" + ReplicaConfig.CONSUL_TOKEN + " or " + ReplicaConfig.CONSUL_TOKEN_FILE
                        + ") and this Consul requires one");
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
        // Jitter: 80-120 % of the delay.
        long millis = nextRetry.toMillis();
        schedule(Duration.ofMillis(millis * 4 / 5 + ThreadLocalRandom.current().nextLong(millis * 2 / 5 + 1)));
        Duration doubled = nextRetry.multipliedBy(2);
        nextRetry = doubled.compareTo(settings.retryMax()) > 0 ? settings.retryMax() : doubled;
    }

    /**
     * Removes other instances of this service at this replica's address and port: they are what
     * an earlier process on the same port left behind when it crashed.
     */
    private void removeGhosts(AgentClient agent, Map<String, Service> services, RegistrationSettings settings) {
        for (Service service : services.values()) {
            if (!service.getId().equals(id()) && service.getService().equals(settings.serviceName())
                    && service.getAddress().equals(settings.address()) && service.getPort() == settings.port()) {
                agent.deregister(service.getId());
                LOG.info("Took over " + settings.hostAndPort() + " from " + service.getId()
                        + ", left in Consul by an earlier process on the same port");
            }
        }
    }

    private Consul client(RegistrationSettings settings) {
        if (consul == null) {
            Consul.Builder builder = Consul.builder().withUrl(settings.consul().url()).withPing(false)
                    .withConnectTimeoutMillis(2_000).withReadTimeoutMillis(5_000).withWriteTimeoutMillis(5_000);
            settings.token().ifPresent(builder::withAclToken);
            consul = builder.build();
        }
        return consul;
    }

    private void schedule(Duration delay) {
        next = executor.schedule(this::attempt, delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void transition(State newState, String message) {
        if (state != newState) {
            LOG.info(message);
        }
        state = newState;
    }

    private static String reason(Throwable e) {
        Throwable root = Throwables.getRootCause(e);
        return root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
    }
}
