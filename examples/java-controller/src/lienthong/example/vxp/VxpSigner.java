package lienthong.example.vxp;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The request signature of the VXP protocol (AXIS_PROTOCOL.md section 2), exactly as VNPT's
 * client SDK computes it.
 *
 * <p>The signed headers are an ordered map ({@code systemid}, {@code timestamp},
 * {@code Content-Type}, then the operation's own keys). Each goes on the wire as
 * {@code XroadVnpt-<key>}; {@code XroadVnpt-sign-header-key} lists the keys joined by
 * {@code ;}; {@code XroadVnpt-sign-header} is the compact JSON object of the prefixed names and
 * values in map order (only {@code "} and {@code \} escaped, other characters raw); and
 * {@code XroadVnpt-hash-header} is the lowercase hex HMAC-SHA256 of the sign-header's UTF-8
 * bytes, keyed with the system's secret.
 */
public final class VxpSigner {
    public static final String PREFIX = "XroadVnpt-";
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("ddMMyyyy'T'HHmmss");

    private VxpSigner() {}

    /** The SDK's {@code timestamp}: {@code ddMMyyyy'T'HHmmss+SSSS}, the last part milliseconds. */
    public static String timestamp(ZonedDateTime vietnamNow) {
        int millis = vietnamNow.getNano() / 1_000_000;
        return STAMP.format(vietnamNow) + String.format("+%04d", millis);
    }

    /** The value of {@code XroadVnpt-sign-header} for {@code headers}, in their order. */
    public static String signHeader(Map<String, String> headers) {
        StringBuilder out = new StringBuilder("{");
        boolean first = true;
        for (Map.Entry<String, String> entry : headers.entrySet()) {
            if (!first) {
                out.append(',');
            }
            first = false;
            out.append('"').append(escape(PREFIX + entry.getKey())).append("\":\"");
            out.append(escape(entry.getValue())).append('"');
        }
        return out.append('}').toString();
    }

    private static String escape(String text) {
        return text.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    /** Lowercase hex HMAC-SHA256 of {@code text} (UTF-8) under {@code secret} (UTF-8). */
    public static String hmacHex(String secret, String text) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            byte[] digest = mac.doFinal(text.getBytes(StandardCharsets.UTF_8));
            StringBuilder hex = new StringBuilder(digest.length * 2);
            for (byte b : digest) {
                hex.append(String.format("%02x", b & 0xff));
            }
            return hex.toString();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    /**
     * Every header of one request: {@code XroadVnpt-<key>} for each signed header, the plain
     * {@code Content-Type}, and the three signature headers.
     */
    public static Map<String, String> wireHeaders(Map<String, String> signed, String secret) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, String> entry : signed.entrySet()) {
            out.put(PREFIX + entry.getKey(), entry.getValue());
        }
        String contentType = signed.get("Content-Type");
        if (contentType != null) {
            out.put("Content-Type", contentType);
        }
        String signHeader = signHeader(signed);
        out.put(PREFIX + "sign-header-key", String.join(";", signed.keySet()));
        out.put(PREFIX + "sign-header", signHeader);
        out.put(PREFIX + "hash-header", hmacHex(secret, signHeader));
        return out;
    }
}
