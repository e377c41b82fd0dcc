package dev.replicas.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.replicas.discovery.ConsulAddress;
import dev.replicas.discovery.Hosts;
import dev.replicas.discovery.RegistrationSettings;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.Config;

/**
 * The service's configuration, read once through MicroProfile Config (so environment variables,
 * system properties and {@code META-INF/microprofile-config.properties} all apply, in that order)
 * and validated. A bad value is logged once, in one line naming the key and the value; a bad
 * registration setting means the replica does not register at all rather than register garbage.
 */
@ApplicationScoped
public class HelloConfig {

    /** The host-facing port that the container publishes; the port registered in Consul. */
    public static final String DOCKER_PORT = "DOCKERPORT";
    /** Liberty's HTTP port variable (environment: HTTP_PORT); the fallback for DOCKERPORT. */
    public static final String HTTP_PORT = "http.port";
    /** The Consul agent's HTTP API: host:port or http(s)://host:port (Consul's own variable). */
    public static final String CONSUL_ADDRESS = "CONSUL_HTTP_ADDR";
    /** ACL token for the Consul agent (Consul's own variable). */
    public static final String CONSUL_TOKEN = "CONSUL_HTTP_TOKEN";
    /** The address Consul's check and Fabio use to reach this replica (the seed's IPADDRESS). */
    public static final String ADVERTISE_ADDRESS = "hello.advertise.address";
    /** Whether to register in Consul at all. */
    public static final String REGISTRATION_ENABLED = "hello.registration.enabled";
    /** How often a registered replica confirms that Consul still has it. */
    public static final String REGISTRATION_REFRESH = "hello.registration.refresh";
    /** The Consul service name. */
    public static final String SERVICE_NAME = "hello.service.name";
    /** The path Fabio routes to this service (tag {@code urlprefix-<path>}). */
    public static final String ROUTE_PREFIX = "hello.route.prefix";
    /** More service tags, comma-separated, e.g. a Fabio route of this replica alone. */
    public static final String SERVICE_TAGS = "hello.service.tags";
    /** Consul duration between HTTP checks. */
    public static final String CHECK_INTERVAL = "hello.check.interval";
    /** Consul duration an HTTP check may take. */
    public static final String CHECK_TIMEOUT = "hello.check.timeout";
    /** Consul duration after which a critical instance is removed from the catalog. */
    public static final String DEREGISTER_AFTER = "hello.check.deregister-after";
    /** Number of random letters in each response's {@code Data}. */
    public static final String PAYLOAD_SIZE = "hello.payload.size";

    /** Used when {@value #PAYLOAD_SIZE} is invalid; the configured default is the same. */
    public static final int DEFAULT_PAYLOAD_SIZE = 200_000;
    /** Upper bound for {@value #PAYLOAD_SIZE}: one response must not exhaust a small heap. */
    public static final int MAX_PAYLOAD_SIZE = 10_000_000;

    private static final Logger LOG = Logger.getLogger(HelloConfig.class.getName());
    private static final Pattern DURATION = Pattern.compile("([1-9][0-9]{0,8})(ms|s|m|h)");

    private final int payloadSize;
    private final boolean registrationEnabled;
    private final Optional<RegistrationSettings> registration;
    private final List<String> problems;

    /**
     * @param config the MicroProfile Config of this application
     */
    @Inject
    public HelloConfig(Config config) {
        this(key -> config.getOptionalValue(key, String.class), HelloConfig::localAddress);
    }

    /**
     * Resolves the configuration from any source of raw values, e.g. a map in a test.
     *
     * @param lookup       raw configuration values by key
     * @param localAddress the default advertised address, asked for only when none is configured
     * @return the validated configuration (problems already logged)
     */
    public static HelloConfig from(Function<String, Optional<String>> lookup, Supplier<String> localAddress) {
        return new HelloConfig(lookup, localAddress);
    }

    private HelloConfig(Function<String, Optional<String>> lookup, Supplier<String> localAddress) {
        List<String> found = new ArrayList<>();
        this.payloadSize = payloadSize(lookup, found);
        found.forEach(problem -> LOG.warning("Bad configuration: " + problem + "; using " + DEFAULT_PAYLOAD_SIZE));
        found.clear();

        this.registrationEnabled = bool(lookup, REGISTRATION_ENABLED, found);
        this.registration = registrationEnabled ? registration(lookup, localAddress, found) : Optional.empty();
        this.problems = List.copyOf(found);
        problems.forEach(problem -> LOG.severe("Bad configuration: " + problem
                + "; this replica will not register in Consul"));
    }

    /** For the CDI client proxy only. */
    protected HelloConfig() {
        this.payloadSize = 0;
        this.registrationEnabled = false;
        this.registration = Optional.empty();
        this.problems = List.of();
    }

    /**
     * @return how many letters each response carries
     */
    public int payloadSize() {
        return payloadSize;
    }

    /**
     * @return whether registration in Consul is switched on
     */
    public boolean registrationEnabled() {
        return registrationEnabled;
    }

    /**
     * @return the registration settings, or empty when registration is off or misconfigured
     */
    public Optional<RegistrationSettings> registration() {
        return registration;
    }

    /**
     * @return what is wrong with the registration settings, one entry per bad key
     */
    public List<String> problems() {
        return problems;
    }

    private static int payloadSize(Function<String, Optional<String>> lookup, List<String> problems) {
        String raw = lookup.apply(PAYLOAD_SIZE).orElse(String.valueOf(DEFAULT_PAYLOAD_SIZE)).trim();
        try {
            int size = Integer.parseInt(raw);
            if (size >= 0 && size <= MAX_PAYLOAD_SIZE) {
                return size;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        problems.add(PAYLOAD_SIZE + "='" + raw + "' is not a number from 0 to " + MAX_PAYLOAD_SIZE);
        return DEFAULT_PAYLOAD_SIZE;
    }

    private static Optional<RegistrationSettings> registration(Function<String, Optional<String>> lookup,
                                                               Supplier<String> localAddress,
                                                               List<String> problems) {
        int before = problems.size();
        int port = lookup.apply(DOCKER_PORT).isPresent()
                ? port(lookup, DOCKER_PORT, problems)
                : port(lookup, HTTP_PORT, problems);

        ConsulAddress consul = null;
        String consulValue = required(lookup, CONSUL_ADDRESS, problems);
        if (consulValue != null) {
            try {
                consul = ConsulAddress.parse(consulValue);
            } catch (IllegalArgumentException e) {
                problems.add(CONSUL_ADDRESS + "='" + consulValue + "' " + e.getMessage());
            }
        }

        String address = lookup.apply(ADVERTISE_ADDRESS).map(String::trim).orElseGet(localAddress);
        if (!Hosts.isValid(address)) {
            problems.add(ADVERTISE_ADDRESS + "='" + address + "' is not a host name or IP address");
        }
        String serviceName = required(lookup, SERVICE_NAME, problems);
        if (serviceName != null && !serviceName.matches("[A-Za-z0-9][A-Za-z0-9-]*")) {
            problems.add(SERVICE_NAME + "='" + serviceName + "' is not a valid service name (letters, digits, '-')");
        }
        String route = required(lookup, ROUTE_PREFIX, problems);
        if (route != null && !route.matches("/[A-Za-z0-9/._~-]*")) {
            problems.add(ROUTE_PREFIX + "='" + route + "' is not a path starting with '/'");
        }
        String interval = duration(lookup, CHECK_INTERVAL, problems);
        String timeout = duration(lookup, CHECK_TIMEOUT, problems);
        String deregisterAfter = duration(lookup, DEREGISTER_AFTER, problems);
        String refresh = duration(lookup, REGISTRATION_REFRESH, problems);

        List<String> tags = new ArrayList<>();
        tags.add("urlprefix-" + route);
        for (String tag : lookup.apply(SERVICE_TAGS).orElse("").split(",")) {
            if (!tag.isBlank()) {
                tags.add(tag.trim());
            }
        }

        if (problems.size() > before) {
            return Optional.empty();
        }
        Optional<String> token = lookup.apply(CONSUL_TOKEN).map(String::trim).filter(t -> !t.isEmpty());
        return Optional.of(new RegistrationSettings(consul, token, serviceName, address, port,
                List.copyOf(tags), interval, timeout, deregisterAfter, toDuration(refresh)));
    }

    private static String required(Function<String, Optional<String>> lookup, String key, List<String> problems) {
        Optional<String> value = lookup.apply(key).map(String::trim).filter(v -> !v.isEmpty());
        if (value.isEmpty()) {
            problems.add(key + " is not set");
            return null;
        }
        return value.get();
    }

    private static int port(Function<String, Optional<String>> lookup, String key, List<String> problems) {
        String raw = required(lookup, key, problems);
        if (raw == null) {
            return 0;
        }
        try {
            int port = Integer.parseInt(raw);
            if (port >= 1 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        problems.add(key + "='" + raw + "' is not a port number (1-65535)");
        return 0;
    }

    private static boolean bool(Function<String, Optional<String>> lookup, String key, List<String> problems) {
        String raw = lookup.apply(key).map(String::trim).orElse("true");
        if (raw.equalsIgnoreCase("true") || raw.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(raw);
        }
        problems.add(key + "='" + raw + "' is not true or false");
        return false;
    }

    private static String duration(Function<String, Optional<String>> lookup, String key, List<String> problems) {
        String raw = required(lookup, key, problems);
        if (raw != null && !DURATION.matcher(raw).matches()) {
            problems.add(key + "='" + raw + "' is not a duration such as 500ms, 10s, 1m or 1h");
            return null;
        }
        return raw;
    }

    private static Duration toDuration(String value) {
        Matcher m = DURATION.matcher(value);
        if (!m.matches()) {
            throw new IllegalArgumentException(value);
        }
        long amount = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            default -> Duration.ofHours(amount);
        };
    }

    private static String localAddress() {
        try {
            return InetAddress.getLocalHost().getHostAddress();
        } catch (UnknownHostException e) {
            return "127.0.0.1";
        }
    }
}
