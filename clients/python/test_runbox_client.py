"""Tests of runbox_client against a live Runbox server.

    python3 test_runbox_client.py http://127.0.0.1:8080 [unittest options]

The batch test is skipped when the server has no POST /execute/batch (it answers 404). One test
checks the client's reading of the documented batch answer against a small stand-in server, so that
shape is covered even then.
"""

import base64
import json
import os
import socket
import sys
import threading
import time
import unittest
from http.server import BaseHTTPRequestHandler, HTTPServer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from runbox_client import ProblemError, RunboxClient, RunboxError, WaitTimeout, is_final  # noqa: E402

BASE_URL = os.environ.get("RUNBOX_SERVER", "http://127.0.0.1:8080")
ID_PATTERN = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"


class LiveServerTest(unittest.TestCase):

    def setUp(self):
        self.rb = RunboxClient(BASE_URL)

    def test_run_returns_the_final_result_with_output(self):
        r = self.rb.run("print(input()[::-1])", stdin_data="hello")
        self.assertEqual(r["status"], "OK")
        self.assertEqual(r["stdout"], "olleh\n")
        self.assertEqual(r["exit_code"], 0)
        self.assertGreater(r["time_sec"], 0)
        self.assertGreater(r["memory_kb"], 0)
        self.assertRegex(r["submission_id"], ID_PATTERN)

    def test_submit_get_and_wait(self):
        sid = self.rb.submit("import sys; print('x', file=sys.stderr); sys.exit(3)", language="python",
                             time_limit_sec=1, memory_limit_mb=64, cpu_cores=0.5)
        self.assertRegex(sid, ID_PATTERN)
        self.assertIn(self.rb.get(sid)["status"], ("PENDING", "PROCESSING", "RE"))
        r = self.rb.wait(sid, timeout=60)
        self.assertEqual(r["status"], "RE")
        self.assertEqual(r["exit_code"], 3)
        self.assertEqual(r["stderr"], "x\n")
        self.assertTrue(is_final(r))
        self.assertEqual(self.rb.get(sid), r)

    def test_a_limit_hit_is_a_result_not_an_error(self):
        r = self.rb.run("while True: pass", time_limit_sec=0.3)
        self.assertEqual(r["status"], "TLE")

    def test_an_invalid_request_raises_the_servers_problem(self):
        with self.assertRaises(ProblemError) as caught:
            self.rb.submit("print(1)", time_limit_sec=-1)
        e = caught.exception
        self.assertEqual(e.status, 400)
        self.assertEqual(e.type, "urn:runbox:problem:invalid-request")
        self.assertEqual(e.field, "time_limit_sec")
        self.assertEqual(e.problem["errors"][0]["field"], "time_limit_sec")
        self.assertIsInstance(e, RunboxError)
        self.assertTrue(str(e).startswith("400 "))

    def test_an_unknown_id_is_a_404_problem(self):
        with self.assertRaises(ProblemError) as caught:
            self.rb.get("00000000-0000-4000-8000-000000000000")
        self.assertEqual(caught.exception.status, 404)
        self.assertEqual(caught.exception.type, "urn:runbox:problem:unknown-submission")

    def test_wait_gives_up_at_its_deadline_with_the_last_result(self):
        # sleeps 2 s of wall time: it cannot be final 0.2 s after it was submitted
        sid = self.rb.submit("import time; time.sleep(2)")
        started = time.monotonic()
        with self.assertRaises(WaitTimeout) as caught:
            self.rb.wait(sid, timeout=0.2)
        self.assertLess(time.monotonic() - started, 2.0)
        self.assertEqual(caught.exception.last["submission_id"], sid)
        self.assertIn(caught.exception.last["status"], ("PENDING", "PROCESSING"))
        self.assertEqual(self.rb.wait(sid, timeout=60)["status"], "OK")

    def test_judge_runs_each_test_and_reports_each(self):
        r = self.rb.judge("a, b = map(int, input().split())\nprint(a + b)",
                          tests=[("1 2", "3"), {"name": "wrong", "stdin": "2 2", "expected_output": "5", "points": 2}],
                          checker="tokens")
        self.assertEqual(r["status"], "WA")
        self.assertEqual([t["status"] for t in r["tests"]], ["OK", "WA"])
        self.assertEqual(r["tests_passed"], 1)
        self.assertEqual(r["points"], 1.0)

    def test_judge_with_an_interactor_plays_each_test(self):
        interactor = {"language": "python", "source_code":
                      "import sys\ns = int(open(sys.argv[1]).read())\nprint(s, flush=True)\n"
                      "sys.exit(0 if int(input()) == s * 2 else 1)"}
        r = self.rb.judge("x = int(input())\nprint(2 * x if x < 10 else 3 * x)", tests=[{"stdin": "4"}, {"stdin": "21"}],
                          interactor=interactor)
        self.assertEqual(r["status"], "WA", r)
        self.assertEqual([t["status"] for t in r["tests"]], ["OK", "WA"])

    def test_files_and_collect_pass_through_as_fields(self):
        r = self.rb.run("import helper\nopen('out.txt', 'w').write(helper.X)",
                        files=[{"name": "helper.py", "content": "X = 'from a file'"}], collect=["out.txt"])
        self.assertEqual(r["status"], "OK")
        self.assertEqual(base64.b64decode(r["collected"][0]["content"]), b"from a file")

    def test_languages(self):
        ids = [lang["id"] for lang in self.rb.languages()]
        self.assertIn("python", ids)

    def test_batch_against_the_live_server(self):
        try:
            items = self.rb.batch([{"source_code": "print(1)"},
                                   {"source_code": "print(2)", "time_limit_sec": -1},
                                   {"source_code": "print(3)", "stdin_data": "x"}])
        except ProblemError as e:
            if e.status == 404:
                self.skipTest("this server has no POST /execute/batch")
            raise
        self.assertEqual(len(items), 3)
        self.assertRegex(items[0]["submission_id"], ID_PATTERN)
        self.assertIsInstance(items[1], ProblemError)
        self.assertEqual(items[1].field, "time_limit_sec")
        self.assertEqual(self.rb.wait(items[0]["submission_id"])["stdout"], "1\n")
        self.assertEqual(self.rb.wait(items[2]["submission_id"])["stdout"], "3\n")

    def test_an_unreachable_server_raises_runbox_error(self):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        with self.assertRaises(RunboxError) as caught:
            RunboxClient("http://127.0.0.1:%d" % port, timeout=5).submit("print(1)")
        self.assertNotIsInstance(caught.exception, ProblemError)
        self.assertIn("cannot reach Runbox at http://127.0.0.1:%d" % port, str(caught.exception))


class BatchShapeTest(unittest.TestCase):
    """The client's reading of the documented batch answer, against a stand-in server (not Runbox)."""

    def test_batch_answer_items_become_ids_or_problem_errors_in_order(self):
        seen = {}

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                seen["path"] = self.path
                seen["body"] = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                answer = {"submissions": [
                    {"submission_id": "11111111-1111-4111-8111-111111111111", "status": "PENDING"},
                    {"type": "urn:runbox:problem:invalid-request", "title": "The request is invalid", "status": 400,
                     "detail": "time_limit_sec: must be > 0", "field": "time_limit_sec",
                     "errors": [{"field": "time_limit_sec", "message": "must be > 0"}]}]}
                raw = json.dumps(answer).encode()
                self.send_response(202)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def log_message(self, *args):
                pass

        server = HTTPServer(("127.0.0.1", 0), Handler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            items = RunboxClient("http://127.0.0.1:%d" % server.server_port).batch(
                [{"source_code": "print(1)"}, {"source_code": "print(2)", "time_limit_sec": -1}])
        finally:
            server.shutdown()
            server.server_close()
        self.assertEqual(seen["path"], "/execute/batch")
        self.assertEqual(seen["body"], {"submissions": [{"source_code": "print(1)"},
                                                        {"source_code": "print(2)", "time_limit_sec": -1}]})
        self.assertEqual(items[0], {"submission_id": "11111111-1111-4111-8111-111111111111", "status": "PENDING"})
        self.assertIsInstance(items[1], ProblemError)
        self.assertEqual((items[1].status, items[1].field), (400, "time_limit_sec"))


if __name__ == "__main__":
    if len(sys.argv) > 1 and not sys.argv[1].startswith("-"):
        BASE_URL = sys.argv.pop(1)
    unittest.main(verbosity=2)
