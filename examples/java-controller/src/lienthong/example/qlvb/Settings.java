package lienthong.example.qlvb;

/**
 * What the software needs to talk to the axis: the endpoint and the connection system's
 * account (exactly what VNPT's SDK takes), the agency it serves, its clock, and how often to
 * poll (model seconds).
 */
public record Settings(
        String axisEndpoint,
        String systemId,
        String secret,
        String organId,
        String agencyName,
        ModelClock clock,
        double pollInterval) {

    @Override
    public String toString() {
        return "Settings[" + axisEndpoint + ", " + systemId + ", " + organId + ", poll " + pollInterval + " s]";
    }
}
