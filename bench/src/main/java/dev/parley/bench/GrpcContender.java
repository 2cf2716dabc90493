package dev.parley.bench;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * gRPC-java over Netty (plaintext HTTP/2 on loopback): one unary method whose messages are raw
 * bytes, so no protoc and no serialization cost. A pipelined run keeps {@link Payloads#WINDOW}
 * asynchronous unary calls in flight. One channel per client. Both sides run handlers on Netty's
 * event loops ({@code directExecutor}), as gRPC's own benchmarks do, so no thread hand-off is
 * counted against it.
 */
final class GrpcContender implements Contender {

    private static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };

    private static final MethodDescriptor<byte[], byte[]> ECHO = MethodDescriptor.<byte[], byte[]>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY)
            .setFullMethodName(MethodDescriptor.generateFullMethodName("bench.Echo", "echo"))
            .setRequestMarshaller(BYTES)
            .setResponseMarshaller(BYTES)
            .build();

    private Server server;

    @Override
    public String name() {
        return "grpc-java";
    }

    @Override
    public void start() throws IOException {
        ServerServiceDefinition service = ServerServiceDefinition.builder("bench.Echo")
                .addMethod(ECHO, ServerCalls.asyncUnaryCall((request, response) -> {
                    response.onNext(request);
                    response.onCompleted();
                }))
                .build();
        server = NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .addService(service)
                .directExecutor()
                .build()
                .start();
    }

    @Override
    public Client connect() {
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort())
                .usePlaintext()
                .directExecutor()
                .build();
        return new Client() {
            @Override
            public void roundTrip() {
                ClientCalls.blockingUnaryCall(channel, ECHO, CallOptions.DEFAULT, Payloads.SMALL);
            }

            @Override
            public void pipeline(int messages) throws Exception {
                Window.run(messages, () -> {
                    var future = new CompletableFuture<byte[]>();
                    var listenable = ClientCalls.futureUnaryCall(
                            channel.newCall(ECHO, CallOptions.DEFAULT), Payloads.SMALL);
                    listenable.addListener(() -> {
                        try {
                            future.complete(listenable.get());
                        } catch (Exception e) {
                            future.completeExceptionally(e);
                        }
                    }, Runnable::run);
                    return future;
                });
            }

            @Override
            public void close() throws InterruptedException {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        };
    }

    @Override
    public void close() throws InterruptedException {
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
}
