package io.gregor.cli;

import picocli.CommandLine.IVersionProvider;

/** {@code gregor --version}: the Implementation-Version the shaded jar's manifest carries. */
final class VersionProvider implements IVersionProvider {

    @Override
    public String[] getVersion() {
        String version = GregorCommand.class.getPackage().getImplementationVersion();
        return new String[] {"gregor " + (version == null ? "(development build)" : version)};
    }
}
