package dev.replicas.discovery;

import java.net.ConnectException;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

import com.orbitz.consul.AgentClient;
import com.orbitz.consul.Consul;
import com.orbitz.consul.ConsulException;
import com.orbitz.consul.model.health.Service;
import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.BeforeDestroyed;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.Startup;
import jakarta.inject.Inject;

/**
 * Registers this replica in Consul when the application starts and deregisters it when it stops
 * (or earlier, when a graceful stop asks, see {@link #deregister}).
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

    static final Duration FIRST_RETRY = Duration.ofSeconds(1);

    private static final Logger LOG = Logger.getLogger(ConsulRegistrar.class.getName());

    @Resource(lookup = "java:comp/DefaultManagedScheduledExecutorService")
    private ScheduledExecutorService executor;

    private final RegistrationConfig config;
    private final UUID replica;

    /** Held across each exchange with Consul; never by readers of the state. */
    private final Object lock = new Object();
    private volatile RegistrationState state = RegistrationState.PENDING;
    private volatile String lastFailure;
    private Duration nextRetry = FIRST_RETRY;
    private boolean stopping;
    private boolean registeredOnce;
    /** Whether Consul may hold our registration: then stopping must deregister. */
    private boolean maybeRegistered;
    private Consul consul;
    private ScheduledFuture<?> next;

    /**
     * @param config   the checked registration settings
     * @param identity this replica's identity
     */
    @Inject
    public ConsulRegistrar(RegistrationConfig config, ReplicaIdentity identity) {
        this.config = config;
        this.replica = identity.uuid();
    }

    /**
     * Outside a container, e.g. in tests: the same registrar on a given scheduler.
     */
    ConsulRegistrar(RegistrationConfig config, ReplicaIdentity identity, ScheduledExecutorService scheduler) {
        this(config, identity);
        this.executor = scheduler;
    }

    /** For the CDI client proxy only. */
    protected ConsulRegistrar() {
        this.config = null;
        this.replica = null;
    }

    void onStart(@Observes Startup event) {
        synchronized (lock) {
            if (!config.enabled()) {
                state = RegistrationState.DISABLED;
                LOG.info("Consul registration is switched off (" + RegistrationConfig.ENABLED + "=false)");
            } else if (config.settings().isEmpty()) {
                state = RegistrationState.MISCONFIGURED;
            } else {
                RegistrationSettings settings = config.settings().get();
                LOG.info("Registering " + describe(settings) + "; the HTTP check is " + settings.checkUrl());
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
            stopping = true;
            if (next != null) {
                next.cancel(false);
            }
            if (consul == null) {
                return;
            }
            if (maybeRegistered) {
                String id = RegistrationSettings.serviceId(replica);
                try {
                    consul.agentClient().deregister(id);
                    maybeRegistered = false;
                    transition(RegistrationState.DEREGISTERED, "Deregistered " + id + " from Consul: " + why);
                } catch (RuntimeException e) {
                    LOG.warning("Could not deregister " + id + " from Consul (" + reason(e)
                            + "); Consul removes it after " + config.settings().get().deregisterAfter()
                            + " of failing checks");
                }
            }
            consul.destroy();
            consul = null;
        }
    }

    /**
     * @return the current state of the registration
     */
    public RegistrationState state() {
        return state;
    }

    /**
     * @return why the last attempt failed, or empty while none has
     */
    public String lastFailure() {
        String failure = lastFailure;
        return failure == null ? "" : failure;
    }

    /**
     * @return a one-line description of what is (to be) registered, or why nothing is
     */
    public String describe() {
        if (!config.enabled()) {
            return "off";
        }
        return config.settings().map(this::describe).orElseGet(() -> String.join("; ", config.problems()));
    }

    private String describe(RegistrationSettings s) {
        return RegistrationSettings.serviceId(replica) + " as " + s.serviceName() + " at "
                + Hosts.forUrl(s.address()) + ":" + s.port() + " in Consul at " + s.consul().url();
    }

    private void attempt() {
        synchronized (lock) {
            if (stopping) {
                return;
            }
            RegistrationSettings settings = config.settings().orElseThrow();
            String id = RegistrationSettings.serviceId(replica);
            try {
                AgentClient agent = client(settings).agentClient();
                Map<String, Service> services = agent.getServices();
                if (state != RegistrationState.REGISTERED || !services.containsKey(id)) {
                    if (state == RegistrationState.REGISTERED) {
                        LOG.warning("Consul no longer has " + id + " (agent restarted?); registering it again");
                    }
                    removeGhosts(agent, services, settings, id);
                    maybeRegistered = true;
                    agent.register(settings.toRegistration(replica));
                    registeredOnce = true;
                    transition(RegistrationState.REGISTERED, "Registered " + describe(settings));
                }
                nextRetry = FIRST_RETRY;
                lastFailure = null;
                schedule(settings.refresh().value());
            } catch (RuntimeException e) {
                if (!registeredOnce && rootCause(e) instanceof ConnectException) {
                    maybeRegistered = false;
                }
                int code = e instanceof ConsulException ce ? ce.getCode() : 0;
                boolean refused = code == 401 || code == 403;
                String why = refused
                        ? "Consul refused it (HTTP " + code + "): " + (settings.token().isPresent()
                                ? "the ACL token in " + config.tokenKey() + " is unknown to Consul or may not"
                                        + " register " + settings.serviceName()
                                : "no ACL token is set (" + RegistrationConfig.CONSUL_TOKEN + " or "
                                        + RegistrationConfig.CONSUL_TOKEN_FILE + ") and this Consul requires one")
                        : reason(e);
                why = redact(why, settings);
                RegistrationState newState = refused ? RegistrationState.REFUSED : RegistrationState.RETRYING;
                if (state != newState || !why.equals(lastFailure)) {
                    LOG.warning("Cannot register " + id + " in Consul at " + settings.consul().url() + ": " + why
                            + "; retrying with backoff up to " + settings.retryMax());
                    LOG.log(Level.FINE, "Consul registration failure", e);
                }
                state = newState;
                lastFailure = why;
                schedule(jitter(nextRetry));
                Duration doubled = nextRetry.multipliedBy(2);
                nextRetry = doubled.compareTo(settings.retryMax().value()) > 0 ? settings.retryMax().value() : doubled;
            }
        }
    }

    /**
     * Removes other instances of this service at this replica's address and port: they are what
     * an earlier process on the same port left behind when it crashed.
     */
    private void removeGhosts(AgentClient agent, Map<String, Service> services, RegistrationSettings settings, String id) {
        for (Service service : services.values()) {
            if (!service.getId().equals(id) && service.getService().equals(settings.serviceName())
                    && service.getAddress().equals(settings.address()) && service.getPort() == settings.port()) {
                agent.deregister(service.getId());
                LOG.info("Took over " + Hosts.forUrl(settings.address()) + ":" + settings.port() + " from "
                        + service.getId() + ", left in Consul by an earlier process on the same port");
            }
        }
    }

    private Consul client(RegistrationSettings settings) {
        if (consul == null) {
            Consul.Builder builder = Consul.builder()
                    .withUrl(settings.consul().url())
                    .withPing(false)
                    .withConnectTimeoutMillis(2_000)
                    .withReadTimeoutMillis(5_000)
                    .withWriteTimeoutMillis(5_000);
            settings.token().ifPresent(builder::withAclToken);
            consul = builder.build();
        }
        return consul;
    }

    private void schedule(Duration delay) {
        next = executor.schedule(this::attempt, delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void transition(RegistrationState newState, String message) {
        if (state != newState) {
            LOG.info(message);
        }
        state = newState;
    }

    /** Spreads a delay over 80-120 % of its value. */
    static Duration jitter(Duration delay) {
        long millis = delay.toMillis();
        return Duration.ofMillis(millis * 4 / 5 + ThreadLocalRandom.current().nextLong(millis * 2 / 5 + 1));
    }

    /** The token never appears in a log line or a health check, whatever an exception says. */
    private static String redact(String text, RegistrationSettings settings) {
        return settings.token().filter(token -> !token.isEmpty()).map(token -> text.replace(token, "<token>")).orElse(text);
    }

    private static Throwable rootCause(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root;
    }

    private static String reason(Throwable e) {
        Throwable root = rootCause(e);
        String message = root.getMessage() == null ? "" : ": " + root.getMessage();
        return root.getClass().getSimpleName() + message;
    }
}
