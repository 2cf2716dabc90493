package dev.parley.examples.embedding;

import dev.parley.im.ImClient;
import dev.parley.im.ImListener;
import dev.parley.im.ImProtocol;
import dev.parley.im.Invitation;
import dev.parley.im.Message;
import dev.parley.transport.ConnectionClosedException;
import dev.parley.transport.Transport;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The IM client embedded in a Java program, with nothing but {@link ImClient} and
 * {@link ImListener} from the api jar: come online, join every conversation you are invited to,
 * print every message. Events arrive on the connection's delivery thread; joining happens on the
 * calling thread, because a listener must never wait on the server.
 */
public final class ImEmbedExample {

    private ImEmbedExample() {
    }

    /** {@code java ImEmbedExample USER [HOST]}: runs until the server goes away. */
    public static void main(String[] args) throws Exception {
        var server = new InetSocketAddress(args.length > 1 ? args[1] : "localhost", ImProtocol.DEFAULT_PORT);
        run(Transport.byName("tcp"), server, args.length > 0 ? args[0] : "zoe", System.out::println);
    }

    /** Runs as {@code user} on the IM server at {@code server}, printing each line with {@code out}, until disconnected. */
    public static void run(Transport transport, SocketAddress server, String user, Consumer<String> out) throws Exception {
        // snippet examples-im-embed
        BlockingQueue<Invitation> invitations = new LinkedBlockingQueue<>();
        try (ImClient client = ImClient.connect(transport, server, new ImListener() {
            @Override
            public void onInvitation(Invitation invitation) {
                invitations.add(invitation);
            }

            @Override
            public void onMessage(Message message) {
                out.accept("[" + message.conversationId() + "] " + message.sender() + ": " + message.text());
            }

            @Override
            public void onDisconnected(ConnectionClosedException cause) {
                out.accept("disconnected: " + cause.getMessage());
            }
        })) {
            client.register(user, "online").get(10, TimeUnit.SECONDS);
            out.accept(user + " is online, waiting for invitations");
            while (client.isConnected()) {
                Invitation invitation = invitations.poll(100, TimeUnit.MILLISECONDS);
                if (invitation != null) {
                    long id = invitation.conversationId();
                    client.join(id);
                    // end snippet
                    // The server handles one client's requests in order, so this listing shows the join done.
                    // snippet examples-im-embed
                    out.accept("joined conversation " + id + " with " + client.list().get(10, TimeUnit.SECONDS).get(id));
                }
            }
        }
        // end snippet
    }
}
