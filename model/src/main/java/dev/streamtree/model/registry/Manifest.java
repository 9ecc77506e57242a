package dev.streamtree.model.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.streamtree.common.json.Json;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The list of files a committed version consists of, written last by a commit. A version directory whose
 * manifest is missing, unreadable or disagrees with the files on storage is corrupt.
 *
 * @param stagingId the staging work area the version was committed from (for diagnosis)
 * @param files     every file of the version except the manifest itself, sorted by path
 */
record Manifest(String stagingId, List<Entry> files) {

    /** The manifest's file name inside a version directory. */
    static final String FILE_NAME = "manifest.json";

    /**
     * @param path   path relative to the version directory, '/'-separated
     * @param size   length in bytes
     * @param sha256 lower-case hex SHA-256 of the content
     */
    record Entry(String path, long size, String sha256) {
        Entry {
            Objects.requireNonNull(path, "manifest entry path");
            Objects.requireNonNull(sha256, "manifest entry sha256");
            if (path.isEmpty() || path.startsWith("/") || path.contains("..") || path.contains("\\")) {
                throw new IllegalArgumentException("manifest entry path '" + path + "' is not a plain relative path");
            }
            if (size < 0) {
                throw new IllegalArgumentException("manifest entry '" + path + "' has negative size " + size);
            }
        }
    }

    Manifest {
        files = files.stream().sorted(java.util.Comparator.comparing(Entry::path)).toList();
    }

    boolean contains(String path) {
        return files.stream().anyMatch(e -> e.path().equals(path));
    }

    String toJson() {
        ObjectNode root = Json.mapper().createObjectNode();
        root.put("format", 1);
        root.put("staging_id", stagingId);
        ArrayNode array = root.putArray("files");
        for (Entry e : files) {
            array.addObject().put("path", e.path()).put("size", e.size()).put("sha256", e.sha256());
        }
        try {
            return Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(root);
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialise manifest", e);
        }
    }

    /**
     * @throws IllegalArgumentException when the text is not a manifest
     */
    static Manifest parse(String json) {
        JsonNode root;
        try {
            root = Json.mapper().readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("manifest is not valid JSON: " + e.getMessage(), e);
        }
        if (root == null || root.path("format").asInt() != 1 || !root.path("files").isArray()) {
            throw new IllegalArgumentException("manifest lacks format 1 or its file list");
        }
        List<Entry> entries = new ArrayList<>();
        for (JsonNode node : root.path("files")) {
            if (!node.path("path").isTextual() || !node.path("size").isIntegralNumber() || !node.path("sha256").isTextual()) {
                throw new IllegalArgumentException("manifest entry " + node + " lacks path, size or sha256");
            }
            entries.add(new Entry(node.path("path").asText(), node.path("size").asLong(), node.path("sha256").asText()));
        }
        return new Manifest(root.path("staging_id").asText(""), entries);
    }
}
