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
 */
final class StrictClassResolver extends DefaultClassResolver {

    /** Kryo writes ids shifted by two: 0 is null and 1 is "class by name". */
    private static final int ID_OFFSET = 2;

    @Override
    public Registration readClass(Input input) {
        int tag = input.readVarInt(true);
        if (tag == Kryo.NULL) {
            return null;
        }
        if (tag == NAME + ID_OFFSET) {
            throw UnregisteredClassException.byName();
        }
        Registration registration = idToRegistration.get(tag - ID_OFFSET);
        if (registration == null) {
            throw new UnregisteredClassException(tag - ID_OFFSET);
        }
        return registration;
    }
}
