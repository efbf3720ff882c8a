/**
 * Semblance as Apache Spark jobs, for collections that outgrow one machine: {@link
 * dev.semblance.spark.SparkFaces} encodes images, {@link dev.semblance.spark.SparkGalleries} turns
 * DataFrames into galleries and back, {@link dev.semblance.spark.SparkSearch} identifies and
 * self-searches exactly, and {@link dev.semblance.spark.SparkCli} runs them from the command line
 * ({@code bin/semblance-spark} locally, the job jar under {@code spark-submit}). Each is a thin
 * adapter around the same {@code Encoder} and {@code Gallery} a plain Java caller uses, and its
 * tests compare answers with theirs.
 *
 * <p><b>Stability.</b> Public and supported, as {@code dev.semblance}; column names are in {@link
 * dev.semblance.spark.FaceColumns}.
 */
package dev.semblance.spark;
