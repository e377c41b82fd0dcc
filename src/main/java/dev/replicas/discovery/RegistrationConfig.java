package dev.replicas.discovery;

import java.io.IOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.logging.Logger;
import java.util.stream.Collectors;

import com.google.common.net.InetAddresses;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.Config;

/**
 * What this replica registers in Consul, read once through MicroProfile Config (environment
 * variables, system properties, then {@code META-INF/microprofile-config.properties}) and checked.
 * A bad value is logged once, in one line naming the key and the value, and then the replica
 * registers nothing rather than garbage: it still serves.
 */
@ApplicationScoped
public class RegistrationConfig {

    /** The host-facing port that the container publishes; the port registered in Consul. */
    public static final String DOCKER_PORT = "DOCKERPORT";
    /** Liberty's HTTP port variable (environment: HTTP_PORT); the fallback for DOCKERPORT. */
    public static final String HTTP_PORT = "http.port";
    /** The Consul agent's HTTP API: host:port or http(s)://host:port (Consul's own variable). */
    public static final String CONSUL_ADDRESS = "CONSUL_HTTP_ADDR";
    /** ACL token for the Consul agent (Consul's own variable). Never logged. */
    public static final String CONSUL_TOKEN = "CONSUL_HTTP_TOKEN";
    /** A file holding the ACL token, e.g. a Docker secret (Consul's own variable). */
    public static final String CONSUL_TOKEN_FILE = "CONSUL_HTTP_TOKEN_FILE";
    /** The address Consul's check and Fabio use to reach this replica (the seed's IPADDRESS). */
    public static final String ADVERTISE_ADDRESS = "hello.advertise.address";
    /** Advertise this replica's own address in this subnet (a Swarm stack's overlay network). */
    public static final String ADVERTISE_SUBNET = "hello.advertise.subnet";
    /** Whether to register in Consul at all. */
    public static final String ENABLED = "hello.registration.enabled";
    /** How often a registered replica confirms that Consul still has it. */
    public static final String REFRESH = "hello.registration.refresh";
    /** The longest wait between two attempts while Consul cannot be reached. */
    public static final String RETRY_MAX = "hello.registration.retry-max";
    /** The Consul service name. */
    public static final String SERVICE_NAME = "hello.service.name";
    /** The path Fabio routes to this service (tag {@code urlprefix-<path>}). */
    public static final String ROUTE_PREFIX = "hello.route.prefix";
    /** More service tags, comma-separated, e.g. a Fabio route of this replica alone. */
    public static final String SERVICE_TAGS = "hello.service.tags";
    /** Time between HTTP checks. */
    public static final String CHECK_INTERVAL = "hello.check.interval";
    /** Time an HTTP check may take. */
    public static final String CHECK_TIMEOUT = "hello.check.timeout";
    /** Time after which a critical instance is removed from the catalog. */
    public static final String DEREGISTER_AFTER = "hello.check.deregister-after";

    private static final Logger LOG = Logger.getLogger(RegistrationConfig.class.getName());
    private static final String PORT_RANGE = "is not a port number (1-65535)";
    private static final String DURATION = "is not a duration such as 500ms, 10s, 1m or 1h";

    private final boolean enabled;
    private final Optional<RegistrationSettings> settings;
    private final List<String> problems;
    private final String tokenKey;

    /**
     * @param config the application's MicroProfile Config
     */
    @Inject
    public RegistrationConfig(Config config) {
        this(config, RegistrationConfig::localAddress, RegistrationConfig::interfaceAddresses);
    }

    /**
     * @param config       the configuration to read
     * @param localAddress the default advertised address, asked for only when none is configured
     */
    RegistrationConfig(Config config, Supplier<String> localAddress) {
        this(config, localAddress, List::of);
    }

    /**
     * @param config       the configuration to read
     * @param localAddress the default advertised address, asked for only when none is configured
     * @param interfaces   this host's addresses, asked for only when a subnet is configured
     */
    RegistrationConfig(Config config, Supplier<String> localAddress, Supplier<List<InetAddress>> interfaces) {
        ConfigReader reader = new ConfigReader(config);
        // MicroProfile Config's boolean converter reads every unknown word as false: a typo would
        // switch registration off silently, so only true and false are accepted here.
        String enabledText = reader.raw(ENABLED).isEmpty() ? "true" : reader.raw(ENABLED);
        if (!enabledText.equalsIgnoreCase("true") && !enabledText.equalsIgnoreCase("false")) {
            reader.reject(ENABLED, "is not true or false");
        }
        this.enabled = enabledText.equalsIgnoreCase("true");
        this.settings = enabled ? read(reader, localAddress, interfaces) : Optional.empty();
        this.problems = reader.problems();
        this.tokenKey = reader.raw(CONSUL_TOKEN_FILE).isEmpty() ? CONSUL_TOKEN : CONSUL_TOKEN_FILE;
        problems.forEach(problem -> LOG.severe("Bad configuration: " + problem + "; this replica will not register in Consul"));
    }

    /** For the CDI client proxy only. */
    protected RegistrationConfig() {
        this.enabled = false;
        this.settings = Optional.empty();
        this.problems = List.of();
        this.tokenKey = CONSUL_TOKEN;
    }

    /**
     * @return whether registration is switched on
     */
    public boolean enabled() {
        return enabled;
    }

    /**
     * @return the registration, or empty when it is switched off or misconfigured
     */
    public Optional<RegistrationSettings> settings() {
        return settings;
    }

    /**
     * @return the setting the ACL token comes from: {@value #CONSUL_TOKEN} or {@value #CONSUL_TOKEN_FILE}
     */
    public String tokenKey() {
        return tokenKey;
    }

    /**
     * @return what is wrong with the settings, one entry per bad key
     */
    public List<String> problems() {
        return problems;
    }

    private static Optional<RegistrationSettings> read(ConfigReader reader, Supplier<String> localAddress,
                                                       Supplier<List<InetAddress>> interfaces) {
        String portKey = reader.raw(DOCKER_PORT).isEmpty() ? HTTP_PORT : DOCKER_PORT;
        Optional<Integer> port = reader.required(portKey, Integer.class, PORT_RANGE);
        if (port.isPresent() && (port.get() < 1 || port.get() > 65535)) {
            reader.reject(portKey, PORT_RANGE);
        }
        Optional<ConsulAddress> consul = reader.required(CONSUL_ADDRESS, ConsulAddress.class,
                "is not host:port or http(s)://host:port");
        String address = advertisedAddress(reader, localAddress, interfaces);
        Optional<String> serviceName = reader.required(SERVICE_NAME, String.class, "is not a service name");
        if (serviceName.isPresent() && !serviceName.get().matches("[A-Za-z0-9][A-Za-z0-9-]*")) {
            reader.reject(SERVICE_NAME, "is not a valid service name (letters, digits, '-')");
        }
        Optional<String> route = reader.required(ROUTE_PREFIX, String.class, "is not a path");
        if (route.isPresent() && !route.get().matches("/[A-Za-z0-9/._~-]*")) {
            reader.reject(ROUTE_PREFIX, "is not a path starting with '/'");
        }
        Optional<ConsulDuration> interval = reader.required(CHECK_INTERVAL, ConsulDuration.class, DURATION);
        Optional<ConsulDuration> timeout = reader.required(CHECK_TIMEOUT, ConsulDuration.class, DURATION);
        Optional<ConsulDuration> deregisterAfter = reader.required(DEREGISTER_AFTER, ConsulDuration.class, DURATION);
        Optional<ConsulDuration> refresh = reader.required(REFRESH, ConsulDuration.class, DURATION);
        Optional<ConsulDuration> retryMax = reader.required(RETRY_MAX, ConsulDuration.class, DURATION);
        Optional<String> token = token(reader);
        if (!reader.problems().isEmpty()) {
            return Optional.empty();
        }
        List<String> tags = new ArrayList<>();
        tags.add("urlprefix-" + route.get());
        for (String tag : reader.raw(SERVICE_TAGS).split(",")) {
            if (!tag.isBlank()) {
                tags.add(tag.trim());
            }
        }
        return Optional.of(new RegistrationSettings(consul.get(), token, serviceName.get().trim(), address, port.get(),
                List.copyOf(tags), interval.get(), timeout.get(), deregisterAfter.get(), refresh.get(), retryMax.get()));
    }

    /**
     * The configured address; else this host's address in the configured subnet; else this host's
     * address. Empty (with a problem recorded) when none fits.
     */
    private static String advertisedAddress(ConfigReader reader, Supplier<String> localAddress,
                                            Supplier<List<InetAddress>> interfaces) {
        String configured = reader.raw(ADVERTISE_ADDRESS);
        if (!reader.raw(ADVERTISE_SUBNET).isEmpty()) {
            if (!configured.isEmpty()) {
                reader.reject(ADVERTISE_SUBNET, "is set together with " + ADVERTISE_ADDRESS + "; set one of them");
                return "";
            }
            Optional<Subnet> subnet = reader.optional(ADVERTISE_SUBNET, Subnet.class, "is not a subnet such as 10.42.0.0/24");
            if (subnet.isEmpty()) {
                return "";
            }
            List<InetAddress> addresses = interfaces.get();
            Optional<InetAddress> picked = subnet.get().pick(addresses);
            if (picked.isEmpty()) {
                reader.reject(ADVERTISE_SUBNET, "matches no address of this replica (it has "
                        + (addresses.isEmpty() ? "none" : addresses.stream().map(InetAddresses::toAddrString)
                                .collect(Collectors.joining(", "))) + ")");
                return "";
            }
            return InetAddresses.toAddrString(picked.get());
        }
        String address = configured.isEmpty() ? localAddress.get() : configured;
        if (!Hosts.isValid(address)) {
            reader.reject(ADVERTISE_ADDRESS, "is not a host name or IP address");
        }
        return address;
    }

    /** The token from CONSUL_HTTP_TOKEN, or from the file CONSUL_HTTP_TOKEN_FILE names (a Docker secret). */
    private static Optional<String> token(ConfigReader reader) {
        String file = reader.raw(CONSUL_TOKEN_FILE);
        if (file.isEmpty()) {
            return Optional.of(reader.raw(CONSUL_TOKEN)).filter(t -> !t.isEmpty());
        }
        if (!reader.raw(CONSUL_TOKEN).isEmpty()) {
            reader.reject(CONSUL_TOKEN_FILE, "is set together with " + CONSUL_TOKEN + "; set one of them");
            return Optional.empty();
        }
        try {
            String token = Files.readString(Path.of(file), StandardCharsets.UTF_8).trim();
            if (token.isEmpty()) {
                reader.reject(CONSUL_TOKEN_FILE, "names an empty file");
            }
            return Optional.of(token).filter(t -> !t.isEmpty());
        } catch (IOException | InvalidPathException e) {
            reader.reject(CONSUL_TOKEN_FILE, "cannot be read (" + e.getClass().getSimpleName() + ")");
            return Optional.empty();
        }
    }

    /** This host's addresses on the interfaces that are up, loopback left out. */
    private static List<InetAddress> interfaceAddresses() {
        try {
            return NetworkInterface.networkInterfaces()
                    .filter(RegistrationConfig::usable)
                    .flatMap(NetworkInterface::inetAddresses)
                    .toList();
        } catch (SocketException e) {
            return List.of();
        }
    }

    private static boolean usable(NetworkInterface nic) {
        try {
            return nic.isUp() && !nic.isLoopback();
        } catch (SocketException e) {
            return false;
        }
    }

    private static String localAddress() {
        try {
            return InetAddress.getLocalHost().getHostAddress();
        } catch (UnknownHostException e) {
            return "127.0.0.1";
        }
    }
}
