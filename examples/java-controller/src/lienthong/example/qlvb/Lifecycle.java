package lienthong.example.qlvb;

import java.util.ArrayList;
import java.util.List;

/**
 * The status lifecycle of one document at one receiving agency (SPEC section 3, the
 * harness's profile): which status may be sent next, and why not.
 *
 * <ul>
 *   <li>the forward path 01 → 03 → 04 → 05 → 06 may skip steps but never goes back, and no
 *       code (nor 02) comes twice;
 *   <li>02 only before 03, and nothing forward (nor a 13) after it;
 *   <li>the sender's 13 only before 06, and not while an earlier 13 waits for its answer;
 *   <li>15/16 only answer a waiting 13, once; after 15 the document is withdrawn and nothing
 *       follows.
 * </ul>
 */
public final class Lifecycle {
    /** Why a code may not come now: the rule's requirement id and an explanation. */
    public record Rejection(String rule, String message) {}

    private static final List<String> FORWARD = List.of("01", "03", "04", "05", "06");
    private static final String[] STATE_OF_STEP = {"new", "arrived", "accepted", "assigned", "processing", "completed"};
    private static final int NONE = 0;
    private static final int WAITING = 1;
    private static final int ANSWERED = 2;

    private int step;
    private boolean refused;
    private int takeBack = NONE;
    private boolean withdrawn;
    private final List<String> codes = new ArrayList<>();

    /** Why {@code code} may not come next, or null when it may. */
    public Rejection check(String code) {
        String earlier = " (earlier: " + (codes.isEmpty() ? "none" : String.join(", ", codes)) + ")";
        if (withdrawn) {
            return new Rejection("LC-WITHDRAWN-FINAL",
                    code + " after 15: the document was withdrawn (take-back agreed), nothing may follow" + earlier);
        }
        int forward = FORWARD.indexOf(code) + 1;
        if (forward > 0) {
            if (refused) {
                return new Rejection("LC-NOTHING-AFTER-REFUSAL",
                        code + " after 02: a refused document gets no further forward status" + earlier);
            }
            if (forward == step) {
                return new Rejection("LC-NO-REPEAT", code + " again: a status code is never repeated" + earlier);
            }
            if (forward < step) {
                return new Rejection("LC-FORWARD-ONLY", code + " after " + FORWARD.get(step - 1)
                        + ": the forward path 01→03→04→05→06 never goes back" + earlier);
            }
            return null;
        }
        switch (code) {
            case "02":
                if (refused) {
                    return new Rejection("LC-NO-REPEAT", "02 again: a status code is never repeated" + earlier);
                }
                if (step >= 2) {
                    return new Rejection("LC-REFUSAL-BEFORE-ACCEPT", "02 after " + FORWARD.get(step - 1)
                            + ": a document can be refused only before it is accepted (03)" + earlier);
                }
                return null;
            case "13":
                if (step == FORWARD.size()) {
                    return new Rejection("LC-TAKE-BACK-BEFORE-COMPLETE",
                            "13 after 06: a take-back must be requested before the document is completed" + earlier);
                }
                if (refused) {
                    return new Rejection("LC-NOTHING-AFTER-REFUSAL",
                            "13 after 02: a refused document was never registered" + earlier);
                }
                if (takeBack == WAITING) {
                    return new Rejection("LC-TAKE-BACK-ONE-AT-A-TIME",
                            "13 while an earlier 13 waits for its answer" + earlier);
                }
                return null;
            case "15":
            case "16":
                if (takeBack == NONE) {
                    return new Rejection("LC-ANSWER-NEEDS-REQUEST",
                            code + " without a 13: only a take-back request that waits is answered" + earlier);
                }
                if (takeBack == ANSWERED) {
                    return new Rejection("LC-TAKE-BACK-ANSWER-ONCE",
                            code + ": the take-back request was already answered" + earlier);
                }
                return null;
            default:
                return new Rejection("LC-STATUS-CODE-KNOWN", code + " is not a status code in use");
        }
    }

    /** Record {@code code}; it must have passed {@link #check}. */
    public void apply(String code) {
        Rejection rejection = check(code);
        if (rejection != null) {
            throw new IllegalStateException(rejection.rule() + ": " + rejection.message());
        }
        codes.add(code);
        int forward = FORWARD.indexOf(code) + 1;
        if (forward > 0) {
            step = forward;
        } else if ("02".equals(code)) {
            refused = true;
        } else if ("13".equals(code)) {
            takeBack = WAITING;
        } else {
            takeBack = ANSWERED;
            withdrawn = "15".equals(code);
        }
    }

    /** Where the document stands: new, arrived, refused, accepted, assigned, processing, completed, withdrawn. */
    public String state() {
        if (withdrawn) {
            return "withdrawn";
        }
        return refused ? "refused" : STATE_OF_STEP[step];
    }

    public boolean takeBackPending() {
        return takeBack == WAITING;
    }

    public boolean withdrawn() {
        return withdrawn;
    }
}
