package lienthong.example.controller;

import java.util.Locale;
import java.util.Map;

/**
 * The ContentType of a file to send, by its bytes first (a ZIP is {@code application/zip}
 * whatever its name says, a PDF {@code application/pdf}, UTF-8 text {@code text/plain}), then
 * by its name; a name that claims what the bytes are not gives {@code application/octet-stream}.
 */
public final class ContentTypes {
    private static final Map<String, String> BY_EXTENSION = Map.of(
            "pdf", "application/pdf",
            "zip", "application/zip",
            "doc", "application/msword",
            "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "xls", "application/vnd.ms-excel",
            "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "txt", "text/plain",
            "jpg", "image/jpeg",
            "png", "image/png");

    private ContentTypes() {}

    public static String of(byte[] content, String name) {
        if (startsWith(content, new byte[] {'P', 'K', 3, 4})) {
            return "application/zip";
        }
        if (startsWith(content, new byte[] {'%', 'P', 'D', 'F', '-'})) {
            return "application/pdf";
        }
        if (isText(content)) {
            return "text/plain";
        }
        int dot = name.lastIndexOf('.');
        String extension = dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
        String type = BY_EXTENSION.get(extension);
        if (type == null || type.equals("application/zip") || type.equals("application/pdf")) {
            return "application/octet-stream"; // the bytes said it is neither
        }
        return type;
    }

    /** Non-empty UTF-8 without control characters (tabs and line breaks aside): plain text. */
    private static boolean isText(byte[] content) {
        if (content.length == 0) {
            return false;
        }
        try {
            String text = java.nio.charset.StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                    .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(content))
                    .toString();
            return text.chars().allMatch(c -> c >= 0x20 || c == '\t' || c == '\n' || c == '\r');
        } catch (java.nio.charset.CharacterCodingException e) {
            return false;
        }
    }

    private static boolean startsWith(byte[] data, byte[] magic) {
        if (data.length < magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if (data[i] != magic[i]) {
                return false;
            }
        }
        return true;
    }
}
