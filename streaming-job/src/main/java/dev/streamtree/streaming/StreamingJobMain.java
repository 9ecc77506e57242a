package dev.streamtree.streaming;

/** {@code spark-submit --class dev.streamtree.streaming.StreamingJobMain streamtree-streaming-job-...-all.jar [flags]} */
public final class StreamingJobMain {

    private StreamingJobMain() {
    }

    public static void main(String[] args) {
        System.exit(StreamingCommand.execute(args));
    }
}
