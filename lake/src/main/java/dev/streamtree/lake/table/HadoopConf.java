package dev.streamtree.lake.table;

import org.apache.hadoop.conf.Configuration;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serial;

/**
 * A Hadoop {@link Configuration} that travels to executors with a task: the driver's settings (file system
 * implementations, S3 endpoints and credential providers, never credentials typed into code) as they were when it
 * was made. Configuration is {@code Writable} but not {@code Serializable}.
 */
public final class HadoopConf implements LakeStaging.ConfSource {

    @Serial
    private static final long serialVersionUID = 1L;

    private transient Configuration value;

    public HadoopConf(Configuration value) {
        this.value = new Configuration(value);
    }

    @Override
    public Configuration get() {
        return value;
    }

    @Serial
    private void writeObject(ObjectOutputStream out) throws IOException {
        out.defaultWriteObject();
        value.write(out);
    }

    @Serial
    private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
        in.defaultReadObject();
        value = new Configuration(false);
        value.readFields(in);
    }
}
