package lienthong.example.qlvb;

import java.util.concurrent.atomic.AtomicBoolean;
import lienthong.example.vxp.AxisException;

/**
 * Calls to the axis, retried the way a careful client does: transient failures (connection
 * reset, timeout, 5xx, "unavailable") are tried again up to {@link #ATTEMPTS} times, waiting 1,
 * 2, 4 … model seconds in between; a refusal a retry cannot change is not retried.
 */
final class AxisLink {
    static final int ATTEMPTS = 4;
    private static final double BASE_DELAY = 1.0;
    private static final double MAX_DELAY = 30.0;

    /** One axis call. */
    interface Call<T> {
        T run() throws AxisException;
    }

    private final ModelClock clock;
    private final AtomicBoolean stopped;
    private final Object sleeper = new Object();

    AxisLink(ModelClock clock, AtomicBoolean stopped) {
        this.clock = clock;
        this.stopped = stopped;
    }

    <T> T call(Call<T> call) throws AxisException {
        for (int attempt = 1; ; attempt++) {
            try {
                return call.run();
            } catch (AxisException e) {
                if (!e.isTransient() || attempt >= ATTEMPTS || stopped.get()) {
                    throw e;
                }
                pause(Math.min(MAX_DELAY, BASE_DELAY * (1 << (attempt - 1))));
            }
        }
    }

    private void pause(double modelSeconds) throws AxisException {
        synchronized (sleeper) {
            try {
                sleeper.wait(Math.max(1, clock.realMillis(modelSeconds)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AxisException("interrupted", null, true, e);
            }
        }
    }

    void wakeUp() {
        synchronized (sleeper) {
            sleeper.notifyAll();
        }
    }
}
