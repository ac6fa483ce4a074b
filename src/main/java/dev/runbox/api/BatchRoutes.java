package dev.runbox.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.runbox.config.RunboxConfig;
import dev.runbox.job.ExecutionResult;
import dev.runbox.job.SubmissionId;
import dev.runbox.language.LanguageRegistry;
import dev.runbox.store.ResultStore;
import dev.runbox.wire.Wire;
import io.javalin.http.Context;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Many submissions or results in one request, each item judged on its own and answered in order:
 * {@code POST /execute/batch} queues up to {@code max-batch} submissions (each one the body of
 * POST /execute); {@code GET /results?ids=…} reads up to {@code max-batch} results. An item that is
 * refused is a problem object in its place; the others go ahead.
 */
final class BatchRoutes {

    private final RunboxConfig config;
    private final LanguageRegistry languages;
    private final Submissions submissions;
    private final ResultStore store;
    private final LongSupplier maxBodyBytes;
    private final KeyGate keys;

    BatchRoutes(RunboxConfig config, LanguageRegistry languages, Submissions submissions, ResultStore store,
                LongSupplier maxBodyBytes, KeyGate keys) {
        this.keys = keys;
        this.config = config;
        this.languages = languages;
        this.submissions = submissions;
        this.store = store;
        this.maxBodyBytes = maxBodyBytes;
    }

    void execute(Context ctx) throws JsonProcessingException {
        JsonNode body = JsonBody.read(ctx, maxBodyBytes.getAsLong());
        JsonNode items = submissionsField(body);
        // a batch of n counts as n submissions against the key's rate, a judged one as one per test
        int runs = 0;
        for (JsonNode item : items) {
            JsonNode tests = item.path(dev.runbox.judge.JudgeFields.TESTS);
            runs += tests.isArray() && tests.size() > 1 ? tests.size() : 1;
        }
        keys.charge(ctx, runs);
        List<Object> out = new ArrayList<>();
        for (JsonNode item : items) {
            try {
                ExecutionResult first = submissions.accept(ExecuteRequest.parse(item, config, languages), KeyGate.caller(ctx));
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("submission_id", first.submissionId().toString());
                m.put("status", first.status().name());
                out.add(m);
            } catch (Problem p) {
                out.add(p.body(ctx.path()));
            }
        }
        HttpApi.json(ctx, Map.of("submissions", out));
    }

    private JsonNode submissionsField(JsonNode body) {
        if (!body.isObject()) throw invalid("body", "must be a JSON object {\"submissions\": [...]}");
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!f.equals("submissions")) throw invalid(f, "unknown field (accepted: submissions)");
        }
        JsonNode items = body.get("submissions");
        if (items == null || items.isNull()) throw invalid("submissions", "is required");
        if (!items.isArray()) throw invalid("submissions", "must be an array of /execute bodies");
        if (items.isEmpty() || items.size() > config.maxBatch()) {
            throw invalid("submissions", "must hold 1 to " + config.maxBatch() + " items, got " + items.size());
        }
        return items;
    }

    void results(Context ctx) throws JsonProcessingException {
        String raw = ctx.queryParam("ids");
        if (raw == null || raw.isBlank()) throw invalid("ids", "is required: ids=<id>,<id>,…");
        String[] ids = raw.split(",", -1);
        if (ids.length > config.maxBatch()) {
            throw invalid("ids", "names " + ids.length + " ids; the maximum is " + config.maxBatch());
        }
        List<Object> out = new ArrayList<>();
        for (String s : ids) {
            try {
                SubmissionId id = SubmissionIds.parse(s.trim());
                keys.checkVisible(KeyGate.caller(ctx), id);
                out.add(Wire.publicTree(SubmissionIds.find(store, id, config)));
            } catch (Problem p) {
                out.add(p.body(ctx.path()));
            }
        }
        HttpApi.json(ctx, Map.of("results", out));
    }

    private static Problem invalid(String field, String message) {
        return Problem.invalidFields(List.of(new Problem.FieldError(field, message)));
    }
}
