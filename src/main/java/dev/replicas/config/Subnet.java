package dev.replicas.config;

import java.net.InetAddress;
import java.util.List;
import java.util.Optional;

import com.google.common.net.InetAddresses;

/**
 * An IP subnet such as {@code 10.42.0.0/24}: how a replica whose interfaces come in no fixed order picks its address.
 *
 * @param network the network address, host bits cleared
 * @param prefix  the prefix length
 */
public record Subnet(InetAddress network, int prefix) {

    /** @return whether {@code address} lies in this subnet */
    public boolean contains(InetAddress address) {
        return address.getAddress().length == network.getAddress().length && mask(address, prefix).equals(network);
    }

    /** @return the first of this host's addresses that lies in this subnet */
    public Optional<InetAddress> pick(List<InetAddress> candidates) {
        return candidates.stream().filter(this::contains).findFirst();
    }

    private static InetAddress mask(InetAddress address, int prefix) {
        int bits = address.getAddress().length * 8;
        var masked = InetAddresses.toBigInteger(address).shiftRight(bits - prefix).shiftLeft(bits - prefix);
        return bits == 32 ? InetAddresses.fromIPv4BigInteger(masked) : InetAddresses.fromIPv6BigInteger(masked);
    }

    @Override
    public String toString() {
        return InetAddresses.toAddrString(network) + "/" + prefix;
    }

    /** Makes {@code 10.42.0.0/24} into a subnet (MicroProfile Config's converter for it), or says what is wrong. */
    public static Subnet of(String value) {
        String text = value == null ? "" : value.trim();
        int slash = text.indexOf('/');
        if (slash < 0 || !InetAddresses.isInetAddress(text.substring(0, slash))
                || !text.substring(slash + 1).matches("[0-9]{1,3}")) {
            throw new BadValueException("is not a subnet such as 10.42.0.0/24");
        }
        InetAddress address = InetAddresses.forString(text.substring(0, slash)); // a literal: no DNS lookup
        int bits = address.getAddress().length * 8;
        int prefix = Integer.parseInt(text.substring(slash + 1));
        if (prefix > bits) {
            throw new BadValueException("has a prefix longer than " + bits + " bits");
        }
        return new Subnet(mask(address, prefix), prefix);
    }
}
