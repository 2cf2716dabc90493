package dev.parley.server.store;

import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One blocking connection to Redis speaking RESP2: commands go out as arrays of bulk strings,
 * several at once when pipelined, and their replies come back in order. A reply is a
 * {@link String} (simple or bulk string), a {@link Long}, a {@link List} of replies, null (a null
 * bulk or array) or a {@link Failure} (an error reply, kept as a value so that one refused command
 * does not hide the replies after it).
 *
 * <pre>
 *   *3\r\n $3\r\n GET \r\n ...     command: an array of bulk strings
 *   +OK  -ERR ...  :42  $5 hello  *2 ...  replies: simple, error, integer, bulk, array
 * </pre>
 *
 * <p>Not thread-safe: one thread at a time (the store's writer) uses it. Any {@link IOException}
 * leaves it unusable; close it and open another.
 */
final class RedisConnection implements AutoCloseable {

    /** An error reply: its first word ({@code ERR}, {@code NOSCRIPT}...) and the rest. */
    record Failure(String message) {

        boolean isNoScript() {
            return message.startsWith("NOSCRIPT");
        }
    }

    /** Arrays and strings longer than this are refused as a broken reply rather than allocated. */
    private static final int MAX_LENGTH = 512 * 1024 * 1024;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    private RedisConnection(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
        this.out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
    }

    /**
     * Connects to {@code address}, signs in and selects its database.
     *
     * @throws IOException if Redis cannot be reached or refuses the password or database
     */
    static RedisConnection open(RedisAddress address, RedisOptions options) throws IOException {
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(address.host(), address.port()),
                    (int) options.connectTimeout().toMillis());
            socket.setSoTimeout((int) options.connectTimeout().toMillis());
            if (address.tls()) {
                var factory = options.tls() != null ? options.tls().getSocketFactory()
                        : (SSLSocketFactory) SSLSocketFactory.getDefault();
                var tls = (SSLSocket) factory.createSocket(socket, address.host(), address.port(), true);
                SSLParameters parameters = tls.getSSLParameters();
                parameters.setEndpointIdentificationAlgorithm("HTTPS");
                tls.setSSLParameters(parameters);
                tls.startHandshake();
                socket = tls;
            }
            var connection = new RedisConnection(socket);
            if (address.password() != null) {
                connection.requireOk(address.user() == null ? List.of("AUTH", address.password())
                        : List.of("AUTH", address.user(), address.password()), "sign in");
            }
            if (address.database() != 0) {
                connection.requireOk(List.of("SELECT", address.database()), "select database " + address.database());
            }
            socket.setSoTimeout((int) options.commandTimeout().toMillis());
            return connection;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    private void requireOk(List<?> command, String what) throws IOException {
        if (call(command) instanceof Failure failure) {
            throw new IOException("Redis refused to " + what + ": " + failure.message());
        }
    }

    /** Sends one command and returns its reply. */
    Object call(List<?> command) throws IOException {
        return pipeline(List.of(command)).getFirst();
    }

    /** Sends every command at once, then reads their replies, in order. */
    List<Object> pipeline(List<? extends List<?>> commands) throws IOException {
        for (List<?> command : commands) {
            write(command);
        }
        out.flush();
        List<Object> replies = new ArrayList<>(commands.size());
        for (int i = 0; i < commands.size(); i++) {
            replies.add(read());
        }
        return replies;
    }

    /** Sends one command without waiting for its reply (a subscriber's: replies come through {@link #receive}). */
    void send(List<?> command) throws IOException {
        write(command);
        out.flush();
    }

    /**
     * Waits (up to the command timeout, then {@link java.net.SocketTimeoutException}) for the next
     * reply or pushed message.
     */
    Object receive() throws IOException {
        return read();
    }

    private void write(List<?> command) throws IOException {
        out.write('*');
        writeNumber(command.size());
        for (Object argument : command) {
            byte[] bytes = String.valueOf(argument).getBytes(StandardCharsets.UTF_8);
            out.write('$');
            writeNumber(bytes.length);
            out.write(bytes);
            out.write('\r');
            out.write('\n');
        }
    }

    private void writeNumber(long value) throws IOException {
        out.write(Long.toString(value).getBytes(StandardCharsets.US_ASCII));
        out.write('\r');
        out.write('\n');
    }

    private Object read() throws IOException {
        int type = in.read();
        return switch (type) {
            case '+' -> line();
            case '-' -> new Failure(line());
            case ':' -> Long.parseLong(line());
            case '$' -> {
                int length = length();
                if (length < 0) {
                    yield null;
                }
                byte[] bytes = in.readNBytes(length);
                if (bytes.length < length || in.read() != '\r' || in.read() != '\n') {
                    throw new EOFException("Redis closed the connection in the middle of a reply");
                }
                yield new String(bytes, StandardCharsets.UTF_8);
            }
            case '*' -> {
                int count = length();
                if (count < 0) {
                    yield null;
                }
                List<Object> items = new ArrayList<>(Math.min(count, 1024));
                for (int i = 0; i < count; i++) {
                    items.add(read());
                }
                yield items;
            }
            case -1 -> throw new EOFException("Redis closed the connection");
            default -> throw new IOException("not a RESP reply: it starts with byte " + type);
        };
    }

    private int length() throws IOException {
        long length = Long.parseLong(line());
        if (length > MAX_LENGTH) {
            throw new IOException("a Redis reply of " + length + " items or bytes is more than the " + MAX_LENGTH
                    + " accepted");
        }
        return (int) length;
    }

    /** A line up to CR LF, as UTF-8 (an error reply may quote a user's name). */
    private String line() throws IOException {
        var text = new ByteArrayOutputStream(32);
        // Bounded: a line longer than MAX_LENGTH is refused.
        while (text.size() <= MAX_LENGTH) {
            int b = in.read();
            if (b == -1) {
                throw new EOFException("Redis closed the connection in the middle of a reply");
            }
            if (b == '\r') {
                if (in.read() != '\n') {
                    throw new IOException("a RESP line ends with CR LF");
                }
                return text.toString(StandardCharsets.UTF_8);
            }
            text.write(b);
        }
        throw new IOException("a RESP line longer than " + MAX_LENGTH + " bytes");
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // Closing: nothing more to do with it.
        }
    }
}
