package dev.streamtree.common.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;

/**
 * The one JSON configuration used for events, predictions, control messages and metadata files.
 *
 * <p>Parsing is strict: duplicate keys, NaN/Infinity literals, comments and trailing tokens are errors,
 * and nesting is capped so a hostile record cannot exhaust the stack.
 */
public final class Json {

    /** Deepest object/array nesting accepted in any document. */
    public static final int MAX_NESTING_DEPTH = 32;

    private static final ObjectMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxNestingDepth(MAX_NESTING_DEPTH)
                            .maxStringLength(16 * 1024 * 1024)
                            .build())
                    // FastDoubleParser and Schubfach (Jackson's own copies): the same doubles as the JDK's parse and
                    // a shortest round-tripping text, in a fraction of the time (a tenth of validating an event went
                    // to the JDK's parse).
                    .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
                    .enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER)
                    .build())
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .findAndAddModules()
            .build();

    private Json() {
    }

    /** A thread-safe, shared mapper; do not reconfigure it. */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /** Reads one field of an object for {@link #readObject}; the parser stands at the field's value. */
    @FunctionalInterface
    public interface FieldReader {
        /**
         * Takes the value ({@code token} and what the parser returns for it), or skips it whole
         * ({@link JsonParser#skipChildren()} for an object or array).
         *
         * @return false when the object is not in the shape the caller reads, which ends the reading
         */
        boolean read(String name, JsonToken token, JsonParser parser) throws IOException;
    }

    /**
     * Reads a JSON object from its UTF-8 bytes field by field with the shared mapper's parser, so duplicate keys,
     * nesting, NaN literals and trailing tokens are refused as in a tree read; for the hot paths that read one record
     * at a time without building a tree.
     *
     * @return true when {@code json} is one object, read to its end, each field taken by {@code fields}; false when it
     * is malformed, not an object, has trailing tokens, or a field was refused
     */
    public static boolean readObject(byte[] json, FieldReader fields) {
        return readObject(json, fields, true);
    }

    /**
     * As {@link #readObject}, for an object of scalars whose reader knows every name it takes: the parser keeps no set
     * of the names read (building one per record was a fifth of validating an event), so {@code fields} must refuse a
     * name it has taken before. A value that is an object or array ends the reading (false) before {@code fields}
     * sees it, since nobody would check the names inside it.
     */
    public static boolean readFlatObject(byte[] json, FieldReader fields) {
        return readObject(json, fields, false);
    }

    private static boolean readObject(byte[] json, FieldReader fields, boolean parserChecksNames) {
        try (JsonParser parser = MAPPER.createParser(json)) {
            if (!parserChecksNames) {
                parser.disable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
            }
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return false;
            }
            String name;
            while ((name = parser.nextFieldName()) != null) {
                JsonToken token = parser.nextToken();
                if (!parserChecksNames && (token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY)) {
                    return false;
                }
                if (!fields.read(name, token, parser)) {
                    return false;
                }
            }
            return parser.currentToken() == JsonToken.END_OBJECT && parser.nextToken() == null;
        } catch (IOException e) {
            return false;
        }
    }
}
