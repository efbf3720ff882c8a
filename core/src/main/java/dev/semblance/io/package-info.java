/**
 * Durable file writes: the one routine by which Semblance, and applications beside it, replace a
 * file so that a crash leaves the old file or the new one, never a mix.
 */
package dev.semblance.io;
