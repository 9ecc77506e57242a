package dev.streamtree.common.registry;

/** A committed version's files are missing or do not match their recorded checksums. */
public class CorruptVersionException extends RegistryException {

    public CorruptVersionException(String message) {
        super(message);
    }
}
