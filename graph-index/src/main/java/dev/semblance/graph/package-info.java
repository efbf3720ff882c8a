/**
 * Galleries of millions of templates on one machine: {@link dev.semblance.graph.GraphGallery}.
 * Everything under {@code dev.semblance.graph.internal} is not API.
 */
package dev.semblance.graph;
