package dev.replicas.load;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Orders part names as a person reads them: consul, fabio, replica-1, replica-2, ..., replica-10. */
final class Names {

    private static final Pattern NUMBERED = Pattern.compile("(.*?)(\\d+)");

    private Names() {
    }

    static int compare(String a, String b) {
        Matcher ma = NUMBERED.matcher(a);
        Matcher mb = NUMBERED.matcher(b);
        if (ma.matches() && mb.matches() && ma.group(1).equals(mb.group(1))) {
            return Long.compare(Long.parseLong(ma.group(2)), Long.parseLong(mb.group(2)));
        }
        return a.compareTo(b);
    }

    /** @return whether the part is one of the replicas */
    static boolean isReplica(String name) {
        return name.startsWith("replica-");
    }
}
