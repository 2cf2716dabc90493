package dev.parley.chaos.im;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A fault scenario that runs once over each transport of {@link FaultTransports#names()}, taking its name; the
 * proxy in front of the server carries the same protocol.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@ParameterizedTest(name = "over {0}")
@MethodSource("dev.parley.chaos.im.FaultTransports#names")
@interface OverFaultTransports {
}
