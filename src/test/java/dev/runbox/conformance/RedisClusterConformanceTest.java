package dev.runbox.conformance;

/** The conformance suite against two API-only servers and two workers on a local three-master Redis Cluster. */
class RedisClusterConformanceTest extends ConformanceSuite {
    @Override
    Deployment deploy() throws Exception {
        return LocalDeployment.redisCluster();
    }
}
