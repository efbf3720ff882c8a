/**
 * A typed Java client of the Semblance service: {@link dev.semblance.client.SemblanceClient}.
 * Depends on the JDK's HTTP client and Jackson only, not on the models.
 */
package dev.semblance.client;
