package lienthong.example.qlvb;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;
import lienthong.example.edxml.EdXmlWriter;
import lienthong.example.edxml.EdXmlWriter.About;
import lienthong.example.edxml.EdXmlWriter.Organization;
import lienthong.example.edxml.EdXmlWriter.Staff;
import lienthong.example.qlvb.DocumentRegister.Received;
import lienthong.example.qlvb.DocumentRegister.Sent;
import lienthong.example.qlvb.DocumentRegister.StatusRecord;

/**
 * The document-management software (phần mềm quản lý văn bản, QLVB) of this example: what a
 * registry clerk and a leader can do with documents, and the status messages that follow.
 *
 * <p>The controller ({@link lienthong.example.controller.ControllerServer}) calls these
 * methods when the suite presses a button; in your software they are the actions your users
 * already have (accept, refuse, assign …). The {@link Worker} runs the receive loop and sends
 * what the outbox holds.
 */
public final class Qlvb {
    private static final Logger LOG = Logger.getLogger(Qlvb.class.getName());
    /** Model seconds between polls when the configuration names none. */
    public static final double DEFAULT_POLL_INTERVAL = 30.0;
    public static final Map<String, String> MEANING = Map.of(
            "01", "Đã đến - Phần mềm QLVB đã nhận nhưng văn thư chưa xử lý",
            "02", "Từ chối không tiếp nhận văn bản điện tử",
            "03", "Tiếp nhận văn bản điện tử, vào sổ văn bản đến",
            "04", "Phân công xử lý",
            "05", "Đang xử lý văn bản đến",
            "06", "Hoàn thành xử lý",
            "13", "Yêu cầu lấy lại văn bản điện tử",
            "15", "Đồng ý yêu cầu cập nhật, lấy lại",
            "16", "Từ chối yêu cầu cập nhật, lấy lại");
    /** The status each clerk action sends. */
    public static final Map<String, String> ACTION_STATUS = Map.of(
            "accept", "03", "refuse", "02", "assign", "04", "process", "05", "complete", "06");

    /** The result of an action: the status it sent and where the document stands now. */
    public record Result(String documentId, String statusCode, String state) {}

    public final DocumentRegister register = new DocumentRegister();
    private Settings settings;
    private Worker worker;

    // -- configuration ---------------------------------------------------------------------

    /** Work for {@code settings}' agency against its axis (replacing any earlier settings). */
    public void configure(Settings settings) {
        Worker old;
        synchronized (register) {
            old = worker;
            worker = null;
        }
        if (old != null) {
            old.stop();
        }
        Worker fresh = new Worker(this, settings);
        synchronized (register) {
            this.settings = settings;
            this.worker = fresh;
        }
        fresh.start();
        LOG.info("configured: " + settings);
    }

    /** Stop working and forget every document, status and the configuration. */
    public void reset() {
        Worker old;
        synchronized (register) {
            old = worker;
            worker = null;
            settings = null;
        }
        if (old != null) {
            old.stop();
        }
        synchronized (register) {
            register.wipe();
        }
    }

    public Settings settings() {
        synchronized (register) {
            return settings;
        }
    }

    Settings configured() {
        if (settings == null) {
            throw new Refusal("not-configured", "configure the software first (POST /lienthong/v1/configure)");
        }
        return settings;
    }

    void wakeWorker() {
        Worker w = worker;
        if (w != null) {
            w.wake();
        }
    }

    // -- statuses --------------------------------------------------------------------------

    Staff clerk(String name) {
        return new Staff("Văn thư", name == null || name.isBlank() ? "Cán bộ văn thư" : name, "0912000000",
                "vanthu@example.gov.vn");
    }

    static Organization me(Settings s) {
        return new Organization(s.organId(), s.agencyName());
    }

    /**
     * Put status {@code code} about received document {@code doc} in the outbox, addressed to
     * its sender (call with the register's monitor held, after the lifecycle allowed it).
     */
    void emit(Settings s, Received doc, String code, String description, String staff) {
        String text = description == null || description.isBlank() ? MEANING.get(code) : description;
        String timestamp = s.clock().timestamp();
        byte[] payload = EdXmlWriter.status(me(s), new About(doc.sender, doc.code, doc.promulgationDate, doc.documentId),
                doc.sender, code, text, clerk(staff), timestamp);
        register.outbox.add("status", doc.documentId, payload);
        doc.lifecycle.apply(code);
        doc.statuses.add(new StatusRecord(code, s.organId(), doc.sender, timestamp, text, "sent"));
    }

    // -- what the clerk does with a received document -------------------------------------

    /** Accept, refuse (with a reason), assign, process or complete a received document. */
    public Result act(String documentId, String action, String reason, String staff) {
        String code = ACTION_STATUS.get(action);
        if (code == null) {
            throw new Refusal("bad-request", "action \"" + action + "\" is not one of " + ACTION_STATUS.keySet());
        }
        Result result;
        synchronized (register) {
            Settings s = configured();
            Received doc = receivedDocument(documentId);
            if (doc.revoked) {
                throw new Refusal("illegal-transition", "document " + doc.code + " was revoked or replaced by its sender "
                        + doc.sender + "; it is not processed any further");
            }
            Lifecycle.Rejection rejection = doc.lifecycle.check(code);
            if (rejection != null) {
                throw new Refusal("illegal-transition", rejection.message(), rejection.rule());
            }
            if ("02".equals(code) && (reason == null || reason.isBlank())) {
                throw new Refusal("bad-request", "a refusal needs a reason");
            }
            emit(s, doc, code, "02".equals(code) ? reason : null, staff);
            result = new Result(documentId, code, doc.lifecycle.state());
        }
        wakeWorker();
        return result;
    }

    /** Answer the take-back request (13) the sender of a received document made: 15 or 16. */
    public Result answerTakeBack(String documentId, String requester, boolean agree, String reason) {
        String code = agree ? "15" : "16";
        Result result;
        synchronized (register) {
            Settings s = configured();
            Received doc = receivedDocument(documentId);
            if (requester != null && !requester.equals(doc.sender)) {
                throw new Refusal("bad-request", "requester " + requester + " did not send document " + doc.code
                        + " (its sender is " + doc.sender + ")");
            }
            Lifecycle.Rejection rejection = doc.lifecycle.check(code);
            if (rejection != null) {
                throw new Refusal("illegal-transition", rejection.message(), rejection.rule());
            }
            if (!agree && (reason == null || reason.isBlank())) {
                throw new Refusal("bad-request", "refusing a take-back (16) needs a reason");
            }
            emit(s, doc, code, reason, null);
            result = new Result(documentId, code, doc.lifecycle.state());
        }
        wakeWorker();
        return result;
    }

    Received receivedDocument(String documentId) {
        Received doc = register.received.get(documentId);
        if (doc == null) {
            throw new Refusal("unknown-document", "no received document with DocumentId " + documentId
                    + " (not delivered yet?)");
        }
        return doc;
    }

    // -- what the clerk does with a document this agency sent -----------------------------

    /** A new document to send. */
    public record Outgoing(List<String> to, String subject, String content, String typeName, String codeNumber,
            String codeNotation, int steeringType, String dueDate, List<EdXmlWriter.Attachment> attachments) {}

    /** Issue {@code outgoing} (number, date, DocumentId) and put it in the outbox. */
    public Sent send(Outgoing outgoing) {
        Sent sent;
        synchronized (register) {
            Settings s = configured();
            for (String recipient : outgoing.to()) {
                if (recipient.endsWith(".W00") || recipient.equals(s.organId())) {
                    throw new Refusal("bad-request", "recipient " + recipient
                            + " is a connection system or this agency itself, not an agency to send to");
                }
            }
            String number = outgoing.codeNumber() != null ? outgoing.codeNumber() : Long.toString(register.nextNumber());
            String notation = outgoing.codeNotation() != null ? outgoing.codeNotation() : "VP";
            String date = s.clock().today();
            String documentId = s.organId() + "," + date + "," + number + "/" + notation;
            if (register.sent.containsKey(documentId)) {
                throw new Refusal("bad-request", "DocumentId " + documentId + " was issued already: choose another số");
            }
            byte[] payload = EdXmlWriter.document(new EdXmlWriter.Document(me(s), outgoing.to(), number, notation, date,
                    outgoing.typeName(), outgoing.subject(), outgoing.content(), outgoing.steeringType(),
                    outgoing.dueDate(), documentId, s.clock().timestamp(), clerk(null), outgoing.attachments()));
            Outbox.Item item = register.outbox.add("edoc", documentId, payload);
            sent = new Sent(documentId, number + "/" + notation, date, outgoing.subject(), outgoing.to(), item);
            register.sent.put(documentId, sent);
        }
        wakeWorker();
        return sent;
    }

    /** Wait (at most {@code millis}) until {@code item} has left the outbox; its DocId, or null. */
    public String awaitSent(Outbox.Item item, long millis) {
        long deadline = System.nanoTime() + millis * 1_000_000L;
        synchronized (register) {
            while ("pending".equals(item.state)) {
                long left = (deadline - System.nanoTime()) / 1_000_000L;
                if (left <= 0) {
                    return null;
                }
                try {
                    register.wait(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return null;
                }
            }
            return item.axisDocId;
        }
    }

    /** Ask {@code recipient} to give back a document this agency sent: status 13. */
    public Result requestTakeBack(String documentId, String recipient, String reason) {
        Result result;
        synchronized (register) {
            Settings s = configured();
            Sent sent = register.sent.get(documentId);
            if (sent == null) {
                throw new Refusal("unknown-document", "this agency sent no document with DocumentId " + documentId);
            }
            Lifecycle lifecycle = sent.byRecipient.get(recipient);
            if (lifecycle == null) {
                throw new Refusal("bad-request", recipient + " is not a recipient of " + sent.code + " " + sent.recipients);
            }
            Lifecycle.Rejection rejection = lifecycle.check("13");
            if (rejection != null) {
                throw new Refusal("illegal-transition", rejection.message(), rejection.rule());
            }
            String timestamp = s.clock().timestamp();
            byte[] payload = EdXmlWriter.status(me(s), new About(s.organId(), sent.code, sent.promulgationDate, documentId),
                    recipient, "13", reason, clerk(null), timestamp);
            register.outbox.add("status", documentId, payload);
            lifecycle.apply("13");
            sent.statuses.add(new StatusRecord("13", s.organId(), recipient, timestamp, reason, "sent"));
            result = new Result(documentId, "13", lifecycle.state());
        }
        wakeWorker();
        return result;
    }

    /** Every registered document (received, sent, or both when {@code direction} is null). */
    public List<Object> documents(String direction) {
        synchronized (register) {
            List<Object> out = new ArrayList<>();
            if (direction == null || direction.equals("received")) {
                register.received.values().forEach(doc -> out.add(doc));
            }
            if (direction == null || direction.equals("sent")) {
                register.sent.values().forEach(doc -> out.add(doc));
            }
            return out;
        }
    }
}
