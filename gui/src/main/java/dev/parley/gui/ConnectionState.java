package dev.parley.gui;

/** Where the client's connection to the server stands, as the window shows it. */
public enum ConnectionState {
    /** Signing in: connecting and registering. */
    CONNECTING,
    /** Signed in; requests go through. */
    CONNECTED,
    /** The connection dropped and the client is getting it back; the window stays usable. */
    RECONNECTING,
    /** Signed out, or the connection is gone for good. */
    DISCONNECTED
}
