package dev.replicas.config;

import java.util.Locale;
import java.util.regex.Pattern;

import com.google.common.net.HostAndPort;
import com.google.common.net.InetAddresses;
import com.google.common.net.InternetDomainName;

/**
 * The Consul agent's HTTP API, read as Consul's tools read {@code CONSUL_HTTP_ADDR} (port 8500 and http by default).
 *
 * @param url the agent's base URL, e.g. {@code http://consul:8500} or {@code http://[::1]:8500}
 */
public record ConsulAddress(String url) {

    private static final String FORMS = "; expected host:port or http(s)://host:port";
    /** An optional scheme, then host[:port] (IPv6 in brackets) and at most a slash: no path, query or user. */
    private static final Pattern FORM = Pattern.compile("(?:([^:/?#@]*)://)?([^/?#@]*)/?");

    /** @return whether {@code host} is a valid DNS name, or an IPv4 or IPv6 address (without brackets) */
    public static boolean isHost(String host) {
        return InetAddresses.isInetAddress(host) || InternetDomainName.isValid(host);
    }

    /** Makes {@code CONSUL_HTTP_ADDR} into an address (MicroProfile Config's converter), or says what is wrong with it. */
    public static ConsulAddress of(String value) {
        var m = FORM.matcher(value == null ? "" : value.trim());
        if (!m.matches()) {
            throw new BadValueException("has a path, query or user part" + FORMS);
        }
        String scheme = m.group(1) == null ? "http" : m.group(1).toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new BadValueException("has scheme '" + m.group(1) + "'; expected http or https");
        }
        HostAndPort parsed;
        try {
            parsed = HostAndPort.fromString(m.group(2)).withDefaultPort(8500);
        } catch (IllegalArgumentException e) {
            throw new BadValueException("has no valid host name or port" + FORMS);
        }
        if (!isHost(parsed.getHost())) {
            throw new BadValueException((m.group(2).isEmpty() ? "is empty" : "has no valid host name") + FORMS);
        }
        if (parsed.getPort() < 1) {
            throw new BadValueException("has port " + parsed.getPort() + "; expected 1-65535");
        }
        return new ConsulAddress(scheme + "://" + parsed);
    }
}
