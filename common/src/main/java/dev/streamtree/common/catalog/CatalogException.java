package dev.streamtree.common.catalog;

/** The table catalog could not be reached or refused a request; see {@link EventCatalog}. */
public class CatalogException extends RuntimeException {

    public CatalogException(String message, Throwable cause) {
        super(message, cause);
    }

    public CatalogException(String message) {
        super(message);
    }
}
