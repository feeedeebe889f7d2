package lienthong.example;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import lienthong.example.controller.ContentTypes;
import lienthong.example.controller.PathSegment;
import lienthong.example.edxml.EdXml;
import lienthong.example.edxml.EdXmlWriter;
import lienthong.example.edxml.Received;
import lienthong.example.json.Json;
import lienthong.example.json.JsonException;
import lienthong.example.qlvb.Lifecycle;
import lienthong.example.qlvb.Refusal;
import lienthong.example.vxp.VxpSigner;

/**
 * The example's own checks, JDK only (no test framework): the JSON reader and writer, the VXP
 * request signature against the worked example of AXIS_PROTOCOL.md section 2, the status
 * lifecycle, safe XML reading, and the path encoding of DocumentIds. Exit status 0 when every
 * check holds. With {@code --samples DIR} it also writes a status and a document as this
 * software sends them, for lienthong's validator to judge.
 */
public final class SelfTest {
    private int passed;
    private final List<String> failed = new ArrayList<>();

    public static void main(String[] args) throws Exception {
        SelfTest t = new SelfTest();
        t.json();
        t.signature();
        t.lifecycle();
        t.xml();
        t.paths();
        if (args.length == 2 && args[0].equals("--samples")) {
            t.samples(Path.of(args[1]));
        }
        for (String failure : t.failed) {
            System.out.println("FAILED: " + failure);
        }
        System.out.println("self-test: " + t.passed + " checks held, " + t.failed.size() + " did not");
        System.exit(t.failed.isEmpty() ? 0 : 1);
    }

    private void check(boolean ok, String what) {
        if (ok) {
            passed++;
        } else {
            failed.add(what);
        }
    }

    private void equal(Object got, Object wanted, String what) {
        check(wanted == null ? got == null : wanted.equals(got), what + ": got " + got + ", wanted " + wanted);
    }

    private void refused(String json, String what) {
        try {
            Json.parse(json);
            failed.add("JSON reader accepted " + what + ": " + json);
        } catch (JsonException e) {
            passed++;
        }
    }

    // -- JSON ----------------------------------------------------------------------------

    private void json() {
        Object value = Json.parse(" {\"a\": [1, -2, 3.5, 1e3, true, false, null], \"b\": \"x\\\"y\\\\z\\/\\n\","
                + " \"c\": {}, \"d\": [], \"é\": \"Phú Thọ\", \"s\": \"\\u00e9\\ud83d\\ude00\"} ");
        @SuppressWarnings("unchecked")
        Map<String, Object> map = (Map<String, Object>) value;
        equal(map.keySet().toString(), "[a, b, c, d, é, s]", "key order is kept");
        List<?> a = (List<?>) map.get("a");
        equal(a.get(0), 1L, "a whole number is a Long");
        equal(a.get(1), -2L, "a negative whole number");
        equal(a.get(2), new BigDecimal("3.5"), "a fraction is a BigDecimal");
        equal(a.get(3), new BigDecimal("1e3"), "an exponent is a BigDecimal");
        equal(a.get(4), Boolean.TRUE, "true");
        check(a.get(6) == null && a.size() == 7, "null is Java's null and counts as an element");
        equal(map.get("b"), "x\"y\\z/\n", "escapes are decoded");
        equal(map.get("é"), "Phú Thọ", "non-ASCII text is read as is");
        equal(map.get("s"), "é😀", "\\u escapes, with a surrogate pair");
        equal(Json.parse("12345678901234567890"), new BigDecimal("12345678901234567890"), "a number past Long");
        String written = Json.write(map);
        equal(Json.parse(written), map, "what is written reads back the same");
        equal(Json.write("a\"b\\c\n\u0001é"), "\"a\\\"b\\\\c\\n\\u0001é\"", "the writer escapes what JSON needs");
        Map<String, Object> ordered = new LinkedHashMap<>();
        ordered.put("z", 1L);
        ordered.put("a", List.of("x", true));
        ordered.put("n", null);
        equal(Json.write(ordered), "{\"z\":1,\"a\":[\"x\",true],\"n\":null}", "compact, in order");
        refused("{\"a\":1,}", "a trailing comma");
        refused("[1,]", "a trailing comma in an array");
        refused("{'a':1}", "single quotes");
        refused("// c\n{}", "a comment");
        refused("012", "a leading zero");
        refused("1.", "a fraction without digits");
        refused("-", "a minus alone");
        refused("\"a\tb\"", "a raw tab in a string");
        refused("\"\\ud800\"", "a lone surrogate escape");
        refused("\"\\x41\"", "an unknown escape");
        refused("{\"a\":1,\"a\":2}", "a duplicate key");
        refused("{} {}", "text after the value");
        refused("", "nothing");
        refused("tru", "a cut word");
        refused("[".repeat(Json.MAX_DEPTH + 1) + "]".repeat(Json.MAX_DEPTH + 1), "nesting past the limit");
        check(Json.parse("[".repeat(Json.MAX_DEPTH) + "]".repeat(Json.MAX_DEPTH)) instanceof List,
                "nesting up to the limit is read");
        try {
            Json.write(Double.NaN);
            failed.add("the writer wrote NaN");
        } catch (IllegalArgumentException e) {
            passed++;
        }
    }

    // -- the VXP signature ---------------------------------------------------------------

    private void signature() {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("systemid", "vxp.test.01");
        headers.put("timestamp", "21112026T114905+0495");
        headers.put("Content-Type", "application/json");
        String signHeader = VxpSigner.signHeader(headers);
        equal(signHeader, "{\"XroadVnpt-systemid\":\"vxp.test.01\",\"XroadVnpt-timestamp\":\"21112026T114905+0495\","
                + "\"XroadVnpt-Content-Type\":\"application/json\"}", "sign-header of the worked example");
        equal(VxpSigner.hmacHex("s3cr3t-Key", signHeader),
                "59b9ce731ccf4428d8fcc2b2e95d1c18d85b60083176bc7443efa4080a60eea9", "hash-header of the worked example");
        Map<String, String> wire = VxpSigner.wireHeaders(headers, "s3cr3t-Key");
        equal(wire.get("XroadVnpt-sign-header-key"), "systemid;timestamp;Content-Type", "sign-header-key");
        equal(wire.get("Content-Type"), "application/json", "the plain Content-Type rides along");
        equal(wire.get("XroadVnpt-systemid"), "vxp.test.01", "each signed header is sent prefixed");
        ZonedDateTime moment = ZonedDateTime.of(2026, 11, 21, 11, 49, 5, 495_000_000, ZoneOffset.ofHours(7));
        equal(VxpSigner.timestamp(moment), "21112026T114905+0495", "the SDK's timestamp format");
        headers.put("note", "a \"quoted\" \\ value");
        check(VxpSigner.signHeader(headers).endsWith("\"XroadVnpt-note\":\"a \\\"quoted\\\" \\\\ value\"}"),
                "only \" and \\ are escaped in the sign-header");
    }

    // -- the lifecycle -------------------------------------------------------------------

    private String after(String... codes) {
        Lifecycle lifecycle = new Lifecycle();
        for (int i = 0; i < codes.length - 1; i++) {
            lifecycle.apply(codes[i]);
        }
        Lifecycle.Rejection rejection = lifecycle.check(codes[codes.length - 1]);
        return rejection == null ? "ok" : rejection.rule();
    }

    private void lifecycle() {
        equal(after("01", "03", "04", "05", "06"), "ok", "the forward path");
        equal(after("03", "06"), "ok", "steps may be skipped");
        equal(after("01", "03", "01"), "LC-FORWARD-ONLY", "never back");
        equal(after("01", "03", "03"), "LC-NO-REPEAT", "no repeat");
        equal(after("01", "03", "02"), "LC-REFUSAL-BEFORE-ACCEPT", "02 only before 03");
        equal(after("01", "02", "03"), "LC-NOTHING-AFTER-REFUSAL", "nothing after 02");
        equal(after("01", "02", "02"), "LC-NO-REPEAT", "02 once");
        equal(after("01", "15"), "LC-ANSWER-NEEDS-REQUEST", "an answer needs a 13");
        equal(after("01", "13", "13"), "LC-TAKE-BACK-ONE-AT-A-TIME", "one 13 at a time");
        equal(after("01", "13", "16", "13"), "ok", "asking again after a 16");
        equal(after("01", "13", "16", "16"), "LC-TAKE-BACK-ANSWER-ONCE", "one answer per request");
        equal(after("01", "13", "15", "03"), "LC-WITHDRAWN-FINAL", "nothing after 15");
        equal(after("01", "03", "06", "13"), "LC-TAKE-BACK-BEFORE-COMPLETE", "no 13 after 06");
        equal(after("01", "13", "06"), "ok", "forward codes while a 13 waits");
        Lifecycle lifecycle = new Lifecycle();
        lifecycle.apply("01");
        lifecycle.apply("13");
        check(lifecycle.takeBackPending() && "arrived".equals(lifecycle.state()), "a waiting 13 is pending");
        lifecycle.apply("15");
        check(lifecycle.withdrawn() && "withdrawn".equals(lifecycle.state()), "15 withdraws");
    }

    // -- XML -----------------------------------------------------------------------------

    private void unreadable(String xml, String what) {
        try {
            Received.read(xml.getBytes(StandardCharsets.UTF_8));
            failed.add("read " + what);
        } catch (EdXml.Unreadable e) {
            passed++;
        }
    }

    private void xml() throws EdXml.Unreadable {
        unreadable("<?xml version=\"1.0\"?><!DOCTYPE edXML [<!ENTITY a \"aaaa\">]><edXML>&a;</edXML>", "a DTD");
        unreadable("<!DOCTYPE edXML SYSTEM \"file:///etc/passwd\"><edXML/>", "an external DTD");
        unreadable("%PDF-1.4 not XML", "bytes that are not XML");
        unreadable("<other/>", "another root element");
        unreadable("<edXML>" + "<a>".repeat(300) + "</a>".repeat(300) + "</edXML>", "nesting past 256 levels");
        byte[] status = sampleStatus();
        Received back = Received.read(status);
        equal(back.kind, "status", "a status is recognised");
        equal(back.statusCode, "02", "its StatusCode");
        equal(back.from, "000.00.00.H44", "its From");
        equal(back.responseForDocumentId, "000.00.00.G12,2026/11/20,15/BTC-VP", "its ResponseFor/DocumentId");
        equal(back.description, "Văn bản gửi nhầm <nơi> nhận & không thuộc thẩm quyền", "escaped text reads back");
        Received doc = Received.read(sampleDocument());
        equal(doc.kind, "edoc", "a document is recognised");
        equal(doc.problems(), List.of(), "the document it writes has no problem");
        equal(doc.documentId, "000.00.00.H44,2026/11/21,7/VP", "its DocumentId");
        equal(doc.to, List.of("000.00.00.G12", "000.00.00.H36"), "its recipients");
        String broken = new String(sampleDocument(), StandardCharsets.UTF_8)
                .replace("<edXML:Subject>V/v kiểm tra</edXML:Subject>", "<edXML:Subject>  </edXML:Subject>")
                .replaceFirst("(?s)<edXML:Attachment>.*</edXML:Attachment>", "");
        List<String> problems = Received.read(broken.getBytes(StandardCharsets.UTF_8)).problems();
        check(problems.stream().anyMatch(p -> p.contains("Subject")), "a blank Subject is a problem: " + problems);
        check(problems.stream().anyMatch(p -> p.contains("cid:1")), "a missing attachment is a problem: " + problems);
        equal(ContentTypes.of("%PDF-1.4".getBytes(StandardCharsets.US_ASCII), "a.zip"), "application/pdf",
                "a PDF is labelled by its bytes");
        equal(ContentTypes.of(new byte[] {'P', 'K', 3, 4, 0}, "a.pdf"), "application/zip", "a ZIP by its bytes");
        equal(ContentTypes.of(new byte[] {1, 2}, "a.pdf"), "application/octet-stream", "a false .pdf name");
        equal(ContentTypes.of("ghi chú\n".getBytes(StandardCharsets.UTF_8), "ghi_chu.pdf"), "text/plain",
                "text named .pdf is text");
        String mismatched = new String(sampleDocument(), StandardCharsets.UTF_8)
                .replace("<edXML:DocumentId>000.00.00.H44,2026/11/21,7/VP", "<edXML:DocumentId>000.00.00.H44,2026/11/20,7/VP");
        check(Received.read(mismatched.getBytes(StandardCharsets.UTF_8)).problems().stream()
                .anyMatch(p -> p.contains("DocumentId disagrees")), "a DocumentId dated otherwise is a problem");
        String uuid = new String(sampleDocument(), StandardCharsets.UTF_8)
                .replace("000.00.00.H44,2026/11/21,7/VP", "6f1d2b4e-8c3a-4f5e-9a7b-1c2d3e4f5a6b");
        equal(Received.read(uuid.getBytes(StandardCharsets.UTF_8)).problems(), List.of(),
                "a UUID DocumentId, seen in practice, is let pass");
        equal(ContentTypes.of(new byte[] {1, 2}, "bang.XLSX"),
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "by name otherwise");
    }

    private static byte[] sampleStatus() {
        return EdXmlWriter.status(new EdXmlWriter.Organization("000.00.00.H44", "Ủy ban nhân dân tỉnh Phú Thọ"),
                new EdXmlWriter.About("000.00.00.G12", "15/BTC-VP", "2026/11/20", "000.00.00.G12,2026/11/20,15/BTC-VP"),
                "000.00.00.G12", "02", "Văn bản gửi nhầm <nơi> nhận & không thuộc thẩm quyền",
                new EdXmlWriter.Staff("Văn thư", "Nguyễn Thị Lan", "0912000000", "vanthu@example.gov.vn"),
                "2026/11/21 09:30:00");
    }

    private static byte[] sampleDocument() {
        return EdXmlWriter.document(new EdXmlWriter.Document(
                new EdXmlWriter.Organization("000.00.00.H44", "Ủy ban nhân dân tỉnh Phú Thọ"),
                List.of("000.00.00.G12", "000.00.00.H36"), "7", "VP", "2026/11/21", "Công văn", "V/v kiểm tra",
                "Đề nghị các cơ quan phối hợp.", 0, "2026/12/15", "000.00.00.H44,2026/11/21,7/VP",
                "2026/11/21 09:30:00",
                new EdXmlWriter.Staff("Văn thư", "Nguyễn Văn An", "0912000000", "vanthu@example.gov.vn"),
                List.of(new EdXmlWriter.Attachment("congvan.pdf", "application/pdf",
                        "%PDF-1.4 example".getBytes(StandardCharsets.US_ASCII)))));
    }

    private void samples(Path folder) throws Exception {
        Files.createDirectories(folder);
        Files.write(folder.resolve("status.edxml"), sampleStatus());
        Files.write(folder.resolve("document.edxml"), sampleDocument());
    }

    // -- DocumentIds in paths ------------------------------------------------------------

    private void paths() {
        equal(PathSegment.decode("000.00.00.G22%2C2015%2F09%2F30%2C7816%2FVPCP-TT%C4%90T"),
                "000.00.00.G22,2015/09/30,7816/VPCP-TTĐT", "the contract's example id");
        for (String bad : List.of("a%2", "a%zz", "%C4", "ĐT")) {
            try {
                PathSegment.decode(bad);
                failed.add("decoded the bad segment " + bad);
            } catch (Refusal e) {
                equal(e.code, "bad-request", "a bad segment is a bad request");
            }
        }
    }
}
