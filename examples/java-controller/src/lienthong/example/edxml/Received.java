package lienthong.example.edxml;

import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.format.ResolverStyle;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.w3c.dom.Element;

/**
 * A message read from the axis: a document (edoc) or a status, with the fields this software
 * uses, and the problems that make a document unacceptable (a QLVB refuses those with 02).
 */
public final class Received {
    public static final DateTimeFormatter DATE =
            DateTimeFormatter.ofPattern("uuuu/MM/dd").withResolverStyle(ResolverStyle.STRICT);

    /** "edoc" or "status". */
    public final String kind;
    public final String from;
    public final List<String> to = new ArrayList<>();
    public final String codeNumber;
    public final String codeNotation;
    public final String promulgationDate;
    public final String subject;
    public final String documentId;
    private final boolean documentIdGiven;
    /** BussinessDocType: 0 new, 1 revoke, 2 update, 3 replace. */
    public final String businessDocType;
    /** Bussiness/DocumentId: the original a revoke or update is about. */
    public final String originalDocumentId;
    /** ReplacementInfo/DocumentId: the documents a replacement replaces. */
    public final List<String> replaces = new ArrayList<>();
    // -- a status --
    public final String statusCode;
    public final String description;
    public final String timestamp;
    public final String responseForOrganId;
    public final String responseForDocumentId;
    private final List<String> problems = new ArrayList<>();

    private Received(Element root) {
        Element header = EdXml.at(root, "edXMLEnvelope", "edXMLHeader", "MessageHeader");
        if (header == null) {
            header = EdXml.at(root, "MessageHeader");
        }
        this.from = EdXml.text(header, "From", "OrganId");
        this.statusCode = EdXml.text(header, "StatusCode");
        this.kind = EdXml.at(header, "StatusCode") != null ? "status" : "edoc";
        this.description = EdXml.text(header, "Description");
        this.timestamp = EdXml.text(header, "Timestamp");
        this.responseForOrganId = EdXml.text(header, "ResponseFor", "OrganId");
        this.responseForDocumentId = EdXml.text(header, "ResponseFor", "DocumentId");
        for (Element recipient : EdXml.children(header, "To")) {
            this.to.add(EdXml.text(recipient, "OrganId"));
        }
        this.codeNumber = EdXml.text(header, "Code", "CodeNumber");
        this.codeNotation = EdXml.text(header, "Code", "CodeNotation");
        this.promulgationDate = EdXml.text(header, "PromulgationInfo", "PromulgationDate");
        this.subject = EdXml.text(header, "Subject");
        String id = EdXml.text(header, "DocumentId");
        this.documentIdGiven = !id.isEmpty();
        if (id.isEmpty() && "edoc".equals(kind)) {
            id = from + "," + promulgationDate + "," + codeNumber + "/" + codeNotation;
        }
        this.documentId = id;
        Element business = EdXml.at(root, "edXMLEnvelope", "edXMLHeader", "TraceHeaderList", "Bussiness");
        this.businessDocType = business == null ? "0" : EdXml.text(business, "BussinessDocType");
        this.originalDocumentId = business == null ? "" : EdXml.text(business, "DocumentId");
        for (Element info : EdXml.children(EdXml.at(business, "ReplacementInfoList"), "ReplacementInfo")) {
            String replaced = EdXml.text(info, "DocumentId");
            if (!replaced.isEmpty()) {
                replaces.add(replaced);
            }
        }
        if ("edoc".equals(kind)) {
            judge(header, root);
        }
    }

    /** Read {@code data} from the axis. */
    public static Received read(byte[] data) throws EdXml.Unreadable {
        return new Received(EdXml.parse(data));
    }

    /**
     * Why the document cannot be accepted as it is (empty when it can). These are the checks
     * of this example; your software applies its own here (QCVN 102's mandatory fields).
     */
    public List<String> problems() {
        return List.copyOf(problems);
    }

    private void judge(Element header, Element root) {
        if (header == null) {
            problems.add("MessageHeader is missing");
            return;
        }
        if (from.isEmpty()) {
            problems.add("From/OrganId is missing");
        }
        if (to.isEmpty() || to.stream().anyMatch(String::isEmpty)) {
            problems.add("To/OrganId is missing");
        }
        if (codeNumber.isEmpty() || codeNotation.isEmpty()) {
            problems.add("Code (số/ký hiệu) is missing");
        }
        try {
            LocalDate.parse(promulgationDate, DATE);
        } catch (RuntimeException e) {
            problems.add("PromulgationDate '" + promulgationDate + "' is not a date yyyy/MM/dd");
        }
        if (subject.isEmpty()) {
            problems.add("Subject (trích yếu) is empty");
        }
        documentId();
        attachments(root);
    }

    private static final java.util.regex.Pattern UUID = java.util.regex.Pattern.compile(
            "[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}");

    /**
     * The DocumentId is there, reads '<issuer OrganId>,<yyyy/MM/dd>,<số>/<ký hiệu>' and agrees
     * with From, PromulgationDate and Code. A UUID in its place, seen in practice, is let pass.
     */
    private void documentId() {
        if (!documentIdGiven) {
            problems.add("DocumentId is missing");
            return;
        }
        if (UUID.matcher(documentId).matches()) {
            return;
        }
        String[] parts = documentId.split(",", -1);
        int slash = parts.length == 3 ? parts[2].indexOf('/') : -1;
        if (parts.length != 3 || parts[0].isBlank() || slash <= 0 || slash == parts[2].trim().length() - 1) {
            problems.add("DocumentId '" + documentId + "' is not '<issuer OrganId>,<yyyy/MM/dd>,<số>/<ký hiệu>'");
            return;
        }
        String issuer = parts[0].trim();
        String day = parts[1].trim();
        String number = parts[2].trim().substring(0, parts[2].trim().indexOf('/'));
        String notation = parts[2].trim().substring(parts[2].trim().indexOf('/') + 1);
        try {
            LocalDate.parse(day, DATE);
        } catch (RuntimeException e) {
            problems.add("DocumentId '" + documentId + "': '" + day + "' is not a date yyyy/MM/dd");
            return;
        }
        List<String> mismatches = new ArrayList<>();
        if (!from.isEmpty() && !issuer.equals(from)) {
            mismatches.add("issuer " + issuer + " ≠ From/OrganId " + from);
        }
        if (!promulgationDate.isEmpty() && !day.equals(promulgationDate)) {
            mismatches.add("date " + day + " ≠ PromulgationDate " + promulgationDate);
        }
        if (!number.equals(codeNumber) || !notation.equals(codeNotation)) {
            mismatches.add("số/ký hiệu " + number + "/" + notation + " ≠ Code " + codeNumber + "/" + codeNotation);
        }
        if (!mismatches.isEmpty()) {
            problems.add("DocumentId disagrees with the header: " + String.join("; ", mismatches));
        }
    }

    /** Every manifest Reference has exactly one Attachment, and every Attachment a Reference. */
    private void attachments(Element root) {
        Map<String, Integer> listed = new HashMap<>();
        Element manifest = EdXml.at(root, "edXMLEnvelope", "edXMLBody", "edXMLManifest");
        for (Element reference : EdXml.children(manifest, "Reference")) {
            listed.merge(EdXml.text(reference, "ContentId"), 1, Integer::sum);
        }
        Map<String, Integer> attached = new HashMap<>();
        for (Element attachment : EdXml.children(EdXml.at(root, "AttachmentEncoded"), "Attachment")) {
            String id = EdXml.text(attachment, "ContentId");
            attached.merge(id, 1, Integer::sum);
            try {
                Base64.getMimeDecoder().decode(EdXml.text(attachment, "ContentTransferEncoded"));
            } catch (IllegalArgumentException e) {
                problems.add("attachment " + id + " is not base64");
            }
        }
        for (String id : listed.keySet()) {
            if (attached.getOrDefault(id, 0) != 1) {
                problems.add("the manifest names " + id + " but " + attached.getOrDefault(id, 0)
                        + " attachment(s) carry it");
            }
        }
        for (String id : attached.keySet()) {
            if (!listed.containsKey(id)) {
                problems.add("attachment " + id + " is not in the manifest");
            }
        }
    }
}
