package lienthong.example.vxp;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import lienthong.example.json.Json;
import lienthong.example.json.JsonException;

/**
 * A client of the axis's VXP protocol (AXIS_PROTOCOL.md): the four operations a receiving and
 * sending QLVB needs, each a signed HTTP request, each answer read from its JSON envelope.
 * Nothing is retried here; {@link lienthong.example.qlvb.AxisLink} retries what is transient.
 *
 * <p>If your software already uses VNPT's SDK, it does this part: keep the SDK and drive it
 * from the same places.
 */
public final class VxpClient {
    private static final ZoneOffset VIETNAM = ZoneOffset.ofHours(7);

    private final String endpoint;
    private final String systemId;
    private final String secret;
    private final Duration timeout;
    private final HttpClient http;

    public VxpClient(String endpoint, String systemId, String secret, Duration timeout) {
        this.endpoint = endpoint.replaceAll("/+$", "");
        this.systemId = systemId;
        this.secret = secret;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(timeout)
                .build();
    }

    /** {@code sendEdoc}: put {@code data} (an edoc or a status) on the axis; returns its DocId. */
    public String sendEdoc(byte[] data, String messagetype) throws AxisException {
        Map<String, String> headers = signed("application/octet-stream");
        headers.put("from", systemId);
        headers.put("servicetype", "eDoc");
        headers.put("messagetype", messagetype);
        headers.put("hash-file", sha256Hex(data));
        byte[] body = new byte[data.length + 2];
        System.arraycopy(data, 0, body, 0, data.length);
        body[data.length] = '\r';
        body[data.length + 1] = '\n';
        Map<String, Object> answer = call("sendEdoc", headers, body);
        Object docId = answer.get("DocId");
        if (!(docId instanceof String s) || s.isEmpty()) {
            throw new AxisException("sendEdoc answered OK without a DocId", null, true, null);
        }
        return s;
    }

    /** {@code getReceivedEdocList}: the deliveries of {@code messagetype} waiting for this system. */
    public List<Map<String, Object>> getReceivedEdocList(String messagetype) throws AxisException {
        Map<String, String> headers = signed("application/json");
        headers.put("servicetype", "eDoc");
        headers.put("messagetype", messagetype);
        Object data = call("getReceivedEdocList", headers, new byte[0]).get("data");
        List<Map<String, Object>> out = new ArrayList<>();
        if (data instanceof List<?> items) {
            for (Object item : items) {
                if (item instanceof Map<?, ?> map) {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> entry = (Map<String, Object>) map;
                    out.add(entry);
                }
            }
        }
        return out;
    }

    /** {@code getEdoc}: the stored bytes of {@code docId}, exactly as they were sent. */
    public byte[] getEdoc(String docId) throws AxisException {
        Map<String, String> headers = signed("application/json");
        headers.put("docId", docId);
        Object data = call("getEdoc", headers, "{}".getBytes(StandardCharsets.US_ASCII)).get("data");
        if (!(data instanceof String text)) {
            throw new AxisException("getEdoc answered OK without data", null, true, null);
        }
        try {
            return Base64.getMimeDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new AxisException("getEdoc data is not base64: " + e.getMessage(), null, true, e);
        }
    }

    /** {@code updateStatus}: the transport ack ({@code done}, {@code fail}) of a delivery. */
    public void updateStatus(String docId, String status) throws AxisException {
        Map<String, String> headers = signed("application/json");
        headers.put("docId", docId);
        headers.put("status", status);
        call("updateStatus", headers, "{}".getBytes(StandardCharsets.US_ASCII));
    }

    private Map<String, String> signed(String contentType) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("systemid", systemId);
        headers.put("timestamp", VxpSigner.timestamp(ZonedDateTime.now(VIETNAM)));
        headers.put("Content-Type", contentType);
        return headers;
    }

    private Map<String, Object> call(String operation, Map<String, String> signed, byte[] body)
            throws AxisException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(endpoint + "/" + operation))
                .timeout(timeout)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        VxpSigner.wireHeaders(signed, secret).forEach(request::header);
        HttpResponse<byte[]> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new AxisException(operation + ": " + e, null, true, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AxisException(operation + ": interrupted", null, true, e);
        }
        String text = new String(response.body(), StandardCharsets.UTF_8);
        Object parsed;
        try {
            parsed = Json.parse(text);
        } catch (JsonException e) {
            throw new AxisException(
                    operation + ": HTTP " + response.statusCode() + ", not JSON: " + e.getMessage(), null, true, e);
        }
        if (!(parsed instanceof Map<?, ?> map)) {
            throw new AxisException(operation + ": the answer is not a JSON object", null, true, null);
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> envelope = (Map<String, Object>) map;
        Object status = envelope.get("status");
        Object code = envelope.get("ErrorCode");
        if ("OK".equals(status) && "0".equals(code)) {
            return envelope;
        }
        String errorCode = code instanceof String c ? c : null;
        boolean again = response.statusCode() >= 500 || "8".equals(errorCode) || "9".equals(errorCode)
                || errorCode == null;
        throw new AxisException(
                operation + ": ErrorCode " + errorCode + ": " + envelope.get("ErrorDesc"), errorCode, again, null);
    }

    /** SHA-256 of {@code data} as 64 lowercase hex digits (the axis also takes the SDK's unpadded form). */
    public static String sha256Hex(byte[] data) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(data);
            StringBuilder hex = new StringBuilder(64);
            for (byte b : digest) {
                hex.append(String.format("%02x", b & 0xff));
            }
            return hex.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
