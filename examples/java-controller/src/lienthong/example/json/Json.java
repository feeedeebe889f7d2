package lienthong.example.json;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small, strict JSON reader and writer (RFC 8259): what "JDK only" costs, since the JDK has
 * no JSON library.
 *
 * <p>Values are plain Java objects: an object is a {@code Map<String, Object>} (a
 * {@link LinkedHashMap}, so key order is kept), an array a {@code List<Object>}, a string a
 * {@link String}, a number a {@link Long} when it is a whole number that fits and a
 * {@link BigDecimal} otherwise, {@code true}/{@code false} a {@link Boolean}, and {@code null}
 * Java's {@code null}.
 *
 * <p>The reader refuses anything RFC 8259 does not allow (trailing commas, comments, single
 * quotes, leading zeros, raw control characters in strings, lone surrogates, text after the
 * value) and, to stay safe on network input, duplicate keys and nesting deeper than
 * {@link #MAX_DEPTH}. The writer escapes what JSON requires and writes other characters as
 * they are (the caller encodes the text as UTF-8).
 */
public final class Json {
    /** The deepest nesting of arrays and objects the reader accepts. */
    public static final int MAX_DEPTH = 64;

    private final String text;
    private int pos;

    private Json(String text) {
        this.text = text;
    }

    /** The value {@code text} holds; {@link JsonException} says where and why it is not JSON. */
    public static Object parse(String text) {
        if (text == null) {
            throw new JsonException("no text to read (null)", 0);
        }
        Json reader = new Json(text);
        reader.skipSpace();
        Object value = reader.value(0);
        reader.skipSpace();
        if (reader.pos != text.length()) {
            throw reader.error("unexpected text after the value");
        }
        return value;
    }

    /** {@code value} as compact JSON text. */
    public static String write(Object value) {
        StringBuilder out = new StringBuilder();
        writeValue(out, value, 0);
        return out.toString();
    }

    // -- reading -------------------------------------------------------------------------

    private JsonException error(String why) {
        return new JsonException(why, pos);
    }

    private void skipSpace() {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return;
            }
            pos++;
        }
    }

    private Object value(int depth) {
        if (pos >= text.length()) {
            throw error("unexpected end of text, expected a value");
        }
        char c = text.charAt(pos);
        switch (c) {
            case '{':
                return object(depth + 1);
            case '[':
                return array(depth + 1);
            case '"':
                return string();
            case 't':
                return literal("true", Boolean.TRUE);
            case 'f':
                return literal("false", Boolean.FALSE);
            case 'n':
                return literal("null", null);
            default:
                if (c == '-' || (c >= '0' && c <= '9')) {
                    return number();
                }
                throw error("unexpected character '" + c + "', expected a value");
        }
    }

    private Object literal(String word, Object value) {
        if (!text.startsWith(word, pos)) {
            throw error("unknown word, expected " + word);
        }
        pos += word.length();
        return value;
    }

    private Map<String, Object> object(int depth) {
        if (depth > MAX_DEPTH) {
            throw error("nesting deeper than " + MAX_DEPTH);
        }
        pos++; // {
        Map<String, Object> out = new LinkedHashMap<>();
        skipSpace();
        if (peek() == '}') {
            pos++;
            return out;
        }
        while (true) {
            skipSpace();
            if (peek() != '"') {
                throw error("expected a key in double quotes");
            }
            int at = pos;
            String key = string();
            if (out.containsKey(key)) {
                throw new JsonException("duplicate key \"" + key + "\"", at);
            }
            skipSpace();
            expect(':');
            skipSpace();
            out.put(key, value(depth));
            skipSpace();
            char c = next("',' or '}'");
            if (c == '}') {
                return out;
            }
            if (c != ',') {
                pos--;
                throw error("expected ',' or '}'");
            }
        }
    }

    private List<Object> array(int depth) {
        if (depth > MAX_DEPTH) {
            throw error("nesting deeper than " + MAX_DEPTH);
        }
        pos++; // [
        List<Object> out = new ArrayList<>();
        skipSpace();
        if (peek() == ']') {
            pos++;
            return out;
        }
        while (true) {
            skipSpace();
            out.add(value(depth));
            skipSpace();
            char c = next("',' or ']'");
            if (c == ']') {
                return out;
            }
            if (c != ',') {
                pos--;
                throw error("expected ',' or ']'");
            }
        }
    }

    private char peek() {
        if (pos >= text.length()) {
            throw error("unexpected end of text");
        }
        return text.charAt(pos);
    }

    private char next(String expected) {
        if (pos >= text.length()) {
            throw error("unexpected end of text, expected " + expected);
        }
        return text.charAt(pos++);
    }

    private void expect(char wanted) {
        char c = next("'" + wanted + "'");
        if (c != wanted) {
            pos--;
            throw error("expected '" + wanted + "'");
        }
    }

    private String string() {
        pos++; // opening quote
        StringBuilder out = new StringBuilder();
        while (true) {
            if (pos >= text.length()) {
                throw error("unterminated string");
            }
            char c = text.charAt(pos++);
            if (c == '"') {
                return out.toString();
            }
            if (c < 0x20) {
                pos--;
                throw error("raw control character in a string (write it as an escape)");
            }
            if (Character.isHighSurrogate(c)) {
                if (pos >= text.length() || !Character.isLowSurrogate(text.charAt(pos))) {
                    pos--;
                    throw error("lone surrogate in a string");
                }
                out.append(c).append(text.charAt(pos++));
                continue;
            }
            if (Character.isLowSurrogate(c)) {
                pos--;
                throw error("lone surrogate in a string");
            }
            if (c != '\\') {
                out.append(c);
                continue;
            }
            char e = next("an escape");
            switch (e) {
                case '"' -> out.append('"');
                case '\\' -> out.append('\\');
                case '/' -> out.append('/');
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case 'u' -> unicodeEscape(out);
                default -> {
                    pos--;
                    throw error("unknown escape \\" + e);
                }
            }
        }
    }

    private char hex4() {
        if (pos + 4 > text.length()) {
            throw error("\\u needs four hex digits");
        }
        int code = 0;
        for (int i = 0; i < 4; i++) {
            int digit = Character.digit(text.charAt(pos + i), 16);
            if (digit < 0) {
                throw error("\\u needs four hex digits");
            }
            code = code * 16 + digit;
        }
        pos += 4;
        return (char) code;
    }

    private void unicodeEscape(StringBuilder out) {
        char c = hex4();
        if (Character.isHighSurrogate(c)) {
            if (!text.startsWith("\\u", pos)) {
                throw error("lone surrogate escape");
            }
            pos += 2;
            char low = hex4();
            if (!Character.isLowSurrogate(low)) {
                throw error("lone surrogate escape");
            }
            out.append(c).append(low);
        } else if (Character.isLowSurrogate(c)) {
            throw error("lone surrogate escape");
        } else {
            out.append(c);
        }
    }

    private Object number() {
        int start = pos;
        if (peekIs('-')) {
            pos++;
        }
        if (peekIs('0')) {
            pos++;
            if (peekDigit()) {
                throw error("leading zero in a number");
            }
        } else if (peekDigit()) {
            digits();
        } else {
            throw error("a number needs digits");
        }
        boolean whole = true;
        if (peekIs('.')) {
            whole = false;
            pos++;
            if (!peekDigit()) {
                throw error("a fraction needs digits");
            }
            digits();
        }
        if (peekIs('e') || peekIs('E')) {
            whole = false;
            pos++;
            if (peekIs('+') || peekIs('-')) {
                pos++;
            }
            if (!peekDigit()) {
                throw error("an exponent needs digits");
            }
            digits();
        }
        String token = text.substring(start, pos);
        if (whole && token.length() <= 18) {
            return Long.parseLong(token);
        }
        BigDecimal decimal = new BigDecimal(token);
        if (whole) {
            try {
                return decimal.longValueExact();
            } catch (ArithmeticException tooBig) {
                return decimal;
            }
        }
        return decimal;
    }

    private boolean peekIs(char c) {
        return pos < text.length() && text.charAt(pos) == c;
    }

    private boolean peekDigit() {
        return pos < text.length() && text.charAt(pos) >= '0' && text.charAt(pos) <= '9';
    }

    private void digits() {
        while (peekDigit()) {
            pos++;
        }
    }

    // -- writing -------------------------------------------------------------------------

    private static void writeValue(StringBuilder out, Object value, int depth) {
        if (depth > MAX_DEPTH) {
            throw new IllegalArgumentException("nesting deeper than " + MAX_DEPTH);
        }
        if (value == null) {
            out.append("null");
        } else if (value instanceof String s) {
            writeString(out, s);
        } else if (value instanceof Boolean b) {
            out.append(b ? "true" : "false");
        } else if (value instanceof Long || value instanceof Integer || value instanceof Short) {
            out.append(value);
        } else if (value instanceof BigDecimal d) {
            out.append(d.toString());
        } else if (value instanceof Double || value instanceof Float) {
            double d = ((Number) value).doubleValue();
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                throw new IllegalArgumentException("JSON has no " + d);
            }
            out.append(BigDecimal.valueOf(d).toString());
        } else if (value instanceof Map<?, ?> map) {
            out.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                if (!(entry.getKey() instanceof String key)) {
                    throw new IllegalArgumentException("JSON object keys are strings, not " + entry.getKey());
                }
                if (!first) {
                    out.append(',');
                }
                first = false;
                writeString(out, key);
                out.append(':');
                writeValue(out, entry.getValue(), depth + 1);
            }
            out.append('}');
        } else if (value instanceof List<?> list) {
            out.append('[');
            for (int i = 0; i < list.size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                writeValue(out, list.get(i), depth + 1);
            }
            out.append(']');
        } else {
            throw new IllegalArgumentException("cannot write a " + value.getClass().getName() + " as JSON");
        }
    }

    private static void writeString(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    boolean lone = (Character.isHighSurrogate(c)
                                    && (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))))
                            || (Character.isLowSurrogate(c)
                                    && (i == 0 || !Character.isHighSurrogate(s.charAt(i - 1))));
                    if (c < 0x20 || lone) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
