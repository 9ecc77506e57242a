package dev.streamtree.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Checks docker/Dockerfile and .dockerignore without a Docker engine: every COPY source is a file
 * {@code ./mvnw -DskipTests package} builds and stays in the build context, and the context holds nothing else.
 */
class DockerImageTest {

    private final List<DockerBuildContext.Copy> copies = DockerBuildContext.copies(RepoFiles.read("docker/Dockerfile"));
    private final DockerBuildContext context = dockerignore();

    private static DockerBuildContext dockerignore() {
        if (!Files.isRegularFile(RepoFiles.path(".dockerignore"))) {
            throw new AssertionError("no .dockerignore at the repository root: docker build would send the whole checkout");
        }
        return DockerBuildContext.ignoring(RepoFiles.read(".dockerignore"));
    }

    private List<String> sources() {
        return copies.stream().flatMap(copy -> copy.sources().stream()).toList();
    }

    @Test
    void copiesTheTwoJobJarsIntoTheJarsDirectory() {
        assertThat(copies).extracting(DockerBuildContext.Copy::destination).containsOnly("/opt/streamtree/jars/");
        assertThat(sources()).containsExactly(RepoFiles.shadedJar("streaming-job"), RepoFiles.shadedJar("retrain-job"));
    }

    @Test
    void everyCopySourceIsBuiltByPackageAndStaysInTheBuildContext() {
        for (String source : sources()) {
            assertThat(RepoFiles.built(source)).as(source).isNotEmptyFile();
            assertThat(context.excludes(source)).as(source + " excluded by .dockerignore").isFalse();
        }
    }

    @Test
    void buildContextHoldsOnlyTheCopiedJars() {
        sources().forEach(RepoFiles::built);

        assertThat(context.included(RepoFiles.ROOT)).as("files docker build would send")
                .containsExactlyInAnyOrderElementsOf(sources());
        for (String left : List.of(".git", ".git/HEAD", "work/lake/part-0.parquet", "bench/results/run.json",
                "streaming-job/target/classes/Main.class", "ingest/target/streamtree-ingest-0.1.0-SNAPSHOT-all.jar",
                "streaming-job/target/streamtree-streaming-job-0.1.0-SNAPSHOT.jar", "deploy/iam/streamtree-jobs-policy.json")) {
            assertThat(context.excludes(left)).as(left).isTrue();
        }
    }

    @Test
    void ignoreRulesMatchLikeDocker() {
        DockerBuildContext rules = DockerBuildContext.ignoring("""
                # comment
                **/target
                !streaming-job/target/*-all.jar
                /work/
                *.md
                !README.md
                bench/results
                """);

        assertThat(rules.excludes("streaming-job/target/classes/A.class")).as("parent directory matched").isTrue();
        assertThat(rules.excludes("target/x.jar")).as("** matches no directory too").isTrue();
        assertThat(rules.excludes("streaming-job/target/streamtree-streaming-job-1-all.jar")).as("re-included").isFalse();
        assertThat(rules.excludes("retrain-job/target/streamtree-retrain-job-1-all.jar")).isTrue();
        assertThat(rules.excludes("work/lake/x")).as("leading and trailing slashes cleaned").isTrue();
        assertThat(rules.excludes("docs/deploy.md")).as("* does not cross /").isFalse();
        assertThat(rules.excludes("CHANGES.md")).isTrue();
        assertThat(rules.excludes("README.md")).as("last match wins").isFalse();
        assertThat(rules.excludes("bench/results/2026/run.json")).isTrue();
        assertThat(rules.excludes("bench/src/Main.java")).isFalse();
    }
}
