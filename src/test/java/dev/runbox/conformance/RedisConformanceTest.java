package dev.runbox.conformance;

/**
 * The conformance suite against Runbox scaled out on a real redis-server: two API-only servers
 * ({@code serve --workers 0}), requests spread over both, and two {@code runbox worker} processes.
 */
class RedisConformanceTest extends ConformanceSuite {
    @Override
    Deployment deploy() throws Exception {
        return LocalDeployment.redis(LocalDeployment.RedisOptions.conformance());
    }
}
