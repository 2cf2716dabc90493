package dev.parley.docs.first;

// snippet readme-first-endpoint
import dev.parley.Endpoint;
import dev.parley.Peer;
import dev.parley.Server;
import dev.parley.codec.Codec;
import dev.parley.transport.Transport;

import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

public class Hello {
    record Chat(String from, String text) {}

    public static void main(String[] args) throws Exception {
        Codec codec = Codec.builder().register(64, Chat.class).build();

        Endpoint server = Endpoint.builder(codec)
                .on(Chat.class, (peer, chat) -> peer.send(new Chat("server", "got " + chat.text())))
                .build();
        try (Server listening = server.listen(Transport.byName("tcp"), new InetSocketAddress("127.0.0.1", 0))) {
            CompletableFuture<Chat> reply = new CompletableFuture<>();
            Peer client = Endpoint.builder(codec)
                    .on(Chat.class, (peer, chat) -> reply.complete(chat))
                    .build()
                    .connect(Transport.byName("tcp"), listening.localAddress());
            client.send(new Chat("me", "hello"));
            Chat chat = reply.get(5, TimeUnit.SECONDS);    // handlers run on the connection's thread
            System.out.println(chat.from() + ": " + chat.text());
            client.close();
        }
    }
}
// end snippet
