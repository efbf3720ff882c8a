/**
 * Galleries kept in an OpenSearch cluster: {@link dev.semblance.opensearch.OpenSearchGallery}.
 * Everything under {@code dev.semblance.opensearch.internal} is not API.
 */
package dev.semblance.opensearch;
