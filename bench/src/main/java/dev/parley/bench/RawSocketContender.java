package dev.parley.bench;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;

/**
 * The floor: plain blocking Java sockets, a 4-byte length prefix, no serialization, one platform
 * thread per connection on the server. A frame's first byte says whether the server answers it
 * ({@link #ECHO}) or only reads it ({@link #SINK}); a pipelined run is a stream of sink frames and
 * one echo frame behind them, which TCP's ordering makes a barrier.
 */
final class RawSocketContender implements Contender {

    private static final byte SINK = 0;
    private static final byte ECHO = 1;

    private ServerSocket serverSocket;

    @Override
    public String name() {
        return "raw-socket";
    }

    @Override
    public void start() throws IOException {
        serverSocket = new ServerSocket(0, 64, InetAddress.getLoopbackAddress());
        Thread.ofPlatform().daemon().name("raw-accept").start(this::accept);
    }

    private void accept() {
        while (!serverSocket.isClosed()) {
            try {
                Socket socket = serverSocket.accept();
                socket.setTcpNoDelay(true);
                Thread.ofPlatform().daemon().name("raw-serve").start(() -> serve(socket));
            } catch (IOException closed) {
                return;
            }
        }
    }

    private static void serve(Socket socket) {
        try (socket) {
            var in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
            var out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream()));
            byte[] buffer = new byte[64 * 1024];
            while (true) {
                int length = in.readInt();
                in.readFully(buffer, 0, length);
                if (buffer[0] == ECHO) {
                    out.writeInt(length);
                    out.write(buffer, 0, length);
                    out.flush();
                }
            }
        } catch (EOFException | SocketException closed) {
            // The client went away: this connection's thread ends.
        } catch (IOException e) {
            throw new IllegalStateException("raw server failed", e);
        }
    }

    @Override
    public Client connect() throws IOException {
        var socket = new Socket(InetAddress.getLoopbackAddress(), serverSocket.getLocalPort());
        socket.setTcpNoDelay(true);
        return new RawClient(socket);
    }

    @Override
    public void close() throws IOException {
        serverSocket.close();
    }

    /** A blocking client; the benchmark thread does all its reading and writing. */
    private static final class RawClient implements Client {
        private final Socket socket;
        private final DataInputStream in;
        private final DataOutputStream out;
        private final byte[] frame = Payloads.SMALL.clone();
        private final byte[] reply = new byte[Payloads.SMALL.length];

        RawClient(Socket socket) throws IOException {
            this.socket = socket;
            this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
            this.out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream()));
        }

        @Override
        public void roundTrip() throws IOException {
            write(ECHO);
            out.flush();
            readReply();
        }

        @Override
        public void pipeline(int messages) throws IOException {
            for (int i = 1; i < messages; i++) {
                write(SINK);
            }
            write(ECHO);
            out.flush();
            readReply();
        }

        private void write(byte kind) throws IOException {
            frame[0] = kind;
            out.writeInt(frame.length);
            out.write(frame);
        }

        private void readReply() throws IOException {
            int length = in.readInt();
            in.readFully(reply, 0, length);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
