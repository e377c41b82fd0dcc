package dev.replicas.discovery;

import java.net.ConnectException;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

import com.orbitz.consul.AgentClient;
import com.orbitz.consul.Consul;
import com.orbitz.consul.model.agent.Registration;
import dev.replicas.config.HelloConfig;
import dev.replicas.hello.ReplicaIdentity;
import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.BeforeDestroyed;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.Startup;
import jakarta.inject.Inject;

/**
 * Registers this replica in Consul when the application starts and deregisters it when it stops.
 *
 * <p>Start-up never waits for Consul: attempts run on the container's scheduled executor, and a
 * failed one is retried with exponential backoff (1 s doubling to 30 s, with jitter so that
 * replicas started together do not retry together). Once registered, the replica confirms every
 * {@code hello.registration.refresh} that the agent still has it and registers again if not, so a
 * restarted Consul agent gets it back. Each change of state is logged once, not each attempt.
 */
@ApplicationScoped
public class ConsulRegistrar {

    static final Duration FIRST_RETRY = Duration.ofSeconds(1);
    static final Duration MAX_RETRY = Duration.ofSeconds(30);

    private static final Logger LOG = Logger.getLogger(ConsulRegistrar.class.getName());

    @Resource(lookup = "java:comp/DefaultManagedScheduledExecutorService")
    private ScheduledExecutorService executor;

    private final HelloConfig config;
    private final UUID replica;

    private final Object lock = new Object();
    private RegistrationState state = RegistrationState.PENDING;
    private String lastFailure;
    private Duration nextRetry = FIRST_RETRY;
    private boolean stopping;
    private boolean registeredOnce;
    /** Whether Consul may hold our registration: then stopping must deregister. */
    private boolean maybeRegistered;
    private Consul consul;
    private ScheduledFuture<?> next;

    /**
     * @param config   the validated configuration
     * @param identity this replica's identity
     */
    @Inject
    public ConsulRegistrar(HelloConfig config, ReplicaIdentity identity) {
        this.config = config;
        this.replica = identity.uuid();
    }

    /**
     * Outside a container, e.g. in tests: the same registrar on a given scheduler.
     *
     * @param config    the validated configuration
     * @param identity  this replica's identity
     * @param scheduler runs the attempts
     */
    ConsulRegistrar(HelloConfig config, ReplicaIdentity identity, ScheduledExecutorService scheduler) {
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
            if (!config.registrationEnabled()) {
                state = RegistrationState.DISABLED;
                LOG.info("Consul registration is switched off (" + HelloConfig.REGISTRATION_ENABLED + "=false)");
            } else if (config.registration().isEmpty()) {
                state = RegistrationState.MISCONFIGURED;
            } else {
                RegistrationSettings settings = config.registration().get();
                LOG.info("Registering " + describe(settings) + "; the HTTP check is " + settings.checkUrl());
                schedule(Duration.ZERO);
            }
        }
    }

    void onStop(@Observes @BeforeDestroyed(ApplicationScoped.class) Object event) {
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
                    transition(RegistrationState.DEREGISTERED, "Deregistered " + id + " from Consul");
                } catch (RuntimeException e) {
                    LOG.warning("Could not deregister " + id + " from Consul (" + reason(e)
                            + "); Consul removes it after " + config.registration().get().deregisterAfter()
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
        synchronized (lock) {
            return state;
        }
    }

    /**
     * @return a one-line description of what is (to be) registered, or why nothing is
     */
    public String describe() {
        if (!config.registrationEnabled()) {
            return "off";
        }
        return config.registration().map(this::describe).orElseGet(() -> String.join("; ", config.problems()));
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
            RegistrationSettings settings = config.registration().orElseThrow();
            String id = RegistrationSettings.serviceId(replica);
            try {
                AgentClient agent = client(settings).agentClient();
                if (state != RegistrationState.REGISTERED || !agent.getServices().containsKey(id)) {
                    if (state == RegistrationState.REGISTERED) {
                        LOG.warning("Consul no longer has " + id + " (agent restarted?); registering it again");
                    }
                    Registration registration = settings.toRegistration(replica);
                    maybeRegistered = true;
                    agent.register(registration);
                    registeredOnce = true;
                    transition(RegistrationState.REGISTERED, "Registered " + describe(settings));
                }
                nextRetry = FIRST_RETRY;
                lastFailure = null;
                schedule(settings.refresh());
            } catch (RuntimeException e) {
                if (!registeredOnce && rootCause(e) instanceof ConnectException) {
                    maybeRegistered = false;
                }
                String why = reason(e);
                if (state != RegistrationState.RETRYING || !why.equals(lastFailure)) {
                    LOG.warning("Cannot register " + id + " in Consul at " + settings.consul().url() + ": " + why
                            + "; retrying with backoff up to " + MAX_RETRY.toSeconds() + " s");
                    LOG.log(Level.FINE, "Consul registration failure", e);
                }
                state = RegistrationState.RETRYING;
                lastFailure = why;
                schedule(jitter(nextRetry));
                Duration doubled = nextRetry.multipliedBy(2);
                nextRetry = doubled.compareTo(MAX_RETRY) > 0 ? MAX_RETRY : doubled;
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
