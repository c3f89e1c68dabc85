package dev.taskhub.provider.azurestorage;

import dev.taskhub.ConfigurationException;
import dev.taskhub.spi.support.Secrets;

import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A parsed and validated storage account connection string, normalised to an explicit string with all three
 * endpoints. {@code UseDevelopmentStorage=true} becomes the well-known Azurite account on 127.0.0.1.
 */
record AzureConnection(String accountName, String normalized, String blobEndpoint, String queueEndpoint, String tableEndpoint) {
    static final String DEV_ACCOUNT = "devstoreaccount1";
    static final String DEV_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    /** Whether the text looks like an Azure Storage connection string (does not validate it). */
    static boolean looksLikeAzure(String connectionString) {
        if (connectionString == null) {
            return false;
        }
        String cs = connectionString.trim().toLowerCase(Locale.ROOT);
        return cs.startsWith("usedevelopmentstorage=") || cs.contains("defaultendpointsprotocol=")
                || (cs.contains("accountname=") && cs.contains("accountkey="));
    }

    /** Connection string keys (and SAS query parameters) that hold a secret. */
    static final List<String> SECRET_KEYS = List.of("AccountKey", "SharedAccessSignature", "sig");

    /** The text with account keys and SAS signatures replaced by {@code ***}. */
    static String mask(String text) {
        return Secrets.mask(text, SECRET_KEYS);
    }

    static AzureConnection parse(String connectionString) {
        if (connectionString == null || connectionString.isBlank()) {
            throw new ConfigurationException("The Azure Storage connection string is empty. Use 'UseDevelopmentStorage=true' for "
                    + "Azurite or 'DefaultEndpointsProtocol=https;AccountName=<name>;AccountKey=<key>;EndpointSuffix=core.windows.net'.");
        }
        Map<String, String> parts = new LinkedHashMap<>();
        for (String part : connectionString.trim().split(";")) {
            if (part.isBlank()) {
                continue;
            }
            int eq = part.indexOf('=');
            if (eq <= 0) {
                throw bad(connectionString, "the part '" + maskPart(part) + "' is not of the form Key=Value");
            }
            parts.put(part.substring(0, eq).trim().toLowerCase(Locale.ROOT), part.substring(eq + 1).trim());
        }
        String dev = parts.get("usedevelopmentstorage");
        if (dev != null) {
            if (!dev.equalsIgnoreCase("true")) {
                throw bad(connectionString, "UseDevelopmentStorage must be 'true'");
            }
            String proxy = parts.getOrDefault("developmentstorageproxyuri", "http://127.0.0.1");
            String blob = proxy + ":10000/" + DEV_ACCOUNT;
            String queue = proxy + ":10001/" + DEV_ACCOUNT;
            String table = proxy + ":10002/" + DEV_ACCOUNT;
            return new AzureConnection(DEV_ACCOUNT, explicit("http", DEV_ACCOUNT, DEV_KEY, blob, queue, table), blob, queue, table);
        }
        String protocol = parts.getOrDefault("defaultendpointsprotocol", "https");
        if (!protocol.equalsIgnoreCase("https") && !protocol.equalsIgnoreCase("http")) {
            throw bad(connectionString, "DefaultEndpointsProtocol must be 'https' or 'http', got '" + protocol + "'");
        }
        String account = parts.get("accountname");
        if (account == null || account.isEmpty()) {
            throw bad(connectionString, "AccountName is missing");
        }
        if (!account.matches("[a-z0-9]{3,24}") && !account.equals(DEV_ACCOUNT)) {
            throw bad(connectionString, "AccountName '" + account + "' is not a valid storage account name (3-24 lowercase letters and digits)");
        }
        String key = parts.get("accountkey");
        if (key == null || key.isEmpty()) {
            throw bad(connectionString, "AccountKey is missing (shared access signatures are not supported by this provider)");
        }
        try {
            Base64.getDecoder().decode(key);
        } catch (IllegalArgumentException e) {
            throw bad(connectionString, "AccountKey is not valid base64; copy it again from the portal's 'Access keys' page");
        }
        String suffix = parts.getOrDefault("endpointsuffix", "core.windows.net");
        String blob = endpoint(parts, "blobendpoint", protocol, account, "blob", suffix, connectionString);
        String queue = endpoint(parts, "queueendpoint", protocol, account, "queue", suffix, connectionString);
        String table = endpoint(parts, "tableendpoint", protocol, account, "table", suffix, connectionString);
        return new AzureConnection(account, explicit(protocol, account, key, blob, queue, table), blob, queue, table);
    }

    private static String endpoint(Map<String, String> parts, String key, String protocol, String account, String service,
                                   String suffix, String cs) {
        String value = parts.get(key);
        if (value == null) {
            return protocol.toLowerCase(Locale.ROOT) + "://" + account + "." + service + "." + suffix;
        }
        try {
            java.net.URI uri = java.net.URI.create(value);
            if (uri.getScheme() == null || uri.getHost() == null) {
                throw new IllegalArgumentException();
            }
        } catch (IllegalArgumentException e) {
            throw bad(cs, "the " + key + " '" + value + "' is not an absolute URL such as https://acct." + service + ".core.windows.net");
        }
        return value.endsWith("/") ? value.substring(0, value.length() - 1) : value;
    }

    private static String explicit(String protocol, String account, String key, String blob, String queue, String table) {
        return "DefaultEndpointsProtocol=" + protocol + ";AccountName=" + account + ";AccountKey=" + key
                + ";BlobEndpoint=" + blob + ";QueueEndpoint=" + queue + ";TableEndpoint=" + table + ";";
    }

    private static String maskPart(String part) {
        return mask(part);
    }

    private static ConfigurationException bad(String cs, String what) {
        return new ConfigurationException("The Azure Storage connection string '" + mask(cs) + "' is malformed: " + what + ".");
    }

    @Override
    public String toString() {
        return "AzureConnection[" + accountName + ", " + blobEndpoint + "]";
    }
}
