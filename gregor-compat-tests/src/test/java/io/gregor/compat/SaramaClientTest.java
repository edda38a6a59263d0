package io.gregor.compat;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;

/**
 * Sarama, a pure-Go client, against an in-process Gregor node, through {@link ExternalClientContract}: its
 * idempotent producer (acks=all, plain and lz4 batches), a consumer group, offset lookups and a sought read
 * without one, and its cluster admin. Sarama writes -1 into every batch's maxTimestamp; that the by-time lookup
 * still finds its records is Kafka's rewrite of that field (ClientBatchValidator).
 *
 * <p>Go and Sarama come from the machine's apt sources (Debian 12: Go 1.19, Sarama 1.22.1, with the libraries it
 * builds against), unpacked under {@code target/sarama} as {@link LibrdkafkaClientTest} does with kcat, and the
 * client program ({@code src/test/go/src/saramaclient}) is built there in GOPATH mode; zstd comes from the
 * system's libzstd at run time. This Sarama predates Kafka 4: it is configured as for a Kafka 2.1 (its default,
 * 0.8.2, sends versions Kafka 4 no longer accepts), with an offsets retention so that it commits with
 * OffsetCommit v2 instead of v1; its DescribeConfigs is v0 only, which Kafka 4 refuses by closing the connection,
 * so no config is described. The tests are skipped (reported as such) without apt-get, dpkg, gcc or pkg-config,
 * without the packages in the apt sources, or when the download fails; a failed build fails them.
 */
@Timeout(180)
class SaramaClientTest extends ExternalClientContract {

    private static final Path WORK = Path.of("target", "sarama");
    private static final Path ROOT = WORK.resolve("root");
    private static final Path SOURCES = Path.of("src", "test", "go");
    private static final Path BINARY = WORK.resolve("saramaclient");
    private static final List<String> PACKAGES = List.of("golang-1.19-go", "golang-1.19-src",
            "golang-github-shopify-sarama-dev", "golang-github-datadog-zstd-dev", "golang-github-davecgh-go-spew-dev",
            "golang-github-eapache-go-xerial-snappy-dev", "golang-github-golang-snappy-dev",
            "golang-github-klauspost-compress-dev", "golang-github-klauspost-crc32-dev", "golang-github-pierrec-lz4-dev",
            "golang-github-rcrowley-go-metrics-dev", "golang-golang-x-net-dev", "golang-gopkg-eapache-go-resiliency.v1-dev",
            "golang-gopkg-eapache-queue.v1-dev", "libzstd-dev", "libzstd1");

    @Override
    void prepareClient() throws Exception {
        assumeTrue(ExternalClients.onPath("apt-get") && ExternalClients.onPath("dpkg") && ExternalClients.onPath("apt-cache"),
                "apt-get, apt-cache and dpkg are not on the PATH: Sarama tests skipped");
        assumeTrue(ExternalClients.onPath("gcc") && ExternalClients.onPath("pkg-config"),
                "no gcc or pkg-config (Sarama's zstd is cgo): Sarama tests skipped");
        for (String pkg : List.of("golang-1.19-go", "golang-github-shopify-sarama-dev")) {
            assumeTrue(ExternalClients.aptOffers(pkg), "no " + pkg + " package in this machine's apt sources: Sarama tests skipped");
        }
        Path go = ROOT.resolve("usr/lib/go-1.19/bin/go");
        ExternalClients.aptUnpack(WORK, ROOT, PACKAGES.toArray(String[]::new));
        ProcessBuilder build = new ProcessBuilder(go.toAbsolutePath().toString(), "build", "-o",
                BINARY.toAbsolutePath().toString(), "saramaclient");
        Path root = ROOT.toAbsolutePath();
        Path libs; // the multiarch directory (x86_64-linux-gnu, aarch64-linux-gnu, ...) libzstd-dev unpacked into
        try (Stream<Path> files = Files.walk(root.resolve("usr/lib"))) {
            libs = files.filter(f -> f.getFileName().toString().equals("libzstd.pc")).findFirst()
                    .orElseThrow(() -> new AssertionError("libzstd.pc not in the unpacked libzstd-dev")).getParent().getParent();
        }
        build.environment().putAll(Map.of(
                "GOROOT", root.resolve("usr/lib/go-1.19").toString(),
                "GOPATH", root.resolve("usr/share/gocode") + ":" + SOURCES.toAbsolutePath(),
                "GO111MODULE", "off",
                "GOCACHE", WORK.toAbsolutePath().resolve("cache").toString(),
                "GOFLAGS", "",
                "PKG_CONFIG_PATH", libs.resolve("pkgconfig").toString(),
                "PKG_CONFIG_SYSROOT_DIR", root.toString(),
                "CGO_LDFLAGS", "-L" + libs,
                "CGO_CFLAGS", "-Wno-deprecated-declarations"));
        ExternalClients.runClient(build.directory(WORK.toFile()), 240);
    }

    @Override
    ProcessBuilder clientProcess(List<String> args) {
        List<String> cmd = new ArrayList<>(List.of(BINARY.toAbsolutePath().toString()));
        cmd.addAll(args);
        return new ProcessBuilder(cmd);
    }

    @Override
    boolean describesConfigs() {
        return false;
    }
}
