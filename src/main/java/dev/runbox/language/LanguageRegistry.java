package dev.runbox.language;

import dev.runbox.config.RunboxConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The languages this server can run: those of the languages file (the built-in one, or the operator's
 * {@code languages-file}, which replaces it) whose toolchain is installed here and whose limits fit
 * the server's, each with the version it reported at start. A language that names an image (or any
 * language, with {@code sandbox=docker} and a {@code docker-image}) runs in Docker: its toolchain is the
 * image's, and it is offered once its version command has answered in a container of that image
 * ({@link #probedInImages}), as a host language is once its version command answered on the host.
 */
public final class LanguageRegistry {

    private static final Logger log = LoggerFactory.getLogger(LanguageRegistry.class);

    /** Probes of one image's languages run at once, within the sandbox's uids: start time grows little with their number. */
    private static final int PARALLEL_PROBES = 4;

    private final Map<String, Language> available;
    private final Map<String, LanguageLimits.Bounds> bounds;
    private final RunboxConfig config;

    LanguageRegistry(Map<String, Language> available, RunboxConfig config) {
        this.config = config;
        this.available = Collections.unmodifiableMap(new LinkedHashMap<>(available)); // in file order
        Map<String, LanguageLimits.Bounds> b = new LinkedHashMap<>();
        available.forEach((id, l) -> b.put(id, l.limits().resolve(config)));
        this.bounds = Map.copyOf(b);
    }

    /** Reads the languages file named by the config (or the built-in one) and keeps what can run here. */
    public static LanguageRegistry load(RunboxConfig config) throws IOException {
        List<Language> defined = config.languagesFile().isPresent()
                ? LanguageFile.read(config.languagesFile().get()) : LanguageFile.builtIn();
        return fromDefinitions(defined, config);
    }

    /** The languages file shipped in the jar, or the operator's file when given, with the default settings. */
    public static LanguageRegistry load(Optional<Path> overrideFile) throws IOException {
        return load(RunboxConfig.from(Map.of(), overrideFile.map(p -> Map.of("languages-file", p.toString())).orElse(Map.of())));
    }

    static LanguageRegistry fromDefinitions(List<Language> defined, RunboxConfig config) {
        Map<String, Language> found = new LinkedHashMap<>();
        for (Language l : defined) {
            LanguageLimits.Bounds b = l.limits().resolve(config);
            if (!b.possible()) {
                log.warn("language {} is not offered: it needs memory_limit_mb >= {} but the server allows at most {}",
                        l.id(), b.minMemoryLimitMb(), b.maxMemoryLimitMb());
                continue;
            }
            boolean inDocker = l.image().isPresent() || config.sandbox() == RunboxConfig.SandboxKind.DOCKER;
            if (inDocker) {
                // the toolchain is the image's: nothing on this host to check; probedInImages asks the image
                Optional<String> image = l.image().or(config::dockerImage);
                if (image.isEmpty()) {
                    log.info("language {} is not offered: sandbox=docker, and neither it nor docker-image names an image", l.id());
                    continue;
                }
                found.put(l.id(), l.inImage(image.get()));
                continue;
            }
            Toolchain.Result fitted = Toolchain.fit(l);
            if (fitted.language().isEmpty()) {
                log.info("language {} is not offered: {}", l.id(), fitted.whyNot());
                continue;
            }
            Language ready = fitted.language().get();
            log.info("language {}: {} ({})", l.id(), ready.detectedVersion(), ready.compiled() ? "compiled" : "interpreted");
            found.put(l.id(), ready);
        }
        return new LanguageRegistry(found, config);
    }

    /**
     * This registry without the languages of an image whose version command does not answer in it,
     * and with the version each image answered. Each language is probed once, in parallel; one that
     * fails is logged with why and dropped (a request for it is then an unknown language). Languages
     * on the host are kept as they are.
     */
    public LanguageRegistry probedInImages(ImageProbe probe) throws InterruptedException {
        List<Language> inImages = available.values().stream().filter(l -> l.image().isPresent()).toList();
        if (inImages.isEmpty()) return this;
        long started = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(PARALLEL_PROBES, inImages.size()), r -> {
            Thread t = new Thread(r, "version-probe");
            t.setDaemon(true);
            return t;
        });
        Map<String, Future<String>> answers = new LinkedHashMap<>();
        try {
            for (Language l : inImages) answers.put(l.id(), pool.submit(() -> probe.version(l)));
            Map<String, Language> kept = new LinkedHashMap<>();
            for (Language l : available.values()) {
                if (l.image().isEmpty()) {
                    kept.put(l.id(), l);
                    continue;
                }
                try {
                    Language ready = l.answered(answers.get(l.id()).get());
                    log.info("language {}: {} ({}, image {})", l.id(), ready.detectedVersion(),
                            ready.compiled() ? "compiled" : "interpreted", l.image().get());
                    kept.put(l.id(), ready);
                } catch (ExecutionException e) {
                    String why = e.getCause() instanceof ImageProbe.NoAnswer ? e.getCause().getMessage() : e.getCause().toString();
                    log.warn("language {} is not offered: its version command did not answer in image {}: {}",
                            l.id(), l.image().get(), why);
                }
            }
            log.info("probed {} languages in their images in {} ms; {} of them answered", inImages.size(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started),
                    kept.values().stream().filter(l -> l.image().isPresent()).count());
            return new LanguageRegistry(kept, config);
        } finally {
            pool.shutdownNow();
        }
    }

    public Optional<Language> find(String id) {
        return Optional.ofNullable(available.get(id));
    }

    /** The request limits in effect for an available language. */
    public LanguageLimits.Bounds bounds(String id) {
        LanguageLimits.Bounds b = bounds.get(id);
        if (b == null) throw new IllegalArgumentException("language '" + id + "' is not available");
        return b;
    }

    /** The available languages, in the order of the languages file. */
    public Collection<Language> all() {
        return available.values();
    }

    public List<String> ids() {
        return available.keySet().stream().sorted().toList();
    }
}
