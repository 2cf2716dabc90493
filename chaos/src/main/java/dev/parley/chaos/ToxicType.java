package dev.parley.chaos;

import dev.parley.chaos.internal.WireNames;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Every kind of fault the proxy knows, with its attributes and their defaults. The TCP kinds are
 * Toxiproxy's, with Toxiproxy's names, attributes and units; the UDP kinds are this kit's own.
 *
 * <table>
 *   <caption>Kinds, attributes and units</caption>
 *   <tr><th>type</th><th>protocol</th><th>attributes</th></tr>
 *   <tr><td>latency</td><td>tcp, udp</td><td>latency ms, jitter ms (uniform &plusmn;)</td></tr>
 *   <tr><td>bandwidth</td><td>tcp, udp</td><td>rate KB/s</td></tr>
 *   <tr><td>slow_close</td><td>tcp</td><td>delay ms before a close is passed on</td></tr>
 *   <tr><td>timeout</td><td>tcp</td><td>timeout ms: data is dropped and the connection closed after it; 0 never closes</td></tr>
 *   <tr><td>reset_peer</td><td>tcp</td><td>timeout ms, then both sides get a TCP reset</td></tr>
 *   <tr><td>slicer</td><td>tcp</td><td>average_size bytes, size_variation bytes, delay &micro;s between slices</td></tr>
 *   <tr><td>limit_data</td><td>tcp</td><td>bytes passed before the connection is closed</td></tr>
 *   <tr><td>loss</td><td>udp</td><td>probability 0..1 that a datagram is dropped</td></tr>
 *   <tr><td>burst_loss</td><td>udp</td><td>Gilbert&ndash;Elliott: p (good&rarr;bad), r (bad&rarr;good),
 *       loss_good, loss_bad (drop probability in each state)</td></tr>
 *   <tr><td>duplicate</td><td>udp</td><td>probability 0..1 that a datagram is sent twice</td></tr>
 *   <tr><td>reorder</td><td>udp</td><td>probability 0..1 that a datagram is held back, delay ms it is held</td></tr>
 *   <tr><td>corrupt</td><td>udp</td><td>probability 0..1 that one bit of a datagram is flipped</td></tr>
 *   <tr><td>partition</td><td>tcp, udp</td><td>none. UDP: every datagram in its direction is dropped.
 *       TCP (this kit's extension): data and closes in its direction are held, not dropped, until
 *       it is removed, as TCP retransmission would carry a stream across a real partition</td></tr>
 * </table>
 */
public enum ToxicType {
    LATENCY(Set.of(Protocol.TCP, Protocol.UDP), "latency", 0, "jitter", 0),
    BANDWIDTH(Set.of(Protocol.TCP, Protocol.UDP), "rate", 0),
    SLOW_CLOSE(Set.of(Protocol.TCP), "delay", 0),
    TIMEOUT(Set.of(Protocol.TCP), "timeout", 0),
    RESET_PEER(Set.of(Protocol.TCP), "timeout", 0),
    SLICER(Set.of(Protocol.TCP), "average_size", 0, "size_variation", 0, "delay", 0),
    LIMIT_DATA(Set.of(Protocol.TCP), "bytes", 0),
    LOSS(Set.of(Protocol.UDP), "probability", 0),
    BURST_LOSS(Set.of(Protocol.UDP), "p", 0, "r", 1, "loss_good", 0, "loss_bad", 1),
    DUPLICATE(Set.of(Protocol.UDP), "probability", 0),
    REORDER(Set.of(Protocol.UDP), "probability", 0, "delay", 0),
    CORRUPT(Set.of(Protocol.UDP), "probability", 0),
    PARTITION(Set.of(Protocol.TCP, Protocol.UDP));

    private final Set<Protocol> protocols;
    private final Map<String, Double> defaults;

    ToxicType(Set<Protocol> protocols, Object... namesAndDefaults) {
        this.protocols = protocols;
        var attributes = new LinkedHashMap<String, Double>();
        for (int i = 0; i < namesAndDefaults.length; i += 2) {
            attributes.put((String) namesAndDefaults[i], ((Number) namesAndDefaults[i + 1]).doubleValue());
        }
        this.defaults = Collections.unmodifiableMap(attributes);
    }

    /** The name on the wire, such as {@code "reset_peer"}. */
    public String wireName() {
        return WireNames.of(this);
    }

    /** The protocols whose proxies accept this kind. */
    public Set<Protocol> protocols() {
        return protocols;
    }

    /** The attributes this kind takes, in order, with their defaults. */
    public Map<String, Double> defaults() {
        return defaults;
    }

    /**
     * The kind called {@code name}.
     *
     * @throws IllegalArgumentException naming the kinds there are, if none matches
     */
    public static ToxicType fromWireName(String name) {
        return WireNames.find(values(), name, "toxic type");
    }
}
