package dev.runbox.conformance;

import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The conformance suite against a Runbox already running somewhere: enabled by
 * {@code -Drunbox.conformance.url=http://host:port} (see {@link ExternalDeployment} for the key and
 * callback secret properties); {@code ./runbox conformance URL} runs it.
 */
@EnabledIfSystemProperty(named = ExternalDeployment.URL, matches = ".+")
class ExternalConformanceTest extends ConformanceSuite {
    @Override
    Deployment deploy() {
        return ExternalDeployment.fromSystemProperties();
    }
}
