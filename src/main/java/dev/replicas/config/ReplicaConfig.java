package dev.replicas.config;

import java.io.IOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.ResourceBundle;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.logging.Logger;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

import com.google.common.base.Throwables;
import com.google.common.net.InetAddresses;
import dev.replicas.config.ReplicaSettings.ConsulTls;
import dev.replicas.config.ReplicaSettings.Registration;
import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.Config;

/** Reads every setting once; a bad value is one log line, the shipped default in its place, and no registration in Consul. */
@Dependent
public class ReplicaConfig {

    private static final String ENABLED = "hello.registration.enabled";
    /** The ACL token (Consul's own variable), never logged, or a file holding it, e.g. a Docker secret. */
    private static final String CONSUL_TOKEN = "CONSUL_HTTP_TOKEN";
    private static final String CONSUL_TOKEN_FILE = "CONSUL_HTTP_TOKEN_FILE";
    private static final String CONSUL_CA = "CONSUL_CACERT";
    private static final Logger LOG = Logger.getLogger(ReplicaConfig.class.getName());
    /** The most letters of Data per answer: one response must not exhaust a small heap's buffers. */
    private static final int MAX_PAYLOAD = 10_000_000;
    private static final String PORT = "is not a port number (1-65535)";
    private static final String COUNT = "is not a whole number, 0 or more";
    private static final String DURATION = "is not a duration such as 500ms, 10s, 1m or 1h";
    private static final String SUBNET = "hello.advertise.subnet";
    private static final String ADDRESS = "hello.advertise.address";

    private final Config config;
    private final Supplier<String> localAddress;
    private final Supplier<List<InetAddress>> interfaces;
    private final List<String> problems = new ArrayList<>();

    private ReplicaConfig(Config config, Supplier<String> localAddress, Supplier<List<InetAddress>> interfaces) {
        this.config = config;
        this.localAddress = localAddress;
        this.interfaces = interfaces;
    }

    /** For CDI, which produces the settings through {@link #read()}. */
    @Inject
    ReplicaConfig(Config config) {
        this(config, ReplicaConfig::localAddress, ReplicaConfig::interfaceAddresses);
    }

    /** Reads the settings, logging what is bad; asks this host's address and its interfaces' only when needed. */
    public static ReplicaSettings read(Config config, Supplier<String> localAddress, Supplier<List<InetAddress>> interfaces) {
        return new ReplicaConfig(config, localAddress, interfaces).read();
    }

    /** The settings, read once (and bad values logged once) for every bean that needs them. */
    @Produces
    @Singleton
    ReplicaSettings read() {
        Optional<Integer> port = read("http.port", Integer.class, PORT, p -> p >= 1 && p <= 65535);
        int payload = shippedIfBad("hello.payload.size", Integer.class, "is not a number from 0 to " + MAX_PAYLOAD,
                n -> n >= 0 && n <= MAX_PAYLOAD);
        int warmUp = shippedIfBad("hello.warmup.requests", Integer.class, COUNT, n -> n >= 0);
        int warmUpSeconds = shippedIfBad("hello.warmup.seconds", Integer.class, COUNT, n -> n >= 0);
        Duration quiet = shippedIfBad("hello.drain.quiet", Duration.class, DURATION, d -> true);
        Duration max = shippedIfBad("hello.drain.max", Duration.class, DURATION, d -> true);
        // MicroProfile Config reads any word but true, 1, yes, y, on as false: a typo must not switch registration off.
        boolean enabled = raw(ENABLED).isEmpty() || raw(ENABLED).equalsIgnoreCase("true");
        if (!enabled && !raw(ENABLED).equalsIgnoreCase("false")) {
            problem(ENABLED, "is not true or false");
        }
        Optional<Registration> registration = enabled ? registration(port) : Optional.empty();
        problems.forEach(problem -> LOG.severe("Bad configuration: " + problem + "; this replica will not register in Consul"));
        return new ReplicaSettings(UUID.randomUUID(), port.orElse(0), payload, warmUp, Duration.ofSeconds(warmUpSeconds),
                quiet, max, registration, List.copyOf(problems));
    }

    /** Reads what registration needs; empty if anything read so far is bad. */
    private Optional<Registration> registration(Optional<Integer> httpPort) {
        Optional<Integer> port = raw("DOCKERPORT").isEmpty() ? httpPort
                : read("DOCKERPORT", Integer.class, PORT, p -> p >= 1 && p <= 65535);
        Optional<ConsulAddress> consul = read("CONSUL_HTTP_ADDR", ConsulAddress.class, "is not host:port", a -> true);
        String address = advertisedAddress();
        Optional<String> name = read("hello.service.name", String.class,
                "is not a valid service name (letters, digits, '-')", s -> s.matches("[A-Za-z0-9][A-Za-z0-9-]*"));
        Optional<String> route = read("hello.route.prefix", String.class, "is not a path starting with '/'",
                s -> s.matches("/[A-Za-z0-9/._~-]*"));
        List<Optional<Duration>> durations = Stream.of("hello.check.interval", "hello.check.timeout",
                        "hello.check.deregister-after", "hello.registration.refresh", "hello.registration.retry-max")
                .map(key -> read(key, Duration.class, DURATION, d -> true)).toList();
        Optional<String> token = token();
        Optional<ConsulTls> consulCa = consulCa();
        if (!problems.isEmpty()) {
            return Optional.empty();
        }
        List<String> tags = new ArrayList<>(List.of("urlprefix-" + route.get()));
        config.getOptionalValues("hello.service.tags", String.class).orElse(List.of()).stream()
                .map(String::trim).filter(tag -> !tag.isEmpty()).forEach(tags::add);
        String tokenKey = raw(CONSUL_TOKEN_FILE).isEmpty() ? CONSUL_TOKEN : CONSUL_TOKEN_FILE;
        return Optional.of(new Registration(consul.get(), token, tokenKey, consulCa, name.get(), address, port.get(),
                List.copyOf(tags), durations.get(0).get(), durations.get(1).get(), durations.get(2).get(),
                durations.get(3).get(), durations.get(4).get()));
    }

    /** A setting, converted and checked (not {@code @ConfigProperty}: a bad value fails the deployment); empty if bad. */
    private <T> Optional<T> read(String key, Class<T> type, String expectation, Predicate<T> valid) {
        if (raw(key).isEmpty()) {
            problems.add(key + " is not set");
            return Optional.empty();
        }
        try {
            Optional<T> value = config.getOptionalValue(key, type).filter(valid);
            if (value.isEmpty()) {
                problem(key, expectation);
            }
            return value;
        } catch (IllegalArgumentException e) {
            // Our converters say what is wrong; others' messages name the implementation.
            problem(key, Throwables.getCausalChain(e).stream().filter(BadValueException.class::isInstance)
                    .map(Throwable::getMessage).findFirst().orElse(expectation));
            return Optional.empty();
        }
    }

    /** A setting with a shipped default, which stands in for a bad value so that the replica serves as shipped. */
    private <T> T shippedIfBad(String key, Class<T> type, String expectation, Predicate<T> valid) {
        return read(key, type, expectation, valid).orElseGet(() -> config.getConverter(type).orElseThrow()
                .convert(ResourceBundle.getBundle("META-INF/microprofile-config").getString(key)));
    }

    private void problem(String key, String what) {
        problems.add(key + "='" + raw(key) + "' " + what);
    }

    private String raw(String key) {
        String value = config.getConfigValue(key).getRawValue();
        return value == null ? "" : value.trim();
    }

    /** The configured address; else this host's address in the configured subnet; else this host's address. */
    private String advertisedAddress() {
        if (!raw(SUBNET).isEmpty() && !raw(ADDRESS).isEmpty()) {
            problem(SUBNET, "is set together with " + ADDRESS + "; set one of them");
            return "";
        } else if (!raw(SUBNET).isEmpty()) {
            Optional<Subnet> subnet = read(SUBNET, Subnet.class, "is not a subnet such as 10.42.0.0/24", s -> true);
            List<InetAddress> addresses = subnet.isPresent() ? interfaces.get() : List.of();
            Optional<InetAddress> picked = subnet.flatMap(s -> s.pick(addresses));
            if (subnet.isPresent() && picked.isEmpty()) {
                problem(SUBNET, "matches no address of this replica (it has " + (addresses.isEmpty() ? "none"
                        : String.join(", ", addresses.stream().map(InetAddresses::toAddrString).toList())) + ")");
            }
            return picked.map(InetAddresses::toAddrString).orElse("");
        }
        String address = raw(ADDRESS).isEmpty() ? localAddress.get() : raw(ADDRESS);
        if (!ConsulAddress.isHost(address)) {
            problems.add(ADDRESS + "='" + address + "' is not a host name or IP address");
        }
        return address;
    }

    private Optional<String> token() {
        if (raw(CONSUL_TOKEN_FILE).isEmpty()) {
            return Optional.of(raw(CONSUL_TOKEN)).filter(t -> !t.isEmpty());
        } else if (!raw(CONSUL_TOKEN).isEmpty()) {
            problem(CONSUL_TOKEN_FILE, "is set together with " + CONSUL_TOKEN + "; set one of them");
            return Optional.empty();
        }
        try {
            String token = Files.readString(Path.of(raw(CONSUL_TOKEN_FILE))).trim();
            if (token.isEmpty()) {
                problem(CONSUL_TOKEN_FILE, "names an empty file");
            }
            return Optional.of(token).filter(t -> !t.isEmpty());
        } catch (IOException | InvalidPathException e) {
            problem(CONSUL_TOKEN_FILE, "cannot be read (" + e.getClass().getSimpleName() + ")");
            return Optional.empty();
        }
    }

    /** The CAs in the file CONSUL_CACERT names (Consul's variable), which Consul's HTTPS must chain to; empty when unset. */
    private Optional<ConsulTls> consulCa() {
        if (raw(CONSUL_CA).isEmpty()) {
            return Optional.empty();
        }
        try (var in = Files.newInputStream(Path.of(raw(CONSUL_CA)))) {
            KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
            trusted.load(null, null);
            for (var ca : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                trusted.setCertificateEntry("ca-" + trusted.size(), ca);
            }
            if (trusted.size() == 0) {
                problem(CONSUL_CA, "names a file without a PEM certificate");
                return Optional.empty();
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trusted);
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(null, trust.getTrustManagers(), null);
            return Optional.of(new ConsulTls(tls, (X509TrustManager) trust.getTrustManagers()[0]));
        } catch (IOException | GeneralSecurityException | InvalidPathException e) {
            problem(CONSUL_CA, "cannot be read as PEM certificates (" + e.getClass().getSimpleName() + ")");
            return Optional.empty();
        }
    }

    /** This host's addresses but loopback's: those of an interface that is down cannot be its subnet's either. */
    private static List<InetAddress> interfaceAddresses() {
        try {
            return NetworkInterface.networkInterfaces().flatMap(NetworkInterface::inetAddresses)
                    .filter(address -> !address.isLoopbackAddress()).toList();
        } catch (SocketException e) {
            return List.of();
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
