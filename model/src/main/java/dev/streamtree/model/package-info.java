/**
 * The model as an artifact. {@code pipeline}: the feature encoding built from the schema and the decision tree
 * ({@link dev.streamtree.model.pipeline.FeaturePipeline}), tree parameters, and rendering ({@code tree.txt},
 * {@code tree.dot}, decision paths); {@code score}: a saved model read straight from its files and compiled into the
 * plain-Java scorer the streaming job serves; {@code registry}: the file-system model registry (stage, commit,
 * promote, with a checksummed manifest).
 */
package dev.streamtree.model;
