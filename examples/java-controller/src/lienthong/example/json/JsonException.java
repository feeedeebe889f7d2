package lienthong.example.json;

/** Text that is not the JSON {@link Json} accepts: {@link #offset} is where reading stopped. */
public final class JsonException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final int offset;

    public JsonException(String why, int offset) {
        super(why + " (at character " + offset + ")");
        this.offset = offset;
    }

    public int offset() {
        return offset;
    }
}
