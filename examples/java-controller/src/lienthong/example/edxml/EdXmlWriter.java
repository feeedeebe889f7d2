package lienthong.example.edxml;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/**
 * Writing the edXML this software sends: status messages (QCVN 102 section 3) and new
 * documents, with the prefix {@code edXML:} bound to the QCVN 102 namespace.
 */
public final class EdXmlWriter {
    private final StringBuilder out = new StringBuilder();
    private int depth;

    private EdXmlWriter() {
        out.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    }

    /** The agency a message is from: its organ id and, when known, its name. */
    public record Organization(String organId, String name) {}

    /** StaffInfo: the clerk or leader who acted. */
    public record Staff(String department, String name, String mobile, String email) {}

    /** A file sent with a document; {@code contentType} comes from its bytes. */
    public record Attachment(String name, String contentType, byte[] content) {}

    /** The document a status is about: its issuer, số/ký hiệu, date and DocumentId. */
    public record About(String issuer, String code, String promulgationDate, String documentId) {}

    /** A new document's header fields. */
    public record Document(
            Organization from,
            List<String> to,
            String codeNumber,
            String codeNotation,
            String promulgationDate,
            String typeName,
            String subject,
            String content,
            int steeringType,
            String dueDate,
            String documentId,
            String timestamp,
            Staff staff,
            List<Attachment> attachments) {}

    /**
     * A status {@code code} from {@code from} about {@code about}, routed to {@code to}
     * (ResponseFor/OrganId: the document's sender, or for a 13 the recipient asked).
     */
    public static byte[] status(
            Organization from, About about, String to, String code, String description,
            Staff staff, String timestamp) {
        EdXmlWriter w = new EdXmlWriter();
        w.open("edXML", " xmlns:edXML=\"" + EdXml.NAMESPACE + "\"");
        w.open("edXMLEnvelope");
        w.open("edXMLHeader");
        w.open("MessageHeader");
        w.organization("From", from);
        w.open("ResponseFor");
        w.leaf("OrganId", to);
        w.leaf("Code", about.code());
        w.leaf("PromulgationDate", about.promulgationDate());
        w.leaf("DocumentId", about.documentId());
        w.close("ResponseFor");
        w.staff(staff);
        w.leaf("StatusCode", code);
        w.leaf("Description", description);
        w.leaf("Timestamp", timestamp);
        w.close("MessageHeader");
        w.close("edXMLHeader");
        w.close("edXMLEnvelope");
        w.close("edXML");
        return w.bytes();
    }

    /** A new document (BussinessDocType 0) with its attachments. */
    public static byte[] document(Document d) {
        EdXmlWriter w = new EdXmlWriter();
        w.open("edXML", " xmlns:edXML=\"" + EdXml.NAMESPACE + "\"");
        w.open("edXMLEnvelope");
        w.open("edXMLHeader");
        w.open("MessageHeader");
        w.organization("From", d.from());
        for (String organId : d.to()) {
            w.organization("To", new Organization(organId, null));
        }
        w.open("Code");
        w.leaf("CodeNumber", d.codeNumber());
        w.leaf("CodeNotation", d.codeNotation());
        w.close("Code");
        w.open("PromulgationInfo");
        w.leaf("Place", d.from().name());
        w.leaf("PromulgationDate", d.promulgationDate());
        w.close("PromulgationInfo");
        w.open("DocumentType");
        w.leaf("Type", "1");
        w.leaf("TypeDetail", "0");
        w.leaf("TypeName", d.typeName());
        w.close("DocumentType");
        w.leaf("Subject", d.subject());
        w.leaf("Content", d.content());
        w.open("SignerInfo");
        w.leaf("Competence", "TL. THỦ TRƯỞNG");
        w.leaf("Position", "Chánh Văn phòng");
        w.leaf("FullName", d.staff().name());
        w.close("SignerInfo");
        w.leaf("DueDate", d.dueDate());
        w.leaf("SteeringType", Integer.toString(d.steeringType()));
        w.leaf("DocumentId", d.documentId());
        w.close("MessageHeader");
        w.open("TraceHeaderList");
        w.open("TraceHeader");
        w.leaf("OrganId", d.from().organId());
        w.leaf("Timestamp", d.timestamp());
        w.close("TraceHeader");
        w.open("Bussiness");
        w.leaf("BussinessDocType", "0");
        w.leaf("Paper", "0");
        w.staff(d.staff());
        w.close("Bussiness");
        w.close("TraceHeaderList");
        w.close("edXMLHeader");
        w.open("edXMLBody");
        w.open("edXMLManifest", " version=\"1.0\"");
        for (int i = 0; i < d.attachments().size(); i++) {
            Attachment a = d.attachments().get(i);
            w.open("Reference");
            w.leaf("ContentId", "cid:" + (i + 1));
            w.leaf("ContentType", a.contentType());
            w.leaf("Description", a.name());
            w.leaf("AttachmentName", a.name());
            w.close("Reference");
        }
        w.close("edXMLManifest");
        w.close("edXMLBody");
        w.close("edXMLEnvelope");
        w.open("AttachmentEncoded");
        for (int i = 0; i < d.attachments().size(); i++) {
            Attachment a = d.attachments().get(i);
            w.open("Attachment");
            w.leaf("ContentId", "cid:" + (i + 1));
            w.leaf("AttachmentName", a.name());
            w.leaf("Description", a.name());
            w.leaf("ContentType", a.contentType());
            w.leaf("ContentTransferEncoded", Base64.getEncoder().encodeToString(a.content()));
            w.close("Attachment");
        }
        w.close("AttachmentEncoded");
        w.close("edXML");
        return w.bytes();
    }

    private void organization(String element, Organization org) {
        open(element);
        leaf("OrganId", org.organId());
        leaf("OrganizationInCharge", org.name());
        leaf("OrganName", org.name());
        close(element);
    }

    private void staff(Staff staff) {
        if (staff == null) {
            return;
        }
        open("StaffInfo");
        leaf("Department", staff.department());
        leaf("Staff", staff.name());
        leaf("Mobile", staff.mobile());
        leaf("Email", staff.email());
        close("StaffInfo");
    }

    private void indent() {
        out.append("  ".repeat(depth));
    }

    private void open(String name) {
        open(name, "");
    }

    private void open(String name, String attributes) {
        indent();
        out.append("<edXML:").append(name).append(attributes).append(">\n");
        depth++;
    }

    private void close(String name) {
        depth--;
        indent();
        out.append("</edXML:").append(name).append(">\n");
    }

    /** An element holding {@code text}; nothing at all when {@code text} is null or blank. */
    private void leaf(String name, String text) {
        if (text == null || text.isBlank()) {
            return;
        }
        indent();
        out.append("<edXML:").append(name).append('>').append(escape(text));
        out.append("</edXML:").append(name).append(">\n");
    }

    /** XML-escaped {@code text}, without the characters XML 1.0 cannot carry. */
    static String escape(String text) {
        StringBuilder s = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> s.append("&amp;");
                case '<' -> s.append("&lt;");
                case '>' -> s.append("&gt;");
                case '"' -> s.append("&quot;");
                default -> {
                    if (c >= 0x20 || c == '\t' || c == '\n' || c == '\r') {
                        s.append(c);
                    }
                }
            }
        }
        return s.toString();
    }

    private byte[] bytes() {
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }
}
