// The playground: edit, run (POST /execute), follow the run (GET /result/{id}/events), show the result.
// Program output is only ever set as text (textContent), never parsed as HTML.
"use strict";
(function () {
  const FINAL = new Set(["OK", "TLE", "MLE", "OLE", "RE", "CE", "WA", "INTERNAL_ERROR", "CHECKER_FAILED"]);
  // CodeMirror mode per language id of GET /languages; unknown ids get plain text
  const MODES = {
    python: "python", c: "text/x-csrc", cpp: "text/x-c++src", java: "text/x-java",
    javascript: "javascript", bash: "shell", sh: "shell", perl: "perl", rust: "rust", go: "go", ruby: "ruby",
    kotlin: "text/x-kotlin", csharp: "text/x-csharp", scala: "text/x-scala"
  };
  const HELLO = {
    python: 'name = input()\nprint(f"Hello, {name}!")\n',
    c: '#include <stdio.h>\n\nint main(void) {\n    char name[100];\n    if (scanf("%99s", name) == 1) printf("Hello, %s!\\n", name);\n    return 0;\n}\n',
    cpp: '#include <iostream>\n#include <string>\n\nint main() {\n    std::string name;\n    std::cin >> name;\n    std::cout << "Hello, " << name << "!" << std::endl;\n}\n',
    java: 'import java.util.Scanner;\n\npublic class Main {\n    public static void main(String[] args) {\n        String name = new Scanner(System.in).nextLine();\n        System.out.println("Hello, " + name + "!");\n    }\n}\n',
    javascript: 'const name = require("fs").readFileSync(0, "utf8").trim();\nconsole.log(`Hello, ${name}!`);\n',
    bash: 'read -r name\necho "Hello, $name!"\n',
    perl: 'my $name = <STDIN>;\nchomp $name;\nprint "Hello, $name!\\n";\n',
    rust: 'use std::io::Read;\n\nfn main() {\n    let mut name = String::new();\n    std::io::stdin().read_to_string(&mut name).unwrap();\n    println!("Hello, {}!", name.trim());\n}\n',
    go: 'package main\n\nimport "fmt"\n\nfunc main() {\n\tvar name string\n\tfmt.Scan(&name)\n\tfmt.Printf("Hello, %s!\\n", name)\n}\n'
  };

  const $ = (id) => document.getElementById(id);
  const editor = CodeMirror.fromTextArea($("source"), {
    lineNumbers: true, matchBrackets: true, indentUnit: 4, tabSize: 4, mode: "python", viewportMargin: Infinity
  });
  let languages = [];
  let stream = null;      // the EventSource of the run shown, if it is still running
  let shownId = null;

  function setText(id, text) { $(id).textContent = text == null ? "" : String(text); }

  function showError(text) {
    $("error").hidden = !text;
    setText("error", text);
  }

  function languageById(id) { return languages.find((l) => l.id === id); }

  function applyLanguage(id, keepSource) {
    const lang = languageById(id);
    editor.setOption("mode", MODES[id] || null);
    if (!keepSource && (editor.getValue().trim() === "" || Object.values(HELLO).includes(editor.getValue()))) {
      editor.setValue(HELLO[id] || "");
    }
    if (lang && lang.limits) {
      $("time_limit_sec").placeholder = lang.limits.default_time_limit_sec;
      $("time_limit_sec").max = lang.limits.max_time_limit_sec;
      $("memory_limit_mb").placeholder = lang.limits.default_memory_limit_mb;
      $("memory_limit_mb").min = lang.limits.min_memory_limit_mb;
      $("memory_limit_mb").max = lang.limits.max_memory_limit_mb;
    }
    $("cpu_cores").placeholder = "1";
  }

  async function loadLanguages() {
    const r = await fetch("/languages");
    if (!r.ok) throw new Error("GET /languages answered " + r.status);
    languages = await r.json();
    const select = $("language");
    select.replaceChildren();
    for (const l of languages) {
      const o = document.createElement("option");
      o.value = l.id;
      o.textContent = l.name + (l.version ? " (" + l.version + ")" : "");
      select.append(o);
    }
    const first = languageById("python") ? "python" : (languages[0] && languages[0].id);
    if (first) select.value = first;
    applyLanguage(select.value, false);
  }

  function number(id) {
    const v = $(id).value.trim();
    return v === "" ? undefined : Number(v);
  }

  // judge mode: the test rows of the page, each a stdin and an expected output
  function addTest(stdin, expected) {
    const row = document.createElement("div");
    row.className = "test";
    const input = document.createElement("textarea");
    input.className = "test-stdin"; input.rows = 2; input.placeholder = "stdin"; input.value = stdin || "";
    const answer = document.createElement("textarea");
    answer.className = "test-expected"; answer.rows = 2; answer.placeholder = "expected output"; answer.value = expected || "";
    const remove = document.createElement("button");
    remove.type = "button"; remove.className = "remove-test"; remove.textContent = "remove";
    remove.addEventListener("click", () => row.remove());
    row.append(input, answer, remove);
    $("tests").append(row);
  }

  function tests() {
    return Array.from($("tests").querySelectorAll(".test")).map((row) => ({
      stdin: row.querySelector(".test-stdin").value, expected_output: row.querySelector(".test-expected").value
    }));
  }

  // one row per test result, as text only
  function renderTests(r) {
    const list = Array.isArray(r.tests) ? r.tests : null;
    $("test_results").hidden = !list;
    const body = $("test_rows");
    body.replaceChildren();
    if (!list) return;
    for (const t of list) {
      const tr = document.createElement("tr");
      tr.dataset.status = t.status;
      const cells = [String(t.index + 1) + (t.name ? " " + t.name : ""), t.status,
        t.time_sec == null ? "–" : t.time_sec.toFixed(3) + " s",
        t.memory_kb == null ? "–" : (t.memory_kb / 1024).toFixed(1) + " MiB",
        t.points == null ? "–" : String(t.points), t.message || t.checker_output || ""];
      for (const c of cells) { const td = document.createElement("td"); td.textContent = c; tr.append(td); }
      body.append(tr);
    }
    setText("tests_summary", r.tests_passed == null ? "(" + list.length + " finished so far)"
      : "(" + r.tests_passed + " of " + list.length + " passed, " + r.points + " points)");
  }

  function clearResult() {
    for (const id of ["stdout", "stderr", "compile_output", "message"]) setText(id, "");
    for (const id of ["exit_code", "time_sec", "cpu_time_sec", "memory", "result_language"]) setText(id, "–");
    $("message").hidden = true;
    $("compile").hidden = true;
    $("test_results").hidden = true;
    $("test_rows").replaceChildren();
    showError("");
  }

  function render(r) {
    const status = $("status");
    status.textContent = r.status + (r.cached ? " (cached)" : "");
    status.dataset.status = r.status;
    status.dataset.submissionId = r.submission_id;
    setText("result_language", r.language);
    renderTests(r);
    if (!FINAL.has(r.status)) return;
    setText("stdout", r.stdout);
    setText("stderr", r.stderr);
    setText("exit_code", r.exit_code == null ? (r.signal == null ? "–" : "signal " + r.signal) : r.exit_code);
    setText("time_sec", r.time_sec == null ? "–" : r.time_sec.toFixed(3) + " s");
    setText("cpu_time_sec", r.cpu_time_sec == null ? "–" : r.cpu_time_sec.toFixed(3) + " s");
    setText("memory", r.memory_kb == null ? "–" : (r.memory_kb / 1024).toFixed(1) + " MiB");
    if (r.stdout_truncated) $("stdout").append(document.createTextNode("\n[truncated at the output cap]"));
    if (r.stderr_truncated) $("stderr").append(document.createTextNode("\n[truncated at the output cap]"));
    $("message").hidden = !r.message;
    setText("message", r.message);
    $("compile").hidden = !r.compile_output;
    setText("compile_output", r.compile_output);
  }

  function stopFollowing() {
    if (stream) { stream.close(); stream = null; }
  }

  function setShare(id) {
    const share = $("share");
    share.href = "/#/result/" + id;
    share.hidden = false;
  }

  // Shows a result: its current state at once, then each change pushed by the server until final.
  // fromLink: opened from a share link, so the picker takes the result's language (the source is not kept)
  async function follow(id, fromLink) {
    stopFollowing();
    shownId = id;
    setShare(id);
    const r = await fetch("/result/" + encodeURIComponent(id));
    if (!r.ok) { await showProblem(r); $("status").textContent = "unknown"; return; }
    const result = await r.json();
    if (fromLink && languageById(result.language)) {
      $("language").value = result.language;
      applyLanguage(result.language, false);
    }
    render(result);
    if (FINAL.has(result.status)) return;
    const es = new EventSource("/result/" + encodeURIComponent(id) + "/events");
    stream = es;
    es.addEventListener("status", (e) => {
      if (shownId !== id) return;
      const next = JSON.parse(e.data);
      render(next);
      if (FINAL.has(next.status)) { es.close(); if (stream === es) stream = null; }
    });
    es.onerror = async () => {
      // the stream ended or broke before a final result: ask once more rather than reconnect forever
      es.close();
      if (stream === es) stream = null;
      if (shownId === id) {
        const again = await fetch("/result/" + encodeURIComponent(id));
        if (again.ok) render(await again.json());
      }
    };
  }

  async function showProblem(response) {
    let text = "HTTP " + response.status;
    try {
      const p = await response.json();
      text = p.detail || p.title || text;
      if (Array.isArray(p.errors)) text += ": " + p.errors.map((e) => e.field + ": " + e.message).join("; ");
    } catch (ignored) { /* not JSON */ }
    showError(text);
  }

  async function run() {
    const button = $("run");
    button.disabled = true;
    stopFollowing();
    clearResult();
    $("status").textContent = "submitting";
    $("status").dataset.status = "";
    try {
      const body = {
        source_code: editor.getValue(), language: $("language").value, stdin_data: $("stdin").value,
        time_limit_sec: number("time_limit_sec"), memory_limit_mb: number("memory_limit_mb"), cpu_cores: number("cpu_cores")
      };
      const cases = tests();
      if (cases.length > 0) {
        delete body.stdin_data; // each test has its own
        body.tests = cases;
        body.checker = $("checker").value;
      }
      const r = await fetch("/execute", {
        method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body)
      });
      if (r.status !== 202 && r.status !== 200) {
        $("status").textContent = "refused";
        await showProblem(r);
        return;
      }
      const accepted = await r.json();
      history.replaceState(null, "", "/#/result/" + accepted.submission_id);
      await follow(accepted.submission_id);
    } catch (e) {
      $("status").textContent = "error";
      showError(String(e));
    } finally {
      button.disabled = false;
    }
  }

  function idInHash() {
    const m = /^#\/result\/([0-9a-fA-F-]+)$/.exec(location.hash);
    return m ? m[1] : null;
  }

  $("language").addEventListener("change", (e) => applyLanguage(e.target.value, false));
  $("run").addEventListener("click", run);
  $("add_test").addEventListener("click", () => { $("judge").open = true; addTest("", ""); });
  editor.setOption("extraKeys", { "Ctrl-Enter": run, "Cmd-Enter": run });
  window.addEventListener("hashchange", () => { const id = idInHash(); if (id && id !== shownId) follow(id, true); });

  loadLanguages()
    .then(() => { const id = idInHash(); if (id) return follow(id, true); })
    .catch((e) => showError(String(e)))
    .finally(() => { document.body.dataset.ready = "true"; });
  window.runboxPlayground = { editor };
})();
