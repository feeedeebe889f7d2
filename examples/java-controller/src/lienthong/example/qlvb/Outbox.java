package lienthong.example.qlvb;

import java.util.ArrayList;
import java.util.List;

/**
 * Messages written down to be sent to the axis, oldest first. An item keeps its bytes: a
 * retry re-sends exactly them, so a send whose answer was lost yields the axis's earlier DocId
 * rather than a second message.
 */
public final class Outbox {
    /** One message to send: {@code messagetype} is "edoc" or "status". */
    public static final class Item {
        public final long id;
        public final String messagetype;
        public final String documentId;
        public final byte[] payload;
        /** pending, sent or failed (refused by the axis for good). */
        public String state = "pending";
        public String axisDocId;
        public String lastError;

        Item(long id, String messagetype, String documentId, byte[] payload) {
            this.id = id;
            this.messagetype = messagetype;
            this.documentId = documentId;
            this.payload = payload;
        }
    }

    private final List<Item> items = new ArrayList<>();
    private long lastId;

    public Item add(String messagetype, String documentId, byte[] payload) {
        Item item = new Item(++lastId, messagetype, documentId, payload);
        items.add(item);
        return item;
    }

    /** The items still to send, oldest first. */
    public List<Item> pending() {
        List<Item> out = new ArrayList<>();
        for (Item item : items) {
            if ("pending".equals(item.state)) {
                out.add(item);
            }
        }
        return out;
    }

    void clear() {
        items.clear();
    }
}
