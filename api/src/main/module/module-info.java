/**
 * Parley's API: framing, the Kryo codec, the transport SPI, endpoints with typed dispatch and
 * remote calls, and the IM protocol with its client.
 */
module dev.parley.api {
    requires com.esotericsoftware.kryo;
    requires org.slf4j;

    exports dev.parley;
    exports dev.parley.codec;
    exports dev.parley.frame;
    exports dev.parley.im;
    exports dev.parley.rpc;
    exports dev.parley.transport;
    exports dev.parley.transport.spi;
    exports dev.parley.transport.memory;

    // Kryo builds records through their canonical constructors by reflection.
    opens dev.parley.im to com.esotericsoftware.kryo;
    opens dev.parley.rpc to com.esotericsoftware.kryo;

    uses dev.parley.transport.TransportProvider;
    provides dev.parley.transport.TransportProvider with dev.parley.transport.memory.MemoryTransportProvider;
}
