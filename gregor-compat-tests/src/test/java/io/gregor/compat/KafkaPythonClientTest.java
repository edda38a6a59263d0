package io.gregor.compat;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;

/**
 * kafka-python, the pure-Python client (its own protocol code, not librdkafka), against an in-process Gregor node,
 * through {@link ExternalClientContract}: it produces plain and gzip batches, consumes as a group, seeks and looks
 * up offsets without one, and describes configs, lists groups and deletes a topic with its admin client. It
 * negotiates its own versions from ApiVersions (it takes this broker for a Kafka 2.5, the newest it knows), older
 * than the Java client's for most APIs.
 *
 * <p>kafka-python comes from the machine's apt sources ({@code python3-kafka}, Debian 12: 2.0.2), unpacked under
 * {@code target/kafka-python} as {@link LibrdkafkaClientTest} does with kcat, and runs on Debian's
 * {@code /usr/bin/python3} (else the {@code python3} on the PATH). The tests are skipped (reported as such) without
 * apt-get, dpkg or Python, without the package in the apt sources, when the download fails, or when the unpacked
 * client does not import.
 */
@Timeout(180)
class KafkaPythonClientTest extends ExternalClientContract {

    private static final Path WORK = Path.of("target", "kafka-python");
    private static final Path ROOT = WORK.resolve("root");
    private static final Path SCRIPT = Path.of("src", "test", "python", "kafka_python_client.py");
    private String python;
    private Path packages;

    @Override
    void prepareClient() throws Exception {
        assumeTrue(ExternalClients.onPath("apt-get") && ExternalClients.onPath("dpkg") && ExternalClients.onPath("apt-cache"),
                "apt-get, apt-cache and dpkg are not on the PATH: kafka-python tests skipped");
        python = Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3"
                : ExternalClients.onPath("python3") ? "python3" : null;
        assumeTrue(python != null, "no python3: kafka-python tests skipped");
        assumeTrue(ExternalClients.aptOffers("python3-kafka"),
                "no python3-kafka package in this machine's apt sources: kafka-python tests skipped");
        ExternalClients.aptUnpack(WORK, ROOT, "python3-kafka");
        try (Stream<Path> files = Files.walk(ROOT)) {
            packages = files.filter(f -> f.getFileName().toString().equals("kafka") && Files.isDirectory(f)
                            && Files.exists(f.resolve("__init__.py")))
                    .findFirst().orElseThrow(() -> new AssertionError("no kafka package in the unpacked python3-kafka"))
                    .getParent();
        }
        Path printed = Files.createTempFile("kafka-python-import", ".txt");
        try {
            Process p = pythonProcess(List.of("-c", "import kafka; print(kafka.__version__)")).redirectErrorStream(true)
                    .redirectOutput(printed.toFile()).start();
            boolean exited = p.waitFor(30, TimeUnit.SECONDS);
            if (!exited) {
                p.destroyForcibly();
            }
            assumeTrue(exited && p.exitValue() == 0, "kafka-python does not import with " + python + ": "
                    + Files.readString(printed).strip() + ": kafka-python tests skipped");
        } finally {
            Files.delete(printed);
        }
    }

    @Override
    ProcessBuilder clientProcess(List<String> args) {
        List<String> all = new ArrayList<>(List.of(SCRIPT.toString()));
        all.addAll(args);
        return pythonProcess(all);
    }

    private ProcessBuilder pythonProcess(List<String> args) {
        List<String> cmd = new ArrayList<>(List.of(python));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        String existing = pb.environment().get("PYTHONPATH");
        String ours = packages.toAbsolutePath().toString();
        pb.environment().put("PYTHONPATH", existing == null || existing.isEmpty() ? ours : ours + File.pathSeparator + existing);
        pb.environment().put("PYTHONDONTWRITEBYTECODE", "1");
        return pb;
    }
}
