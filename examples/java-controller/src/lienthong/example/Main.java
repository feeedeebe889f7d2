package lienthong.example;

import java.io.IOException;
import java.util.logging.Level;
import java.util.logging.Logger;
import lienthong.example.controller.ControllerServer;
import lienthong.example.qlvb.Qlvb;

/**
 * The test build: the example QLVB with its control interface on {@code --host} (default
 * 127.0.0.1) and {@code --port} (default 0: a free port). The first line it prints is
 * {@code controller listening on http://HOST:PORT}: the URL to give {@code lienthong contract
 * check} and {@code lienthong certify --adapter}.
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) throws IOException {
        String host = "127.0.0.1";
        int port = 0;
        boolean verbose = false;
        String build = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--host" -> host = value(args, ++i, "--host");
                case "--port" -> port = port(value(args, ++i, "--port"));
                case "--build" -> build = value(args, ++i, "--build");
                case "--verbose", "-v" -> verbose = true;
                case "--help", "-h" -> {
                    System.out.println("usage: java -cp build lienthong.example.Main [--host ADDR] [--port N] [--build ID] [--verbose]");
                    System.out.println("  the example QLVB's test build with lienthong's adapter contract on http://ADDR:N;");
                    System.out.println("  --build names the exact build (a commit, a build number) for GET /info and the certificate");
                    return;
                }
                default -> fail("unknown option " + args[i] + " (see --help)");
            }
        }
        Logger.getLogger("lienthong.example").setLevel(verbose ? Level.INFO : Level.WARNING);
        Logger.getLogger("").setLevel(verbose ? Level.INFO : Level.WARNING);
        Qlvb qlvb = new Qlvb();
        ControllerServer server = new ControllerServer(qlvb, host, port, build);
        server.start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.stop();
            qlvb.reset();
        }));
        System.out.println("controller listening on " + server.url());
        System.out.flush();
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            fail(option + " needs a value");
        }
        return args[i];
    }

    private static int port(String text) {
        try {
            int port = Integer.parseInt(text);
            if (port >= 0 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        fail("--port " + text + " must be a number in 0..65535");
        return 0;
    }

    private static void fail(String why) {
        System.err.println("error: " + why);
        System.exit(2);
    }
}
