package dev.runbox.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runbox.job.ExecutionResult;
import dev.runbox.job.Status;
import dev.runbox.job.Submission;
import dev.runbox.testing.CompleteRecords;
import dev.runbox.registry.WorkerStatus;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static dev.runbox.testing.CompleteRecords.assertComplete;
import static dev.runbox.testing.CompleteRecords.assertSameComponents;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WireTest {

    private static final ObjectMapper PLAIN = new ObjectMapper();

    /** The public result's fields, in the order of the README's GET /result table and openapi.yaml. */
    private static final List<String> PUBLIC_FIELDS = List.of("submission_id", "status", "stdout", "stderr", "exit_code",
            "time_sec", "cpu_time_sec", "memory_kb", "signal", "stdout_truncated", "stderr_truncated", "message",
            "compile_output", "language", "created_at", "started_at", "finished_at", "cached", "tests", "tests_passed", "points", "collected");

    @Test
    void the_fixtures_set_every_component() {
        assertComplete(CompleteRecords.submission());
        assertComplete(CompleteRecords.result());
        assertComplete(CompleteRecords.workerStatus());
    }

    @Test
    void submission_comes_back_equal_component_by_component() {
        Submission s = CompleteRecords.submission();
        assertComplete(s);

        assertSameComponents(s, Wire.read(Wire.write(s), Submission.class));
    }

    @Test
    void result_comes_back_equal_component_by_component() {
        ExecutionResult r = CompleteRecords.result();
        assertComplete(r);

        assertSameComponents(r, Wire.read(Wire.write(r), ExecutionResult.class));
    }

    @Test
    void worker_status_comes_back_equal_component_by_component() {
        WorkerStatus w = CompleteRecords.workerStatus();
        assertComplete(w);

        assertSameComponents(w, Wire.read(Wire.write(w), WorkerStatus.class));
    }

    @Test
    void names_are_the_apis_snake_case_and_times_are_iso_strings() throws Exception {
        Submission s = CompleteRecords.submission();
        JsonNode n = PLAIN.readTree(Wire.write(s));

        assertThat(n.get("submission_id").asText()).isEqualTo(s.id().toString());
        assertThat(n.get("stdin_data").asText()).isEqualTo(s.stdin());
        assertThat(n.get("command_line_arguments").get(1).asText()).isEqualTo("b c");
        assertThat(n.get("compiler_options").size()).isEqualTo(2);
        assertThat(n.get("expected_output").asText()).isEqualTo("expected output\n");
        assertThat(n.get("created_at").asText()).isEqualTo("2030-01-02T03:04:05.123456789Z");
        assertThat(n.get("limits").get("cpu_time").asText()).isEqualTo("PT1.5S");
        assertThat(n.get("limits").get("memory_bytes").asLong()).isEqualTo(96L << 20);
    }

    @Test
    void readers_ignore_fields_they_do_not_know() throws Exception {
        ExecutionResult r = CompleteRecords.result();
        ObjectNode newer = (ObjectNode) PLAIN.readTree(Wire.write(r));
        newer.put("field_of_a_newer_version", "x");
        newer.putObject("nested_newer").put("a", 1);
        ((ObjectNode) newer).put("status", "WA");

        assertSameComponents(r, Wire.read(newer.toString(), ExecutionResult.class));

        Submission s = CompleteRecords.submission();
        ObjectNode job = (ObjectNode) PLAIN.readTree(Wire.write(s));
        ((ObjectNode) job.get("limits")).put("pids", 64);
        assertSameComponents(s, Wire.read(job.toString(), Submission.class));
    }

    @Test
    void what_is_not_json_of_the_type_is_refused_with_the_types_name() {
        assertThatThrownBy(() -> Wire.read("{\"submission_id\": \"not-an-id\"}", Submission.class))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Submission");
        assertThatThrownBy(() -> Wire.read("[1", ExecutionResult.class)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void clients_see_every_public_component_with_its_value_in_the_documented_order_and_no_internal_one() {
        ExecutionResult r = CompleteRecords.result();

        JsonNode shown = Wire.publicTree(r);

        List<String> names = new ArrayList<>();
        shown.fieldNames().forEachRemaining(names::add);
        assertThat(names).containsExactlyElementsOf(PUBLIC_FIELDS);
        shown.fields().forEachRemaining(f -> assertThat(f.getValue().isNull()).as(f.getKey()).isFalse());
        ExecutionResult readBack = Wire.read(shown.toString(), ExecutionResult.class);
        assertSameComponents(new ExecutionResult(r.submissionId(), r.status(), r.language(), r.stdout(), r.stderr(), r.exitCode(),
                r.signal(), r.timeSec(), r.cpuTimeSec(), r.memoryKb(), r.stdoutTruncated(), r.stderrTruncated(), r.message(),
                r.createdAt(), r.startedAt(), r.finishedAt(), null, 0, r.compileOutput(), r.cached(), r.tests(), r.testsPassed(),
                r.points(), r.collected()), readBack);
    }

    @Test
    void clients_see_the_truncated_flags_null_until_the_result_is_final() {
        ExecutionResult pending = ExecutionResult.pending(CompleteRecords.submission());
        ExecutionResult processing = pending.processing("w", Instant.parse("2030-01-02T03:04:06Z"));
        ExecutionResult failed = processing.internalError("sandbox could not start", Instant.parse("2030-01-02T03:04:07Z"));

        for (ExecutionResult r : List.of(pending, processing)) {
            JsonNode shown = Wire.publicTree(r);
            assertThat(shown.has("stdout_truncated") && shown.get("stdout_truncated").isNull()).as(r.status() + " stdout_truncated").isTrue();
            assertThat(shown.has("stderr_truncated") && shown.get("stderr_truncated").isNull()).as(r.status() + " stderr_truncated").isTrue();
            assertThat(shown.get("stdout").isNull()).isTrue();
        }
        assertThat(failed.status()).isEqualTo(Status.INTERNAL_ERROR);
        assertThat(Wire.publicTree(failed).get("stdout_truncated").asBoolean(true)).isFalse();
        assertThat(Wire.publicTree(failed).has("worker_id")).isFalse();
    }
}
