package dev.parley.internal.codec;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Registration;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.util.DefaultClassResolver;
import dev.parley.codec.UnregisteredClassException;

/**
 * Reads class ids strictly: an id outside the registry, or a class written by name, is refused with
 * {@link UnregisteredClassException} before anything is looked up or loaded. Kryo's own resolver
 * would load a class named in the bytes (without initialising it) before noticing it is not
 * registered.
 *
 * <p>Ids below {@value #DIRECT_IDS} are found in an array, which is what almost every message
 * reads, instead of Kryo's hash map, which the profile showed on every decoded frame.
 */
final class StrictClassResolver extends DefaultClassResolver {

    /** Kryo writes ids shifted by two: 0 is null and 1 is "class by name". */
    private static final int ID_OFFSET = 2;
    /** Ids looked up by index; larger ones (rare: applications number from 64) go through the map. */
    private static final int DIRECT_IDS = 1024;

    private final Registration[] byId = new Registration[DIRECT_IDS];

    @Override
    public Registration register(Registration registration) {
        Registration registered = super.register(registration);
        if (isDirect(registered.getId())) {
            byId[registered.getId()] = registered;
        }
        return registered;
    }

    @Override
    public Registration unregister(int classId) {
        if (isDirect(classId)) {
            byId[classId] = null;
        }
        return super.unregister(classId);
    }

    @Override
    public Registration readClass(Input input) {
        int tag = input.readVarInt(true);
        if (tag == Kryo.NULL) {
            return null;
        }
        if (tag == NAME + ID_OFFSET) {
            throw UnregisteredClassException.byName();
        }
        int id = tag - ID_OFFSET;
        Registration registration = isDirect(id) ? byId[id] : idToRegistration.get(id);
        if (registration == null) {
            throw new UnregisteredClassException(id);
        }
        return registration;
    }

    private static boolean isDirect(int id) {
        return id >= 0 && id < DIRECT_IDS;
    }
}
