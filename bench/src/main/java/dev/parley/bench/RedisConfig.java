package dev.parley.bench;

import dev.parley.server.store.RedisProcess;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * Changes a setting of a benchmark's own {@link RedisProcess} at run time ({@code CONFIG SET}), over
 * a connection of its own that speaks the protocol's two lines. Any thread.
 */
final class RedisConfig {

    private static final int MAX_REPLY = 512;

    private RedisConfig() {
    }

    /** Sets {@code parameter} to {@code value}; throws with Redis's answer if it refuses. */
    static void set(RedisProcess redis, String parameter, String value) throws IOException {
        var command = new StringBuilder("*4\r\n");
        for (String part : new String[] {"CONFIG", "SET", parameter, value}) {
            command.append('$').append(part.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(part).append("\r\n");
        }
        try (var socket = new Socket(InetAddress.getLoopbackAddress(), redis.port())) {
            socket.getOutputStream().write(command.toString().getBytes(StandardCharsets.UTF_8));
            String reply = line(socket.getInputStream());
            if (!reply.equals("+OK")) {
                throw new IOException("redis refused CONFIG SET " + parameter + " " + value + ": " + reply);
            }
        }
    }

    /** The first line of a reply, without its CRLF. */
    private static String line(InputStream in) throws IOException {
        var reply = new StringBuilder();
        for (int b = in.read(); b != '\r'; b = in.read()) {
            if (b < 0 || reply.length() == MAX_REPLY) {
                throw new IOException("no whole reply from redis, got: " + reply);
            }
            reply.append((char) b);
        }
        return reply.toString();
    }
}
