"""Runbox client: one file, Python 3.8+ standard library only (urllib).

    from runbox_client import RunboxClient, ProblemError

    rb = RunboxClient("http://127.0.0.1:8080")
    result = rb.run("print(input()[::-1])", stdin_data="hello")
    result["status"], result["stdout"]          # ('OK', 'olleh\\n')

    sid = rb.submit("print(1)", time_limit_sec=1)  # queue it, get its id
    rb.get(sid)                                  # the result now, final or not
    rb.wait(sid, timeout=30)                     # poll until final (WaitTimeout after 30 s)

    try:
        rb.submit("print(1)", time_limit_sec=-1)
    except ProblemError as e:                    # the server's problem+json, whole
        e.status, e.field, e.problem["detail"]   # (400, 'time_limit_sec', 'time_limit_sec: must be > 0 …')

Results are the server's JSON documents as dicts (fields in the README of Runbox). Keyword names
are the JSON field names: source_code, language, stdin_data, time_limit_sec, memory_limit_mb,
cpu_cores. A status other than PENDING and PROCESSING is final.
"""

import json
import time
import urllib.error
import urllib.parse
import urllib.request

__all__ = ["RunboxClient", "RunboxError", "ProblemError", "WaitTimeout", "NOT_FINAL"]

#: Statuses of a submission that is not done yet; every other status is final.
NOT_FINAL = frozenset({"PENDING", "PROCESSING"})


class RunboxError(Exception):
    """Runbox could not be asked, or did not answer as Runbox does (server down, not JSON…)."""


class ProblemError(RunboxError):
    """The server refused the request with an RFC 9457 problem (application/problem+json).

    Attributes: status (HTTP status), problem (the whole document, a dict), type, title, detail,
    field (the first invalid field, or None), errors (list of {"field", "message"}),
    retry_after (seconds the server asked to wait, e.g. on 503 queue full, or None).
    """

    def __init__(self, status, problem, retry_after=None):
        self.status = status
        self.problem = problem
        self.type = problem.get("type", "about:blank")
        self.title = problem.get("title", "HTTP %d" % status)
        self.detail = problem.get("detail", "")
        self.field = problem.get("field")
        self.errors = problem.get("errors", [])
        self.retry_after = retry_after
        super().__init__("%d %s%s" % (status, self.title, ": " + self.detail if self.detail else ""))


class WaitTimeout(RunboxError):
    """No final result before the deadline; the submission goes on. `last` is the result last seen."""

    def __init__(self, submission_id, timeout, last):
        self.submission_id = submission_id
        self.last = last
        super().__init__("no final result for %s after %s s (last status %s); the submission goes on"
                         % (submission_id, timeout, last.get("status")))


class RunboxClient:
    """A client of one Runbox server.

    base_url: e.g. "http://127.0.0.1:8080"; timeout: seconds per HTTP request;
    api_key: sent as "Authorization: Bearer <key>" when given (servers with API keys turned on).
    """

    def __init__(self, base_url="http://127.0.0.1:8080", timeout=30.0, api_key=None):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.api_key = api_key

    # --- the API -----------------------------------------------------------------------------

    def submit(self, source_code, language=None, stdin_data=None, time_limit_sec=None,
               memory_limit_mb=None, cpu_cores=None, **fields):
        """Queues a program; returns its submission id. None means the server's default.

        fields: any other field of POST /execute by its JSON name (files, tests, checker,
        stop_on_first_failure, collect, expected_output, ...), sent as given.
        """
        body = _request_body(source_code=source_code, language=language, stdin_data=stdin_data,
                             time_limit_sec=time_limit_sec, memory_limit_mb=memory_limit_mb,
                             cpu_cores=cpu_cores, **fields)
        answer = self._call("POST", "/execute", body)
        if "submission_id" not in answer:
            raise RunboxError("POST /execute answered without a submission_id: %r" % (answer,))
        return answer["submission_id"]

    def get(self, submission_id):
        """The result now (a dict), final or not."""
        return self._call("GET", "/result/" + urllib.parse.quote(submission_id, safe=""))

    def wait(self, submission_id, timeout=60.0, poll_initial=0.05, poll_max=1.0):
        """Polls until the result is final and returns it; raises WaitTimeout after `timeout` seconds.

        Polls poll_initial seconds apart at first, then 1.5 times longer each time, up to poll_max.
        """
        deadline = time.monotonic() + timeout
        pause = poll_initial
        while True:
            result = self.get(submission_id)
            if is_final(result):
                return result
            left = deadline - time.monotonic()
            if left <= 0:
                raise WaitTimeout(submission_id, timeout, result)
            time.sleep(min(pause, left))
            pause = min(poll_max, pause * 1.5)

    def run(self, source_code, language=None, stdin_data=None, time_limit_sec=None,
            memory_limit_mb=None, cpu_cores=None, timeout=60.0, **fields):
        """Submits, then waits for the final result."""
        sid = self.submit(source_code, language=language, stdin_data=stdin_data,
                          time_limit_sec=time_limit_sec, memory_limit_mb=memory_limit_mb,
                          cpu_cores=cpu_cores, **fields)
        return self.wait(sid, timeout=timeout)

    def judge(self, source_code, tests, checker=None, language=None, timeout=120.0, interactor=None, **fields):
        """Judges a program on tests (judge mode) and waits for the final result.

        tests: a list of dicts {"stdin", "expected_output", "name", "points"} (or (stdin, expected)
        pairs); checker: a built-in's name ("tokens", ...), {"name": "float", "abs_tol": ...} or a
        checker program {"language", "source_code", "files"}; interactor: for an interactive
        problem, a program {"language", "source_code", "files"} run beside each test (each test's
        stdin is its input file). The result's "tests" has each test's.
        """
        cases = [t if isinstance(t, dict) else {"stdin": t[0], "expected_output": t[1]} for t in tests]
        if interactor is not None:
            fields["interactor"] = interactor
        return self.run(source_code, language=language, timeout=timeout, tests=cases, checker=checker, **fields)

    def batch(self, submissions):
        """Queues several programs at once (POST /execute/batch).

        submissions: a list of dicts with the keyword names of submit (source_code, language…).
        Returns a list in the same order: for each accepted item a dict {"submission_id", "status"},
        for each refused item a ProblemError (returned, not raised). Raises ProblemError when the
        whole request is refused (e.g. 404 on a server without batch, 400 for too many items).
        """
        body = {"submissions": [_request_body(**s) for s in submissions]}
        answer = self._call("POST", "/execute/batch", body)
        items = answer.get("submissions") if isinstance(answer, dict) else None
        if not isinstance(items, list) or len(items) != len(submissions):
            raise RunboxError("POST /execute/batch answered %r, not one item per submission" % (answer,))
        return [item if "submission_id" in item else ProblemError(item.get("status", 400), item)
                for item in items]

    def languages(self):
        """The languages the server offers: [{"id", "name", "version", "source_file"}, …]."""
        return self._call("GET", "/languages")

    # --- HTTP --------------------------------------------------------------------------------

    def _call(self, method, path, body=None):
        data = None
        headers = {"Accept": "application/json"}
        if body is not None:
            data = json.dumps(body).encode("utf-8")
            headers["Content-Type"] = "application/json"
        if self.api_key:
            headers["Authorization"] = "Bearer " + self.api_key
        request = urllib.request.Request(self.base_url + path, data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return _json(response.read(), method, path, response.status)
        except urllib.error.HTTPError as e:
            with e:
                raw = e.read()
            try:
                problem = json.loads(raw.decode("utf-8"))
            except ValueError:
                problem = None
            if not isinstance(problem, dict):
                problem = {"title": e.reason or "HTTP error", "status": e.code,
                           "detail": raw.decode("utf-8", "replace")[:200]}
            raise ProblemError(e.code, problem, _seconds(e.headers.get("Retry-After"))) from None
        except (urllib.error.URLError, OSError) as e:
            reason = getattr(e, "reason", e)
            raise RunboxError("cannot reach Runbox at %s (%s %s): %s" % (self.base_url, method, path, reason)) from e


def is_final(result):
    """Whether a result's status is final (anything but PENDING and PROCESSING)."""
    return result.get("status") not in NOT_FINAL


def _request_body(source_code, language=None, stdin_data=None, time_limit_sec=None,
                  memory_limit_mb=None, cpu_cores=None, **fields):
    body = {"source_code": source_code, "language": language, "stdin_data": stdin_data,
            "time_limit_sec": time_limit_sec, "memory_limit_mb": memory_limit_mb, "cpu_cores": cpu_cores}
    body.update(fields)
    return {k: v for k, v in body.items() if v is not None}


def _json(raw, method, path, status):
    try:
        return json.loads(raw.decode("utf-8"))
    except ValueError:
        raise RunboxError("%s %s answered HTTP %d with a body that is not JSON: %r"
                          % (method, path, status, raw[:200])) from None


def _seconds(header):
    try:
        return int(header) if header is not None else None
    except ValueError:
        return None
