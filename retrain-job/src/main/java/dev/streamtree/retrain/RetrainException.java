package dev.streamtree.retrain;

/** A retrain could not finish; the message says why and what to change. Nothing was promoted. */
public class RetrainException extends RuntimeException {

    public RetrainException(String message) {
        super(message);
    }

    public RetrainException(String message, Throwable cause) {
        super(message, cause);
    }
}
