package dev.parley.codec;

/**
 * The bytes name a class id that is not in the registry, or try to name a class by its name
 * (which Parley never accepts). Nothing outside the registry is ever loaded or instantiated.
 */
public final class UnregisteredClassException extends CodecException {

    private final int classId;

    public UnregisteredClassException(int classId) {
        super("unregistered class id " + classId + ": only classes in the codec's registry may cross the wire");
        this.classId = classId;
    }

    private UnregisteredClassException(String message) {
        super(message);
        this.classId = -1;
    }

    /** Thrown for a class sent by name rather than by registered id. */
    public static UnregisteredClassException byName() {
        return new UnregisteredClassException(
                "a class named by its name rather than a registered id: only classes in the codec's registry may cross the wire");
    }

    /** The id that was read, or -1 when the bytes named a class by its name. */
    public int classId() {
        return classId;
    }
}
