package dev.streamtree.launcher.demo;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Renders a demo report in headless Chromium (Debian's chromium package, installed by .ci/run) and checks the
 * screenshot: the accuracy chart's series and drift marker are drawn in their colours.
 */
class ReportRenderIT {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");

    static BufferedImage screenshot(Path html, Path dir) throws Exception {
        Path png = dir.resolve("report.png");
        List<String> command = new ArrayList<>(List.of(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--user-data-dir=" + dir.resolve("profile"), "--window-size=1100,1400",
                "--screenshot=" + png, html.toUri().toString()));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve("chromium.log").toFile()).start();
        assertThat(process.waitFor(90, TimeUnit.SECONDS)).as("chromium finished").isTrue();
        assertThat(png).as("screenshot; chromium log: %s", Files.readString(dir.resolve("chromium.log"))).exists();
        return ImageIO.read(png.toFile());
    }

    static long pixelsOf(BufferedImage image, int rgb) {
        long n = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                int p = image.getRGB(x, y) & 0xFFFFFF;
                if (Math.abs(((p >> 16) & 0xFF) - ((rgb >> 16) & 0xFF)) < 12 && Math.abs(((p >> 8) & 0xFF) - ((rgb >> 8) & 0xFF)) < 12
                        && Math.abs((p & 0xFF) - (rgb & 0xFF)) < 12) {
                    n++;
                }
            }
        }
        return n;
    }

    static void requireChromium() {
        if (System.getenv("CI") != null) {
            assertThat(CHROMIUM).as("CI must install Debian's chromium (.ci/run does)").exists();
        }
        assumeTrue(Files.isExecutable(CHROMIUM), "Debian's chromium is not installed (apt-get install chromium)");
    }

    @Test
    void theReportChartIsVisibleInHeadlessChromium(@TempDir Path dir) throws Exception {
        requireChromium();
        Path html = dir.resolve("report.html");
        Files.writeString(html, ReportHtml.render(ReportHtmlTest.sample()));

        BufferedImage image = screenshot(html, dir);

        assertThat(image.getWidth()).isGreaterThan(900);
        int first = Integer.parseInt(ReportHtml.PALETTE.get(0).substring(1), 16);
        int second = Integer.parseInt(ReportHtml.PALETTE.get(1).substring(1), 16);
        int drift = Integer.parseInt(ReportHtml.DRIFT_COLOUR.substring(1), 16);
        assertThat(pixelsOf(image, first)).as("v000001 series pixels").isGreaterThan(300);
        assertThat(pixelsOf(image, second)).as("v000003 series pixels").isGreaterThan(150);
        assertThat(pixelsOf(image, drift)).as("drift marker pixels").isGreaterThan(100);
        ImageIO.write(image, "png", new File(dir.toFile(), "checked.png"));
    }
}
