package lienthong.example.controller;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.logging.Level;
import java.util.logging.Logger;
import lienthong.example.json.Json;
import lienthong.example.json.JsonException;
import lienthong.example.qlvb.Qlvb;
import lienthong.example.qlvb.Refusal;

/**
 * The control interface of the test build: lienthong's adapter contract 1.0
 * (docs/adapter-contract.md) served with the JDK's {@code com.sun.net.httpserver}.
 *
 * <p>Paths are matched on the raw (still percent-encoded) path, because a DocumentId holds
 * {@code /} and {@code ,} and travels as one encoded segment. Every failure is answered with
 * the contract's error body {@code {"error", "message", "rule"}} and its HTTP status.
 */
public final class ControllerServer {
    private static final Logger LOG = Logger.getLogger(ControllerServer.class.getName());
    public static final String BASE = "/lienthong/v1";
    private static final int MAX_BODY = 16 * 1024 * 1024;
    private static final Map<String, Integer> STATUS = Map.of(
            "bad-request", 400,
            "unknown-document", 404,
            "not-configured", 409,
            "illegal-transition", 409,
            "not-supported", 501,
            "axis-unavailable", 502,
            "internal", 500);

    private final HttpServer server;
    private final ExecutorService threads;
    private final Endpoints endpoints;

    /** {@code build}: the exact build under test for {@code GET /info}, or null. */
    public ControllerServer(Qlvb qlvb, String host, int port, String build) throws IOException {
        this.endpoints = new Endpoints(qlvb, build);
        this.server = HttpServer.create(new InetSocketAddress(host, port), 64);
        this.threads = Executors.newFixedThreadPool(8);
        server.setExecutor(threads);
        server.createContext("/", this::handle);
    }

    public void start() {
        server.start();
    }

    public void stop() {
        server.stop(0);
        threads.shutdownNow();
    }

    /** The base URL the suite is given: {@code http://host:port}. */
    public String url() {
        InetSocketAddress address = server.getAddress();
        return "http://" + address.getHostString() + ":" + address.getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        int status;
        Object body;
        try {
            String rawPath = exchange.getRequestURI().getRawPath();
            int at = rawPath.indexOf(BASE);
            if (at < 0) {
                throw new Refusal("bad-request", "no endpoint " + rawPath + ": paths start with " + BASE);
            }
            String path = rawPath.substring(at + BASE.length());
            Endpoints.Answer answer = endpoints.route(
                    exchange.getRequestMethod(), path, exchange.getRequestURI().getRawQuery(), read(exchange));
            status = answer.status();
            body = answer.body();
        } catch (Refusal refusal) {
            status = STATUS.getOrDefault(refusal.code, 500);
            body = error(refusal.code, refusal.getMessage(), refusal.rule);
        } catch (JsonException e) {
            status = 400;
            body = error("bad-request", "the body is not JSON: " + e.getMessage(), null);
        } catch (IllegalArgumentException e) {
            status = 400;
            body = error("bad-request", e.getMessage(), null);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "controller: " + exchange.getRequestURI(), e);
            status = 500;
            body = error("internal", e.toString(), null);
        }
        byte[] data = Json.write(body).getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        exchange.sendResponseHeaders(status, data.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(data);
        }
    }

    private static Map<String, Object> error(String code, String message, String rule) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("error", code);
        out.put("message", message == null ? code : message);
        if (rule != null) {
            out.put("rule", rule);
        }
        return out;
    }

    /** The request body as text (empty when there is none), refused past {@link #MAX_BODY}. */
    private static String read(HttpExchange exchange) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            int n;
            while ((n = in.read(buffer)) > 0) {
                out.write(buffer, 0, n);
                if (out.size() > MAX_BODY) {
                    throw new Refusal("bad-request", "the body is larger than " + MAX_BODY + " bytes");
                }
            }
            return out.toString(StandardCharsets.UTF_8);
        }
    }
}
