package lienthong.example.controller;

import java.time.LocalDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import lienthong.example.edxml.EdXmlWriter;
import lienthong.example.json.Fields;
import lienthong.example.json.Json;
import lienthong.example.qlvb.DocumentRegister;
import lienthong.example.qlvb.Lifecycle;
import lienthong.example.qlvb.ModelClock;
import lienthong.example.qlvb.Qlvb;
import lienthong.example.qlvb.Refusal;
import lienthong.example.qlvb.Settings;

/**
 * The endpoints of the adapter contract, each turned into a call of the software
 * ({@link Qlvb}) and its answer into the contract's JSON. Requests are read strictly: a key
 * the contract does not name, or a value of the wrong shape, is a {@code bad-request}.
 */
final class Endpoints {
    static final String CONTRACT_VERSION = "1.0";
    static final String PRODUCT = "Example QLVB (Java)";
    static final String VENDOR = "lienthong examples";
    static final String VERSION = "1.0.0";
    /** What this software implements beyond the required endpoints. */
    static final List<String> CAPABILITIES = List.of("registered", "reset", "take-back", "clock");
    private static final long SEND_WAIT_MS = 2_000;

    record Answer(int status, Object body) {}

    private final Qlvb qlvb;
    private final String build;

    Endpoints(Qlvb qlvb, String build) {
        this.qlvb = qlvb;
        this.build = build;
    }

    Answer route(String method, String path, String rawQuery, String body) {
        switch (method + " " + path) {
            case "GET /info":
                return ok(info());
            case "POST /configure":
                return ok(configure(request(body)));
            case "POST /reset":
                request(body).only(Set.of());
                qlvb.reset();
                return ok(Map.of("reset", true));
            case "POST /documents":
                return new Answer(201, send(request(body)));
            case "GET /documents":
                return ok(Map.of("documents", documents(direction(rawQuery))));
            default:
                break;
        }
        String prefix = "/documents/";
        if (!path.startsWith(prefix)) {
            throw noEndpoint(method, path);
        }
        String rest = path.substring(prefix.length());
        if (method.equals("GET") && !rest.isEmpty() && !rest.contains("/")) {
            return ok(document(PathSegment.decode(rest)));
        }
        if (!method.equals("POST")) {
            throw noEndpoint(method, path);
        }
        for (String suffix : List.of("/take-back/answer", "/take-back", "/actions")) {
            if (rest.endsWith(suffix) && rest.length() > suffix.length()) {
                String documentId = PathSegment.decode(rest.substring(0, rest.length() - suffix.length()));
                Fields fields = request(body);
                return ok(switch (suffix) {
                    case "/actions" -> act(documentId, fields);
                    case "/take-back" -> takeBack(documentId, fields);
                    default -> answerTakeBack(documentId, fields);
                });
            }
        }
        throw noEndpoint(method, path);
    }

    private static Answer ok(Object body) {
        return new Answer(200, body);
    }

    private static Refusal noEndpoint(String method, String path) {
        return new Refusal("bad-request", "no endpoint " + method + " " + ControllerServer.BASE + path
                + " in adapter contract " + CONTRACT_VERSION);
    }

    private static Fields request(String body) {
        return Fields.of(Json.parse(body.isBlank() ? "{}" : body), "body");
    }

    // -- the endpoints -------------------------------------------------------------------

    private Map<String, Object> info() {
        Settings s = qlvb.settings();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("contractVersion", CONTRACT_VERSION);
        out.put("product", PRODUCT);
        out.put("vendor", VENDOR);
        out.put("version", VERSION);
        if (build != null) {
            out.put("build", build); // adapter contract 1.1: recorded in the certificate
        }
        out.put("capabilities", CAPABILITIES);
        out.put("configured", s != null);
        out.put("organId", s == null ? null : s.organId());
        out.put("systemId", s == null ? null : s.systemId());
        return out;
    }

    private Map<String, Object> configure(Fields body) {
        body.only(Set.of("axisEndpoint", "systemId", "secret", "organId", "caPem", "signing", "requireSignature",
                "clock", "pollIntervalSeconds"));
        String endpoint = body.text("axisEndpoint", true);
        if (!endpoint.startsWith("http://") && !endpoint.startsWith("https://")) {
            throw new Refusal("bad-request", "axisEndpoint " + endpoint + " must be an http(s):// URL");
        }
        String systemId = body.text("systemId", true);
        String secret = body.text("secret", true);
        String organId = body.text("organId", true);
        // This example does not sign or verify documents (no 'signature' capability): the CA,
        // the signing key and requireSignature are read and otherwise left alone.
        body.text("caPem", false);
        Fields signing = body.object("signing", false);
        if (signing != null) {
            signing.only(Set.of("keyPem", "certPem")).text("keyPem", true);
            signing.text("certPem", true);
        }
        body.bool("requireSignature", false);
        ModelClock clock = ModelClock.vietnam();
        Fields given = body.object("clock", false);
        if (given != null) {
            given.only(Set.of("timeScale", "modelTime"));
            Double scale = given.positive("timeScale");
            String modelTime = given.text("modelTime", true);
            if (scale == null) {
                throw new Refusal("bad-request", "body.clock.timeScale is required (a number > 0)");
            }
            try {
                clock = new ModelClock(LocalDateTime.parse(modelTime, ModelClock.TIMESTAMP), scale);
            } catch (DateTimeParseException e) {
                throw new Refusal("bad-request", "body.clock.modelTime " + modelTime + " is not yyyy/MM/dd HH:mm:ss");
            }
        }
        Double poll = body.positive("pollIntervalSeconds");
        qlvb.configure(new Settings(endpoint, systemId, secret, organId, null, clock,
                poll == null ? Qlvb.DEFAULT_POLL_INTERVAL : poll));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("configured", true);
        out.put("organId", organId);
        out.put("systemId", systemId);
        return out;
    }

    private Map<String, Object> send(Fields body) {
        body.only(Set.of("to", "subject", "content", "typeName", "codeNumber", "codeNotation", "steeringType",
                "dueDate", "attachments", "business"));
        if (body.has("business")) {
            throw new Refusal("not-supported", "this software sends new documents only: revoke, update and replace "
                    + "(capability 'business-kinds') are not implemented");
        }
        List<String> to = body.texts("to", true);
        if (to.isEmpty() || Set.copyOf(to).size() != to.size()) {
            throw new Refusal("bad-request", "body.to must list at least one recipient, each once");
        }
        String subject = body.text("subject", true);
        if (subject.length() > 500) {
            throw new Refusal("bad-request", "body.subject is longer than 500 characters");
        }
        String dueDate = body.text("dueDate", false);
        if (dueDate != null && !dueDate.matches("[0-9]{4}/[0-9]{2}/[0-9]{2}")) {
            throw new Refusal("bad-request", "body.dueDate " + dueDate + " is not yyyy/MM/dd");
        }
        List<EdXmlWriter.Attachment> files = new ArrayList<>();
        for (Fields file : body.objects("attachments", true)) {
            file.only(Set.of("name", "contentBase64", "contentType", "description"));
            String name = file.text("name", true);
            byte[] content;
            try {
                content = Base64.getDecoder().decode(file.string("contentBase64", true));
            } catch (IllegalArgumentException e) {
                throw new Refusal("bad-request", "attachment " + name + ": contentBase64 is not base64");
            }
            files.add(new EdXmlWriter.Attachment(name, ContentTypes.of(content, name), content));
        }
        Long steering = body.integer("steeringType", 0, 2);
        Qlvb.Outgoing outgoing = new Qlvb.Outgoing(to, subject, body.text("content", false),
                body.has("typeName") ? body.text("typeName", true) : "Công văn",
                body.text("codeNumber", false), body.text("codeNotation", false),
                steering == null ? 0 : steering.intValue(), dueDate, files);
        DocumentRegister.Sent sent = qlvb.send(outgoing);
        String axisDocId = qlvb.awaitSent(sent.item, SEND_WAIT_MS);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("documentId", sent.documentId);
        out.put("code", sent.code);
        out.put("promulgationDate", sent.promulgationDate);
        out.put("to", sent.recipients);
        out.put("businessKind", "new");
        out.put("axisDocId", axisDocId);
        return out;
    }

    private Map<String, Object> act(String documentId, Fields body) {
        body.only(Set.of("action", "reason", "staff"));
        String action = body.text("action", true);
        Qlvb.Result result = qlvb.act(documentId, action, body.text("reason", false), body.text("staff", false));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("documentId", result.documentId());
        out.put("action", action);
        out.put("statusCode", result.statusCode());
        out.put("state", result.state());
        return out;
    }

    private Map<String, Object> takeBack(String documentId, Fields body) {
        body.only(Set.of("recipient", "reason"));
        String recipient = body.text("recipient", true);
        Qlvb.Result result = qlvb.requestTakeBack(documentId, recipient, body.text("reason", true));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("documentId", result.documentId());
        out.put("recipient", recipient);
        out.put("statusCode", result.statusCode());
        return out;
    }

    private Map<String, Object> answerTakeBack(String documentId, Fields body) {
        body.only(Set.of("agree", "requester", "reason"));
        Qlvb.Result result = qlvb.answerTakeBack(
                documentId, body.text("requester", false), body.bool("agree", true), body.text("reason", false));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("documentId", result.documentId());
        out.put("statusCode", result.statusCode());
        out.put("state", result.state());
        return out;
    }

    private static String direction(String rawQuery) {
        if (rawQuery == null || rawQuery.isEmpty()) {
            return null;
        }
        for (String pair : rawQuery.split("&")) {
            if (pair.equals("direction=received") || pair.equals("direction=sent")) {
                return pair.substring("direction=".length());
            }
        }
        throw new Refusal("bad-request", "query " + rawQuery + ": only direction=received or direction=sent");
    }

    private List<Object> documents(String direction) {
        List<Object> out = new ArrayList<>();
        synchronized (qlvb.register) {
            for (Object doc : qlvb.documents(direction)) {
                out.add(registered(doc));
            }
        }
        return out;
    }

    private Map<String, Object> document(String documentId) {
        synchronized (qlvb.register) {
            DocumentRegister.Received received = qlvb.register.received.get(documentId);
            if (received != null) {
                return registered(received);
            }
            DocumentRegister.Sent sent = qlvb.register.sent.get(documentId);
            if (sent != null) {
                return registered(sent);
            }
        }
        throw new Refusal("unknown-document", "no document with DocumentId " + documentId + " in the register");
    }

    /** A register entry as {@code common.schema.json#/$defs/RegisteredDocument}. */
    private Map<String, Object> registered(Object entry) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (entry instanceof DocumentRegister.Received doc) {
            out.put("documentId", doc.documentId);
            out.put("direction", "received");
            out.put("from", doc.sender);
            out.put("to", doc.recipients);
            out.put("subject", doc.subject);
            out.put("code", doc.code);
            out.put("promulgationDate", doc.promulgationDate);
            out.put("businessKind", doc.businessKind);
            out.put("state", doc.lifecycle.state());
            out.put("revoked", doc.revoked);
            out.put("withdrawn", doc.lifecycle.withdrawn());
            out.put("takeBackPending", doc.lifecycle.takeBackPending());
            out.put("axisDocIds", List.of(doc.axisDocId));
            out.put("statuses", statuses(doc.statuses));
            return out;
        }
        DocumentRegister.Sent doc = (DocumentRegister.Sent) entry;
        out.put("documentId", doc.documentId);
        out.put("direction", "sent");
        out.put("from", doc.documentId.split(",", 2)[0]);
        out.put("to", doc.recipients);
        out.put("subject", doc.subject);
        out.put("code", doc.code);
        out.put("promulgationDate", doc.promulgationDate);
        out.put("businessKind", "new");
        List<Object> recipients = new ArrayList<>();
        for (Map.Entry<String, Lifecycle> at : doc.byRecipient.entrySet()) {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("organId", at.getKey());
            one.put("state", at.getValue().state());
            one.put("takeBackPending", at.getValue().takeBackPending());
            recipients.add(one);
        }
        out.put("recipients", recipients);
        out.put("axisDocIds", doc.item.axisDocId == null ? List.of() : List.of(doc.item.axisDocId));
        out.put("statuses", statuses(doc.statuses));
        return out;
    }

    private static List<Object> statuses(List<DocumentRegister.StatusRecord> records) {
        List<Object> out = new ArrayList<>();
        for (DocumentRegister.StatusRecord r : records) {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("code", r.code());
            one.put("from", r.from());
            one.put("to", r.to());
            one.put("timestamp", r.timestamp());
            one.put("description", r.description());
            one.put("direction", r.direction());
            out.add(one);
        }
        return out;
    }
}
