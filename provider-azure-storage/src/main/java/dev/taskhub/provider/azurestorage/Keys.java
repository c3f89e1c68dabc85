package dev.taskhub.provider.azurestorage;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/** Key encoding: table keys cannot hold '/', '\', '#', '?' or control characters; blob names must not clash. */
final class Keys {
    private Keys() {}

    /** A prefix-preserving escape of an instance id for PartitionKey/RowKey ('%' and forbidden chars as %XX). */
    static String tableKey(String id) {
        StringBuilder sb = null;
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            boolean bad = c == '/' || c == '\\' || c == '#' || c == '?' || c == '%' || c < 0x20 || (c >= 0x7f && c <= 0x9f);
            if (bad) {
                if (sb == null) {
                    sb = new StringBuilder(id.length() + 8).append(id, 0, i);
                }
                sb.append('%').append(String.format("%02X", (int) c));
            } else if (sb != null) {
                sb.append(c);
            }
        }
        return sb == null ? id : sb.toString();
    }

    /** An OData string literal. */
    static String literal(String value) {
        return "'" + value.replace("'", "''") + "'";
    }

    /** The smallest string greater than every string that starts with {@code prefix}. */
    static String prefixUpperBound(String prefix) {
        char last = prefix.charAt(prefix.length() - 1);
        return prefix.substring(0, prefix.length() - 1) + (char) (last + 1);
    }

    /** The folder of an instance's blobs in the large-message container (ends with '/'). */
    static String blobFolder(String instanceId) {
        return URLEncoder.encode(instanceId, StandardCharsets.UTF_8).replace("*", "%2A") + "/";
    }

    /** The control-queue partition of an instance: a stable hash (CRC32 of the UTF-8 id) modulo the count. */
    static int partition(String instanceId, int partitionCount) {
        CRC32 crc = new CRC32();
        crc.update(instanceId.getBytes(StandardCharsets.UTF_8));
        return (int) (crc.getValue() % partitionCount);
    }

    static String seqKey(long seq) {
        return String.format("%016d", seq);
    }
}
