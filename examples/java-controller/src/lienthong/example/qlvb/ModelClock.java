package lienthong.example.qlvb;

import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * The clock this software keeps its time by: Vietnam wall time, or the harness's model time
 * when the suite hands one over in {@code configure} ({@code clock: {timeScale, modelTime}}),
 * running {@code timeScale} times faster than real time so that minute-long deadlines pass in
 * seconds. Every status Timestamp and every wait of the software goes through it.
 */
public final class ModelClock {
    public static final ZoneOffset VIETNAM = ZoneOffset.ofHours(7);
    public static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyy/MM/dd HH:mm:ss");
    public static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy/MM/dd");

    private final LocalDateTime start;
    private final double scale;
    private final long origin = System.nanoTime();

    public ModelClock(LocalDateTime start, double scale) {
        if (!(scale > 0)) {
            throw new IllegalArgumentException("timeScale " + scale + " must be > 0");
        }
        this.start = start;
        this.scale = scale;
    }

    /** Real Vietnam time. */
    public static ModelClock vietnam() {
        return new ModelClock(LocalDateTime.now(VIETNAM), 1.0);
    }

    public double scale() {
        return scale;
    }

    /** Model time now, as a Vietnam wall time. */
    public LocalDateTime now() {
        return start.plusNanos((long) ((System.nanoTime() - origin) * scale));
    }

    /** A status Timestamp for now: {@code yyyy/MM/dd HH:mm:ss}. */
    public String timestamp() {
        return TIMESTAMP.format(now());
    }

    /** Today's date, {@code yyyy/MM/dd}. */
    public String today() {
        return DATE.format(now());
    }

    /** How many real milliseconds {@code modelSeconds} take. */
    public long realMillis(double modelSeconds) {
        return Math.max(0L, Math.round(modelSeconds * 1000.0 / scale));
    }
}
