/**
 * Face clustering: group the faces of a photo collection into people without enrolling anyone
 * first. {@link dev.semblance.clustering.FaceClusters} is the entry point.
 */
package dev.semblance.clustering;
