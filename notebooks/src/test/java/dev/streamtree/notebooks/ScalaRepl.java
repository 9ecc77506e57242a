package dev.streamtree.notebooks;

import scala.Console$;
import scala.Function0;
import scala.collection.immutable.List$;
import scala.jdk.javaapi.CollectionConverters;
import scala.tools.nsc.Settings;
import scala.tools.nsc.interpreter.IMain;
import scala.tools.nsc.interpreter.Results;
import scala.tools.nsc.interpreter.shell.ReplReporterImpl;

import java.io.ByteArrayOutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The Scala REPL's interpreter ({@link IMain}, what Zeppelin's Spark interpreter and {@code spark-shell} run code
 * in), in this JVM: values bound into it are the test's own objects, and code runs on the calling thread.
 */
final class ScalaRepl implements AutoCloseable {

    /** What one {@link #run} printed and whether the interpreter accepted it. */
    record Outcome(boolean success, String output) {
    }

    private final ByteArrayOutputStream output = new ByteArrayOutputStream();
    private final PrintWriter writer = new PrintWriter(new OutputStreamWriter(output, StandardCharsets.UTF_8), true);
    private final IMain intp;

    /** An interpreter compiling against {@code classpath} (the test's own, so it sees Spark and the bound values' classes). */
    ScalaRepl(String classpath) {
        Settings settings = new Settings();
        settings.processArguments(CollectionConverters.asScala(List.of("-classpath", classpath)).toList(), true);
        intp = new IMain(settings, new ReplReporterImpl(settings, writer));
    }

    /** Binds {@code value} as {@code name} of static type {@code type} (a fully qualified class name). */
    void bind(String name, String type, Object value) {
        Outcome outcome = capture(() -> intp.bind(name, type, value, List$.MODULE$.empty()));
        if (!outcome.success()) {
            throw new IllegalStateException("cannot bind " + name + ": " + outcome.output());
        }
    }

    /** Compiles and runs {@code code}; its printed output and the interpreter's messages are in the outcome. */
    Outcome run(String code) {
        return capture(() -> intp.interpret(code));
    }

    private synchronized Outcome capture(Function0<Results.Result> call) {
        output.reset();
        Results.Result result = Console$.MODULE$.withOut(output, call);
        writer.flush();
        return new Outcome(result == Results.Success$.MODULE$, output.toString(StandardCharsets.UTF_8));
    }

    @Override
    public void close() {
        intp.close();
    }
}
