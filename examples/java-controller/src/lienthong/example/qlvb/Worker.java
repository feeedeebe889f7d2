package lienthong.example.qlvb;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;
import lienthong.example.edxml.EdXml;
import lienthong.example.edxml.Received;
import lienthong.example.qlvb.DocumentRegister.Outcome;
import lienthong.example.qlvb.DocumentRegister.StatusRecord;
import lienthong.example.vxp.AxisException;
import lienthong.example.vxp.VxpClient;

/**
 * The software's background work for one configuration (AXIS_PROTOCOL.md section 6): send
 * what the outbox holds, list both inboxes, fetch each new delivery, write it down, acknowledge
 * it, react (01 or 02 for a document; note a status), and send what that produced; then wait
 * one poll interval, or longer after failures (exponential backoff, capped), so that an axis
 * in trouble is not hammered and a recovered one is polled again within minutes.
 *
 * <p>Order is the point: a message is written to the register before it is acknowledged
 * {@code done}; one that cannot be read is written down and acknowledged {@code fail} (and
 * not fetched again, only acknowledged {@code fail} again while it is listed); a delivery seen before, under the same axis DocId or (for a document)
 * the same DocumentId, is acknowledged again but reported only once.
 */
final class Worker {
    private static final Logger LOG = Logger.getLogger(Worker.class.getName());
    /** Model seconds the loop waits at most between cycles while the axis fails. */
    private static final double MAX_BACKOFF = 300.0;
    /** Model seconds an axis call may take, kept between 1 and 10 real seconds. */
    private static final double CALL_TIMEOUT = 60.0;
    private static final Set<String> KNOWN_CODES = Set.of("01", "02", "03", "04", "05", "06", "13", "15", "16");

    private final Qlvb qlvb;
    private final DocumentRegister register;
    private final Settings settings;
    private final VxpClient client;
    private final AtomicBoolean stopped = new AtomicBoolean();
    private final AxisLink link;
    private final Object wakeup = new Object();
    private boolean woken;
    private final Thread thread;

    Worker(Qlvb qlvb, Settings settings) {
        this.qlvb = qlvb;
        this.register = qlvb.register;
        this.settings = settings;
        long timeout = Math.min(10_000, Math.max(1_000, settings.clock().realMillis(CALL_TIMEOUT)));
        this.client = new VxpClient(settings.axisEndpoint(), settings.systemId(), settings.secret(),
                Duration.ofMillis(timeout));
        this.link = new AxisLink(settings.clock(), stopped);
        this.thread = new Thread(this::run, "qlvb-worker");
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    void stop() {
        stopped.set(true);
        wake();
        link.wakeUp();
        try {
            thread.join(25_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Cut the current wait short: something is waiting in the outbox. */
    void wake() {
        synchronized (wakeup) {
            woken = true;
            wakeup.notifyAll();
        }
    }

    private void run() {
        int failures = 0;
        while (!stopped.get()) {
            boolean ok = cycle();
            failures = ok ? 0 : Math.min(failures + 1, 20);
            double interval = Math.min(settings.pollInterval() * Math.pow(2, failures),
                    Math.max(settings.pollInterval(), MAX_BACKOFF));
            pause(settings.clock().realMillis(interval));
        }
    }

    private void pause(long millis) {
        long deadline = System.nanoTime() + Math.max(1, millis) * 1_000_000L;
        synchronized (wakeup) {
            while (!woken && !stopped.get()) {
                long left = (deadline - System.nanoTime()) / 1_000_000L;
                if (left <= 0) {
                    break;
                }
                try {
                    wakeup.wait(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            woken = false;
        }
    }

    /** One round; false when the axis failed in a way a later round may get past. */
    private boolean cycle() {
        try {
            if (!flush()) {
                return false;
            }
            poll();
            return flush();
        } catch (AxisException e) {
            LOG.warning("cycle failed: " + e.getMessage());
            return false;
        } catch (RuntimeException e) { // the loop must survive anything; the next round retries
            LOG.warning("cycle failed: " + e);
            return false;
        }
    }

    // -- sending -----------------------------------------------------------------------------

    /** Send every pending outbox item, oldest first; false when a transient failure stopped it. */
    private boolean flush() {
        List<Outbox.Item> pending;
        synchronized (register) {
            pending = register.outbox.pending();
        }
        Set<String> held = new HashSet<>(); // documents with an earlier item that could not go
        for (Outbox.Item item : pending) {
            if (stopped.get()) {
                return true;
            }
            if (held.contains(item.documentId)) {
                continue;
            }
            String docId;
            try {
                docId = link.call(() -> client.sendEdoc(item.payload, item.messagetype));
            } catch (AxisException e) {
                synchronized (register) {
                    item.lastError = e.getMessage();
                    if (!e.isTransient()) {
                        item.state = "failed"; // a refusal a retry cannot change
                        register.notifyAll();
                    }
                }
                if (e.isTransient()) {
                    LOG.warning("sending " + item.messagetype + " " + item.documentId + " failed: " + e.getMessage());
                    return false;
                }
                LOG.warning("the axis refused " + item.messagetype + " " + item.documentId + ": " + e.getMessage());
                held.add(item.documentId);
                continue;
            }
            synchronized (register) {
                item.state = "sent";
                item.axisDocId = docId;
                register.notifyAll();
            }
        }
        return true;
    }

    // -- receiving ---------------------------------------------------------------------------

    private void poll() throws AxisException {
        Set<String> handled = new HashSet<>();
        for (String messagetype : List.of("edoc", "status")) {
            List<Map<String, Object>> items = link.call(() -> client.getReceivedEdocList(messagetype));
            for (Map<String, Object> item : items) {
                if (stopped.get()) {
                    return;
                }
                if (!(item.get("docId") instanceof String docId) || docId.isEmpty() || !handled.add(docId)) {
                    continue;
                }
                try {
                    handle(docId);
                } catch (AxisException e) {
                    if (e.isTransient()) {
                        throw e; // the axis is unwell: end the round and back off
                    }
                    LOG.warning(messagetype + " " + docId + ": " + e.getMessage()); // the next round sees it again
                }
            }
        }
    }

    private void handle(String docId) throws AxisException {
        Outcome known;
        synchronized (register) {
            known = register.inbound.get(docId);
        }
        if (known != null) {
            // Listed again: the earlier ack may have been lost. The same answer again, as the
            // SDK's receive loop gives it (an unreadable message stays listed after its fail).
            ack(docId, known == Outcome.UNREADABLE ? "fail" : "done");
            return;
        }
        byte[] data = link.call(() -> client.getEdoc(docId));
        Received message;
        try {
            message = Received.read(data);
        } catch (EdXml.Unreadable e) {
            LOG.info("unreadable delivery " + docId + ": " + e.getMessage());
            synchronized (register) {
                register.inbound.put(docId, Outcome.UNREADABLE);
            }
            ack(docId, "fail");
            return;
        }
        synchronized (register) {
            if (stopped.get()) {
                return;
            }
            if ("status".equals(message.kind)) {
                register.inbound.put(docId, status(message));
            } else {
                register.inbound.put(docId, document(docId, message));
            }
        }
        ack(docId, "done");
    }

    private void ack(String docId, String word) {
        try {
            link.call(() -> {
                client.updateStatus(docId, word);
                return null;
            });
        } catch (AxisException e) {
            // The delivery stays listed; the next round finds it in the register and acks again.
            LOG.warning("ack " + word + " of " + docId + " failed: " + e.getMessage());
        }
    }

    /** A document arrived (called with the register's monitor held). */
    private Outcome document(String docId, Received m) {
        String me = settings.organId();
        List<String> problems = m.problems();
        String reason = null;
        if (!problems.isEmpty()) {
            reason = "Văn bản không hợp lệ: " + String.join("; ", problems.subList(0, Math.min(3, problems.size())));
        } else if (!m.to.contains(me)) {
            reason = "Văn bản không gửi đến cơ quan " + me + " (nơi nhận: " + String.join(", ", m.to) + ")";
        }
        if (reason != null && reason.length() > 500) {
            reason = reason.substring(0, 500);
        }
        String kind = m.businessDocType.isEmpty() ? "0" : m.businessDocType;
        String original = m.originalDocumentId.isEmpty() ? m.documentId : m.originalDocumentId;
        if (reason == null && "1".equals(kind)) { // revoke (thu hồi): the original goes no further
            register.revoke(original);
            return Outcome.REVOKE;
        }
        if (reason == null && "2".equals(kind) && register.received.containsKey(original)) {
            return Outcome.UPDATE; // update (cập nhật) of a document already registered
        }
        if (register.received.containsKey(m.documentId)) {
            return Outcome.DUPLICATE; // the same DocumentId again, under a new axis DocId
        }
        DocumentRegister.Received doc = new DocumentRegister.Received(m.documentId, docId, m.from, m.to,
                m.codeNumber + "/" + m.codeNotation, m.promulgationDate, m.subject,
                switch (kind) {
                    case "1" -> "revoke";
                    case "2" -> "update";
                    case "3" -> "replace";
                    default -> "new";
                });
        doc.revoked = register.revoked.contains(m.documentId);
        register.received.put(m.documentId, doc);
        if (reason != null) {
            qlvb.emit(settings, doc, "02", reason, null);
        } else {
            qlvb.emit(settings, doc, "01", null, null);
            if ("3".equals(kind)) { // replace (thay thế): what it replaces is withdrawn
                for (String replaced : m.replaces) {
                    if (!replaced.equals(m.documentId)) {
                        register.revoke(replaced);
                    }
                }
            }
        }
        return reason == null ? Outcome.REGISTERED : Outcome.REFUSED;
    }

    /** A status arrived (called with the register's monitor held). */
    private Outcome status(Received m) {
        String code = m.statusCode;
        if (!KNOWN_CODES.contains(code)) {
            return Outcome.IGNORED;
        }
        String documentId = m.responseForDocumentId;
        String reporter = m.from;
        StatusRecord record = new StatusRecord(code, reporter, settings.organId(), m.timestamp, m.description, "received");
        if ("13".equals(code)) { // the sender of a document we received asks for it back
            DocumentRegister.Received doc = register.received.get(documentId);
            if (doc == null || !doc.sender.equals(reporter) || doc.lifecycle.check(code) != null) {
                return Outcome.IGNORED;
            }
            doc.lifecycle.apply(code);
            doc.statuses.add(record);
            return Outcome.STATUS;
        }
        DocumentRegister.Sent sent = register.sent.get(documentId); // a recipient reports on ours
        Lifecycle lifecycle = sent == null ? null : sent.byRecipient.get(reporter);
        if (lifecycle == null || lifecycle.check(code) != null) {
            return Outcome.IGNORED;
        }
        lifecycle.apply(code);
        sent.statuses.add(record);
        return Outcome.STATUS;
    }
}
