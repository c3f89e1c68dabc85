package dev.taskhub.provider.postgres;

import dev.taskhub.spi.support.Args;
import dev.taskhub.ConfigurationException;
import dev.taskhub.spi.ProviderConfig;
import dev.taskhub.spi.support.Secrets;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The PostgreSQL provider's configuration, parsed and validated from a {@link ProviderConfig}.
 *
 * @param jdbcUrl         JDBC URL without credentials taken from a libpq URL
 * @param user            user name, or null to let the driver / URL decide
 * @param password        password, or null; never logged
 * @param schema          the schema holding the tables
 * @param taskHub         the task hub name
 * @param poolSize        maximum pool connections
 * @param pollInterval    longest fallback poll interval when no notification arrives
 * @param connectTimeout  how long to wait for a pooled connection
 * @param applicationName application_name of every connection
 * @param purgeBatchSize  instances deleted per statement by purge and delete-task-hub
 * @param autoAnalyze     whether workers analyze the hub's tables while they grow (see {@link StatisticsKeeper})
 * @param resultCoalescing how long an activity result waits for its siblings while its instance has activities out
 * @param crashTakeover   whether workers free the locks of workers whose database session ended (see {@link OwnerLiveness})
 */
record PostgresSettings(String jdbcUrl, String user, String password, String schema, String taskHub, int poolSize,
                        Duration pollInterval, Duration connectTimeout, String applicationName, int purgeBatchSize,
                        boolean autoAnalyze, Duration resultCoalescing, boolean crashTakeover) {

    static final String PREFIX = "taskhub.postgres.";
    static final String POOL_SIZE = PREFIX + "poolSize";
    static final String SCHEMA = PREFIX + "schema";
    static final String POLL_INTERVAL = PREFIX + "pollInterval";
    static final String CONNECT_TIMEOUT = PREFIX + "connectTimeout";
    static final String APPLICATION_NAME = PREFIX + "applicationName";
    static final String PURGE_BATCH_SIZE = PREFIX + "purgeBatchSize";
    static final String AUTO_ANALYZE = PREFIX + "autoAnalyze";
    static final String RESULT_COALESCING = PREFIX + "resultCoalescing";
    static final String CRASH_TAKEOVER = PREFIX + "crashTakeover";
    static final String USER = PREFIX + "user";
    static final String PASSWORD = PREFIX + "password";

    /** Connection string parameters that hold a secret. */
    static final java.util.List<String> SECRET_KEYS = java.util.List.of("password", "pwd", "sslpassword");

    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");

    /** Whether the string looks like a PostgreSQL connection string this provider understands. */
    static boolean accepts(String connectionString) {
        if (connectionString == null) {
            return false;
        }
        String cs = connectionString.trim().toLowerCase(Locale.ROOT);
        return cs.startsWith("jdbc:postgresql:") || cs.startsWith("postgresql://") || cs.startsWith("postgres://");
    }

    private static final java.util.List<String> KEYS = java.util.List.of(POOL_SIZE, SCHEMA, POLL_INTERVAL, CONNECT_TIMEOUT,
            APPLICATION_NAME, PURGE_BATCH_SIZE, AUTO_ANALYZE,
            RESULT_COALESCING, CRASH_TAKEOVER, USER, PASSWORD);

    /**
     * The same configuration with this provider's setting keys in their canonical spelling: the configuration layer
     * maps environment variables such as {@code TASKHUB_POSTGRES_POOLSIZE} to lower-case keys
     * ({@code taskhub.postgres.poolsize}), so keys are matched case-insensitively. An exact key wins.
     */
    static ProviderConfig canonical(ProviderConfig config) {
        java.util.Map<String, String> settings = new java.util.HashMap<>(config.settings());
        for (String key : KEYS) {
            if (!settings.containsKey(key)) {
                config.settings().forEach((k, v) -> {
                    if (k.equalsIgnoreCase(key)) {
                        settings.put(key, v);
                    }
                });
            }
        }
        return new ProviderConfig(config.connectionString(), config.taskHubName(), settings);
    }

    static PostgresSettings from(ProviderConfig original) {
        ProviderConfig config = canonical(original);
        String cs = config.connectionString().trim();
        if (!accepts(cs)) {
            throw new ConfigurationException("The PostgreSQL provider needs a connection string such as "
                    + "'jdbc:postgresql://localhost:5432/mydb' or 'postgresql://user:password@localhost:5432/mydb', got '"
                    + mask(cs) + "'.");
        }
        String jdbcUrl;
        String user = null;
        String password = null;
        if (cs.regionMatches(true, 0, "jdbc:", 0, 5)) {
            jdbcUrl = cs;
        } else {
            int schemeEnd = cs.indexOf("://");
            String rest = cs.substring(schemeEnd + 3);
            int slash = rest.indexOf('/');
            int question = rest.indexOf('?');
            int authorityEnd = slash >= 0 ? slash : (question >= 0 ? question : rest.length());
            String authority = rest.substring(0, authorityEnd);
            String tail = rest.substring(authorityEnd);
            int at = authority.lastIndexOf('@');
            if (at >= 0) {
                String userInfo = authority.substring(0, at);
                authority = authority.substring(at + 1);
                int colon = userInfo.indexOf(':');
                user = decode(colon >= 0 ? userInfo.substring(0, colon) : userInfo);
                password = colon >= 0 ? decode(userInfo.substring(colon + 1)) : null;
                if (user.isEmpty()) {
                    user = null;
                }
            }
            if (authority.isEmpty()) {
                authority = "localhost";
            }
            if (tail.isEmpty() || tail.startsWith("?")) {
                throw new ConfigurationException("The PostgreSQL connection string '" + mask(cs) + "' names no database. "
                        + "Add it after the host, e.g. 'postgresql://user@localhost:5432/mydb'.");
            }
            jdbcUrl = "jdbc:postgresql://" + authority + tail;
        }
        if (jdbcUrl.length() <= "jdbc:postgresql://".length() && !jdbcUrl.startsWith("jdbc:postgresql:")) {
            throw new ConfigurationException("The PostgreSQL connection string '" + mask(cs) + "' is incomplete.");
        }
        user = config.setting(USER).orElse(user);
        password = config.setting(PASSWORD).orElse(password);

        String schema = config.setting(SCHEMA).orElse("taskhub").trim();
        if (!IDENTIFIER.matcher(schema).matches()) {
            throw new ConfigurationException("Setting '" + SCHEMA + "' must be a plain SQL identifier (letters, digits, "
                    + "underscore; at most 63 characters), got '" + schema + "'.");
        }
        int poolSize = Args.between(POOL_SIZE, config.intSetting(POOL_SIZE, 8), 1, 200);
        Duration pollInterval = config.durationSetting(POLL_INTERVAL, Duration.ofSeconds(1));
        if (pollInterval.isNegative() || pollInterval.isZero() || pollInterval.compareTo(Duration.ofMinutes(5)) > 0) {
            throw new ConfigurationException("Setting '" + POLL_INTERVAL + "' must be between 1 ms and 5 minutes, got " + pollInterval + ".");
        }
        Duration connectTimeout = config.durationSetting(CONNECT_TIMEOUT, Duration.ofSeconds(5));
        if (connectTimeout.toMillis() < 250) {
            throw new ConfigurationException("Setting '" + CONNECT_TIMEOUT + "' must be at least 250 ms, got " + connectTimeout + ".");
        }
        String applicationName = config.setting(APPLICATION_NAME).orElse("taskhub");
        int purgeBatchSize = Args.atLeast(PURGE_BATCH_SIZE, config.intSetting(PURGE_BATCH_SIZE, 10_000), 1);
        boolean autoAnalyze = bool(config, AUTO_ANALYZE);
        boolean crashTakeover = bool(config, CRASH_TAKEOVER);
        Duration resultCoalescing = config.durationSetting(RESULT_COALESCING, Duration.ofMillis(25));
        if (resultCoalescing.isNegative() || resultCoalescing.compareTo(Duration.ofMinutes(1)) > 0) {
            throw new ConfigurationException("Setting '" + RESULT_COALESCING + "' must be between 0 and 1 minute, got "
                    + resultCoalescing + ". 0 hands every activity result to its orchestration at once.");
        }
        String hub = config.taskHubName().trim();
        if (hub.length() > 256) {
            throw new ConfigurationException("The task hub name is longer than 256 characters.");
        }
        return new PostgresSettings(jdbcUrl, user, password, schema, hub, poolSize, pollInterval, connectTimeout,
                applicationName, purgeBatchSize, autoAnalyze, resultCoalescing, crashTakeover);
    }

    /** A true/false setting that defaults to true. */
    private static boolean bool(ProviderConfig config, String key) {
        String value = config.setting(key).orElse("true").trim().toLowerCase(Locale.ROOT);
        if (!value.equals("true") && !value.equals("false")) {
            throw new ConfigurationException("Setting '" + key + "' must be true or false, got '" + value + "'.");
        }
        return Boolean.parseBoolean(value);
    }

    /** The JDBC URL with any password in it hidden, for messages and logs. */
    String maskedUrl() {
        return mask(jdbcUrl);
    }

    /** The text with passwords hidden: the secret parameters and the password of a URL's user info. */
    static String mask(String text) {
        return Secrets.mask(text, SECRET_KEYS);
    }

    private static String decode(String text) {
        return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "PostgresSettings[url=" + maskedUrl() + ", user=" + user + ", schema=" + schema + ", taskHub=" + taskHub
                + ", poolSize=" + poolSize + ", pollInterval=" + pollInterval + "]";
    }
}
