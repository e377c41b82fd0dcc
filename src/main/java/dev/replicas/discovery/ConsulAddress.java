package dev.replicas.discovery;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * Where the Consul agent's HTTP API is, parsed from {@code CONSUL_HTTP_ADDR} as Consul's own
 * tools read it: {@code host}, {@code host:port}, or a URL {@code http(s)://host[:port]}.
 * The port defaults to 8500 (Consul's) and the scheme to http.
 *
 * @param scheme http or https
 * @param host   host name or IP address (IPv6 without brackets)
 * @param port   TCP port
 */
public record ConsulAddress(String scheme, String host, int port) {

    /** Consul's default HTTP port. */
    public static final int DEFAULT_PORT = 8500;

    /**
     * @param value a CONSUL_HTTP_ADDR value
     * @return the parsed address
     * @throws BadValueException saying what is wrong with the value
     */
    public static ConsulAddress parse(String value) {
        String trimmed = value == null ? "" : value.trim();
        if (trimmed.isEmpty()) {
            throw new BadValueException("is empty; expected host:port or http(s)://host:port");
        }
        String withScheme = trimmed.contains("://") ? trimmed : "http://" + trimmed;
        URI uri;
        try {
            uri = new URI(withScheme);
        } catch (URISyntaxException e) {
            throw new BadValueException("is not host:port or a URL (" + e.getReason() + ")");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new BadValueException("has scheme '" + uri.getScheme() + "'; expected http or https");
        }
        String host = uri.getHost();
        if (host == null || host.isEmpty()) {
            throw new BadValueException("has no valid host name; expected host:port or http(s)://host:port");
        }
        if (uri.getRawPath() != null && !uri.getRawPath().isEmpty() && !uri.getRawPath().equals("/")
                || uri.getRawQuery() != null || uri.getRawUserInfo() != null) {
            throw new BadValueException("has a path, query or user part; expected host:port or http(s)://host:port");
        }
        int port = uri.getPort() == -1 ? DEFAULT_PORT : uri.getPort();
        if (port < 1 || port > 65535) {
            throw new BadValueException("has port " + port + "; expected 1-65535");
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return new ConsulAddress(scheme, host, port);
    }

    /**
     * @return the agent's base URL, e.g. {@code http://consul:8500}
     */
    public String url() {
        return scheme + "://" + Hosts.forUrl(host) + ":" + port;
    }
}
