package dev.runbox.conformance;

/** The conformance suite against one {@code runbox serve}: API, queue, store and workers in one process. */
class EmbeddedConformanceTest extends ConformanceSuite {
    @Override
    Deployment deploy() throws Exception {
        return LocalDeployment.embedded();
    }
}
