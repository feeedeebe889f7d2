package lienthong.example.qlvb;

/**
 * The software refuses what it was asked: {@link #code} is the adapter contract's error code
 * ({@code bad-request}, {@code unknown-document}, {@code not-configured},
 * {@code illegal-transition}, {@code not-supported}), {@link #rule} the lifecycle rule an
 * {@code illegal-transition} breaks, if any.
 */
public final class Refusal extends RuntimeException {
    private static final long serialVersionUID = 1L;
    public final String code;
    public final String rule;

    public Refusal(String code, String message) {
        this(code, message, null);
    }

    public Refusal(String code, String message, String rule) {
        super(message);
        this.code = code;
        this.rule = rule;
    }
}
