/**
 * Semblance in a Spring Boot application: {@link dev.semblance.spring.SemblanceAutoConfiguration}
 * makes the encoder, gallery, verifier and calibration beans from {@link
 * dev.semblance.spring.SemblanceProperties}, with a health indicator and Micrometer meters.
 */
package dev.semblance.spring;
