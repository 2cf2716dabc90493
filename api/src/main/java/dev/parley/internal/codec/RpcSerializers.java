package dev.parley.internal.codec;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import dev.parley.internal.rpc.Call;
import dev.parley.internal.rpc.Reply;

/** Hand-written serializers for the remote-call records: they are on every call's hot path. */
final class RpcSerializers {

    private RpcSerializers() {
    }

    static final class CallSerializer extends Serializer<Call> {
        CallSerializer() {
            super(false, true);
        }

        @Override
        public void write(Kryo kryo, Output output, Call call) {
            output.writeVarLong(call.id(), true);
            output.writeInt(call.method());
            output.writeBoolean(call.oneWay());
            output.writeVarInt(call.arguments().length, true);
            for (Object argument : call.arguments()) {
                kryo.writeClassAndObject(output, argument);
            }
        }

        @Override
        public Call read(Kryo kryo, Input input, Class<? extends Call> type) {
            long id = input.readVarLong(true);
            int method = input.readInt();
            boolean oneWay = input.readBoolean();
            Object[] arguments = new Object[Lengths.readCount(input, "a call's arguments")];
            for (int i = 0; i < arguments.length; i++) {
                arguments[i] = kryo.readClassAndObject(input);
            }
            return new Call(id, method, arguments, oneWay);
        }
    }

    static final class ReplySerializer extends Serializer<Reply> {
        ReplySerializer() {
            super(false, true);
        }

        @Override
        public void write(Kryo kryo, Output output, Reply reply) {
            output.writeVarLong(reply.callId(), true);
            kryo.writeClassAndObject(output, reply.value());
        }

        @Override
        public Reply read(Kryo kryo, Input input, Class<? extends Reply> type) {
            return new Reply(input.readVarLong(true), kryo.readClassAndObject(input));
        }
    }
}
