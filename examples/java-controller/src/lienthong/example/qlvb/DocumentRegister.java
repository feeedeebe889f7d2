package lienthong.example.qlvb;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The document register (sổ văn bản) of this example, kept in memory: what came from the axis
 * and what was done with it, the documents received and sent with their statuses, and the
 * outbox of messages waiting to go to the axis.
 *
 * <p><b>This is where your software plugs in.</b> A real QLVB keeps all of this in its own
 * database (incoming register, outgoing register, status history, a send queue). Keep the
 * rules that make the example pass: write a message down <i>before</i> acknowledging it,
 * write a status to the outbox <i>before</i> sending it and re-send the very same bytes on a
 * retry, and never reuse a document number.
 *
 * <p>Every method is called with the register's monitor held ({@code synchronized
 * (register)}): one lock keeps the example simple.
 */
public final class DocumentRegister {
    /** What became of a message fetched from the axis (keyed by its axis DocId). */
    public enum Outcome { REGISTERED, REFUSED, DUPLICATE, UNREADABLE, REVOKE, UPDATE, STATUS, IGNORED }

    /** A status sent or received about a document. */
    public record StatusRecord(String code, String from, String to, String timestamp, String description, String direction) {}

    /** A document in the incoming register. */
    public static final class Received {
        public final String documentId;
        public final String axisDocId;
        public final String sender;
        public final List<String> recipients;
        public final String code;
        public final String promulgationDate;
        public final String subject;
        public final String businessKind;
        public boolean revoked;
        /** The document's statuses at this software's agency. */
        public final Lifecycle lifecycle = new Lifecycle();
        public final List<StatusRecord> statuses = new ArrayList<>();

        public Received(String documentId, String axisDocId, String sender, List<String> recipients, String code,
                String promulgationDate, String subject, String businessKind) {
            this.documentId = documentId;
            this.axisDocId = axisDocId;
            this.sender = sender;
            this.recipients = List.copyOf(recipients);
            this.code = code;
            this.promulgationDate = promulgationDate;
            this.subject = subject;
            this.businessKind = businessKind;
        }
    }

    /** A document this software issued and sent. */
    public static final class Sent {
        public final String documentId;
        public final String code;
        public final String promulgationDate;
        public final String subject;
        public final List<String> recipients;
        public final Outbox.Item item;
        /** Each recipient's statuses, as they come back. */
        public final Map<String, Lifecycle> byRecipient = new LinkedHashMap<>();
        public final List<StatusRecord> statuses = new ArrayList<>();

        public Sent(String documentId, String code, String promulgationDate, String subject, List<String> recipients,
                Outbox.Item item) {
            this.documentId = documentId;
            this.code = code;
            this.promulgationDate = promulgationDate;
            this.subject = subject;
            this.recipients = List.copyOf(recipients);
            this.item = item;
            for (String recipient : recipients) {
                byRecipient.put(recipient, new Lifecycle());
            }
        }
    }

    public final Map<String, Outcome> inbound = new HashMap<>();
    public final Map<String, Received> received = new LinkedHashMap<>();
    public final Map<String, Sent> sent = new LinkedHashMap<>();
    /** DocumentIds revoked (or replaced) by their sender, also before they arrive. */
    public final Set<String> revoked = new HashSet<>();
    public final Outbox outbox = new Outbox();
    private long lastNumber;

    /** The next document number (số) of this agency: never reused, not even after a reset. */
    public long nextNumber() {
        return ++lastNumber;
    }

    /** Mark {@code documentId} revoked, whether it is registered already or arrives later. */
    public void revoke(String documentId) {
        revoked.add(documentId);
        Received doc = received.get(documentId);
        if (doc != null) {
            doc.revoked = true;
        }
    }

    /** Forget every message and document (the document counter is kept). */
    public void wipe() {
        inbound.clear();
        received.clear();
        sent.clear();
        revoked.clear();
        outbox.clear();
    }
}
