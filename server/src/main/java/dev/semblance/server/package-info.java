/**
 * A face-recognition service in one JVM: {@link dev.semblance.server.SemblanceServer} serves an
 * encoder and a gallery over HTTP with API keys ({@link dev.semblance.server.ApiKeys}), rate
 * limits, metrics and a web page. See {@code docs/service.md} for the API and its figures.
 */
package dev.semblance.server;
