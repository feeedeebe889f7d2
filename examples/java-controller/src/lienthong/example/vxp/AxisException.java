package lienthong.example.vxp;

/**
 * A call to the axis that did not succeed. {@link #isTransient()} says whether trying again
 * may help: the connection failed or timed out, the answer was a 5xx or not JSON, or the axis
 * said it is unavailable (ErrorCode 8) or failed internally (9). Other ErrorCodes (bad
 * signature, bad request, not found, forbidden, refused, too large, unroutable) are answers a
 * retry cannot change.
 */
public final class AxisException extends Exception {
    private static final long serialVersionUID = 1L;
    private final String errorCode;
    private final boolean transientFailure;

    public AxisException(String message, String errorCode, boolean transientFailure, Throwable cause) {
        super(message, cause);
        this.errorCode = errorCode;
        this.transientFailure = transientFailure;
    }

    /** The envelope's ErrorCode, or null when no envelope came back. */
    public String errorCode() {
        return errorCode;
    }

    public boolean isTransient() {
        return transientFailure;
    }
}
