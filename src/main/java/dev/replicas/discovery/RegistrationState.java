package dev.replicas.discovery;

/** Where this replica stands with Consul. */
public enum RegistrationState {
    /** Registration is switched off by configuration. */
    DISABLED,
    /** A registration setting is invalid; nothing is sent to Consul. */
    MISCONFIGURED,
    /** Started, first attempt not finished yet. */
    PENDING,
    /** Consul has this replica. */
    REGISTERED,
    /** The last attempt failed; another one is scheduled. */
    RETRYING,
    /** Consul refused the registration (ACL: no token, or one without the right); retrying. */
    REFUSED,
    /** The application stopped and removed its registration. */
    DEREGISTERED
}
