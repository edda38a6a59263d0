package io.gregor.compat;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Assumptions;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** What the tests of clients other than the Java one share: finding programs, fetching Debian packages, running. */
final class ExternalClients {

    private ExternalClients() {
    }

    /** True when {@code command} is an executable in one of the PATH's directories. */
    static boolean onPath(String command) {
        String path = System.getenv("PATH");
        return path != null && Arrays.stream(path.split(File.pathSeparator))
                .anyMatch(dir -> !dir.isEmpty() && Files.isExecutable(Path.of(dir, command)));
    }

    /** True when the machine's apt sources offer {@code pkg} (apt-cache policy names a candidate). */
    static boolean aptOffers(String pkg) throws IOException, InterruptedException {
        String policy = run(Path.of("."), "apt-cache", "policy", pkg);
        return policy.contains("Candidate:") && !policy.contains("Candidate: (none)");
    }

    /**
     * Downloads {@code packages} from the machine's apt sources into {@code work/debs} and unpacks them under
     * {@code root} ({@code apt-get download} and {@code dpkg -x}: no root needed, nothing installed on the system),
     * unless an earlier run finished doing so (a marker file says it did). A download that fails (no network, apt
     * lists naming a version the mirror no longer has) skips the calling tests, saying why; the .deb files are
     * deleted once unpacked.
     */
    static void aptUnpack(Path work, Path root, String... packages) throws IOException, InterruptedException {
        Path done = work.resolve("unpacked");
        if (Files.exists(done) && Files.readString(done).equals(String.join(" ", packages))) {
            return;
        }
        Path debs = work.resolve("debs");
        deleteRecursively(work);
        Files.createDirectories(debs);
        String[] download = new String[packages.length + 2];
        download[0] = "apt-get";
        download[1] = "download";
        System.arraycopy(packages, 0, download, 2, packages.length);
        String failed = runOrNull(debs, download);
        Assumptions.assumeTrue(failed == null, () -> "apt-get download " + String.join(" ", packages) + " failed: " + failed);
        try (Stream<Path> files = Files.list(debs)) {
            for (Path deb : files.filter(f -> f.toString().endsWith(".deb")).toList()) {
                run(work, "dpkg", "-x", deb.toAbsolutePath().toString(), root.toAbsolutePath().toString());
            }
        }
        deleteRecursively(debs);
        Files.writeString(done, String.join(" ", packages));
    }

    /** As {@link #run}, but returns what a failed command printed (null when it exited 0) instead of failing. */
    private static String runOrNull(Path dir, String... command) throws IOException, InterruptedException {
        try {
            run(dir, command);
            return null;
        } catch (AssertionError e) {
            return e.getMessage();
        }
    }

    /** Runs {@code command} in {@code dir}; returns what it printed (stdout and stderr) after checking it exited 0. */
    static String run(Path dir, String... command) throws IOException, InterruptedException {
        Path log = Files.createTempFile("client-setup", ".txt");
        try {
            Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(List.of(command) + " did not finish in 120 s: " + Files.readString(log));
            }
            String output = Files.readString(log);
            assertThat(p.exitValue()).as("%s: %s", List.of(command), output).isZero();
            return output;
        } finally {
            Files.delete(log);
        }
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(f);
            }
        }
    }

    /**
     * Runs a client script to its end; returns its stdout lines split at tabs, after checking it exited 0 within
     * {@code timeoutSeconds} (else the assertion shows what it printed).
     */
    static List<String[]> runClient(ProcessBuilder pb, long timeoutSeconds) throws IOException, InterruptedException {
        Path out = Files.createTempFile("client-out", ".txt");
        Path err = Files.createTempFile("client-err", ".txt");
        try {
            Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(pb.command() + " did not finish; stdout: " + Files.readString(out)
                        + "\nstderr: " + Files.readString(err));
            }
            assertThat(p.exitValue()).as("%s failed: %s", pb.command(), Files.readString(err)).isZero();
            return Files.readAllLines(out).stream().filter(l -> !l.isBlank()).map(l -> l.split("\t", -1)).toList();
        } finally {
            Files.delete(out);
            Files.delete(err);
        }
    }

    /** The lines whose first field is {@code kind}. */
    static List<String[]> linesOf(List<String[]> lines, String kind) {
        return lines.stream().filter(l -> l[0].equals(kind)).toList();
    }
}
