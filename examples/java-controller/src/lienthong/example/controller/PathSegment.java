package lienthong.example.controller;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import lienthong.example.qlvb.Refusal;

/**
 * A DocumentId travels in a path as one percent-encoded segment ({@code /} as {@code %2F},
 * {@code ,} as {@code %2C}, non-ASCII as UTF-8 bytes). Decode it yourself from the raw path:
 * many frameworks decode {@code %2F} before routing and split the id.
 */
public final class PathSegment {
    private PathSegment() {}

    /** A DocumentId from its percent-encoded path segment (UTF-8, strictly). */
    public static String decode(String segment) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int i = 0; i < segment.length(); i++) {
            char c = segment.charAt(i);
            if (c == '%') {
                if (i + 2 >= segment.length()) {
                    throw new Refusal("bad-request", "bad percent-encoding in " + segment);
                }
                int hi = Character.digit(segment.charAt(i + 1), 16);
                int lo = Character.digit(segment.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    throw new Refusal("bad-request", "bad percent-encoding in " + segment);
                }
                bytes.write(hi * 16 + lo);
                i += 2;
            } else if (c < 0x80) {
                bytes.write(c);
            } else {
                throw new Refusal("bad-request", "a raw non-ASCII character in the path: percent-encode it");
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray()))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new Refusal("bad-request", "the DocumentId in the path is not UTF-8");
        }
    }

}
