package dev.runbox.conformance;

/**
 * The conformance suite against {@code runbox serve --sandbox docker}: every language in a container
 * of the tests' base image, on the tests' own dockerd.
 */
class DockerConformanceTest extends ConformanceSuite {
    @Override
    Deployment deploy() throws Exception {
        return LocalDeployment.docker();
    }
}
