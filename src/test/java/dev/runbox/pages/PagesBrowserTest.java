package dev.runbox.pages;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runbox.testing.Browser;
import dev.runbox.testing.OpenApiContract;
import dev.runbox.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.runbox.testing.TestServer.body;
import static org.assertj.core.api.Assertions.assertThat;

/** The playground and the monitor, end to end: a real server, headless Chromium, real clicks. */
class PagesBrowserTest {

    static final Set<String> FINAL = Set.of("OK", "TLE", "MLE", "OLE", "RE", "CE", "WA", "INTERNAL_ERROR", "CHECKER_FAILED");
    static TestServer server;
    static Browser browser;
    static WebDriver driver;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start(Map.of("workers", "1", "prepared-sandboxes", "1"));
        browser = Browser.start();
        driver = browser.driver;
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (browser != null) browser.close();
        } finally {
            if (server != null) server.close();
        }
    }

    /** A wait that looks again when the page redrew what it looked at (the monitor redraws every tick). */
    static WebDriverWait waitUpTo(int seconds) {
        WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(seconds));
        wait.ignoring(StaleElementReferenceException.class);
        return wait;
    }

    static String attribute(WebDriver d, String css, String name) {
        List<WebElement> found = d.findElements(By.cssSelector(css));
        return found.isEmpty() ? null : found.get(0).getDomAttribute(name);
    }

    static String text(String id) {
        return driver.findElement(By.id(id)).getText();
    }

    /** Opens the playground, fresh (a hash change alone would not reload the page). */
    static void openPlayground(String fragment) {
        driver.get("about:blank");
        driver.get(server.base() + "/" + fragment);
        waitUpTo(30).until(d -> "true".equals(d.findElement(By.tagName("body")).getDomAttribute("data-ready")));
    }

    static String finalStatus() {
        waitUpTo(60).until(d -> FINAL.contains(d.findElement(By.id("status")).getDomAttribute("data-status")));
        return driver.findElement(By.id("status")).getDomAttribute("data-status");
    }

    @Test
    void a_typed_program_runs_and_its_output_stderr_and_facts_show_as_text() throws Exception {
        openPlayground("");
        assertThat(new Select(driver.findElement(By.id("language"))).getOptions().stream().map(o -> o.getDomAttribute("value")))
                .as("languages from GET /languages").contains("python", "c");

        new Select(driver.findElement(By.id("language"))).selectByValue("python");
        driver.findElement(By.cssSelector(".CodeMirror")).click();
        new Actions(driver).keyDown(Keys.CONTROL).sendKeys("a").keyUp(Keys.CONTROL).sendKeys(Keys.DELETE).perform();
        new Actions(driver).sendKeys(
                "import sys", Keys.ENTER,
                "name = sys.stdin.read().strip()", Keys.ENTER,
                "print('<b>hello</b> <img src=x onerror=alert(1)>', name[::-1])", Keys.ENTER,
                "print('warning: ' + name, file=sys.stderr)").perform();
        assertThat(driver.findElements(By.cssSelector(".CodeMirror .cm-keyword"))).as("python highlighted").isNotEmpty();
        assertThat(driver.findElements(By.cssSelector(".CodeMirror .cm-string"))).as("python highlighted").isNotEmpty();
        driver.findElement(By.id("stdin")).sendKeys("abc");
        driver.findElement(By.id("time_limit_sec")).sendKeys("3");
        driver.findElement(By.id("run")).click();

        assertThat(finalStatus()).isEqualTo("OK");
        assertThat(text("stdout")).isEqualTo("<b>hello</b> <img src=x onerror=alert(1)> cba");
        assertThat(driver.findElements(By.cssSelector("#stdout *"))).as("program output is text, not HTML").isEmpty();
        assertThat(text("stderr")).isEqualTo("warning: abc");
        assertThat(text("exit_code")).isEqualTo("0");
        assertThat(text("time_sec")).endsWith(" s");
        assertThat(text("memory")).endsWith(" MiB");
        String href = driver.findElement(By.id("share")).getDomAttribute("href");
        assertThat(href).matches("/#/result/[0-9a-f-]{36}");
        assertThat(driver.getCurrentUrl()).endsWith(href);
        browser.screenshot("playground");
    }

    @Test
    void tests_and_a_checker_typed_in_the_page_judge_the_program_and_each_test_shows() {
        openPlayground("");
        new Select(driver.findElement(By.id("language"))).selectByValue("python");
        driver.findElement(By.cssSelector(".CodeMirror")).click();
        new Actions(driver).keyDown(Keys.CONTROL).sendKeys("a").keyUp(Keys.CONTROL).sendKeys(Keys.DELETE)
                .sendKeys("a, b = map(int, input().split()); print(a + b)").perform();
        driver.findElement(By.cssSelector("#judge summary")).click();
        new Select(driver.findElement(By.id("checker"))).selectByValue("tokens");
        String[][] cases = {{"1 2", "3"}, {"2 2", "5"}, {"<b>x</b>", "0"}};
        for (String[] c : cases) {
            driver.findElement(By.id("add_test")).click();
            List<WebElement> rows = driver.findElements(By.cssSelector("#tests .test"));
            WebElement row = rows.get(rows.size() - 1);
            row.findElement(By.cssSelector(".test-stdin")).sendKeys(c[0]);
            row.findElement(By.cssSelector(".test-expected")).sendKeys(c[1]);
        }
        driver.findElement(By.id("run")).click();
        assertThat(finalStatus()).isEqualTo("WA");
        List<WebElement> results = driver.findElements(By.cssSelector("#test_rows tr"));
        assertThat(results).extracting(r -> r.getDomAttribute("data-status")).containsExactly("OK", "WA", "RE");
        assertThat(text("tests_summary")).isEqualTo("(1 of 3 passed, 1 points)");
        assertThat(results.get(1).getText()).contains("expected \"5\", got \"4\"");
        assertThat(driver.findElements(By.cssSelector("#test_rows b"))).as("output is text, never HTML").isEmpty();
    }

    @Test
    void status_is_live_while_the_program_runs() {
        openPlayground("");
        driver.findElement(By.cssSelector(".CodeMirror")).click();
        new Actions(driver).keyDown(Keys.CONTROL).sendKeys("a").keyUp(Keys.CONTROL).sendKeys(Keys.DELETE)
                .sendKeys("import time; time.sleep(1.5); print('late')").perform();
        driver.findElement(By.id("run")).click();
        // the page shows the run before it ends, then the final result, pushed by the server (SSE)
        waitUpTo(30).until(d -> Set.of("PENDING", "PROCESSING").contains(d.findElement(By.id("status")).getDomAttribute("data-status")));
        assertThat(finalStatus()).isEqualTo("OK");
        assertThat(text("stdout")).isEqualTo("late");
    }

    @Test
    void a_share_link_shows_the_stored_result() throws Exception {
        JsonNode result = server.run(body("import sys\nprint('to share')\nprint('oops', file=sys.stderr)\nsys.exit(3)"));
        String id = result.get("submission_id").asText();
        assertThat(result.get("status").asText()).isEqualTo("RE");

        openPlayground("#/result/" + id);
        assertThat(finalStatus()).isEqualTo("RE");
        assertThat(driver.findElement(By.id("status")).getDomAttribute("data-submission-id")).isEqualTo(id);
        assertThat(text("stdout")).isEqualTo("to share");
        assertThat(text("stderr")).isEqualTo("oops");
        assertThat(text("exit_code")).isEqualTo("3");
        assertThat(text("message")).isNotBlank();
        assertThat(new Select(driver.findElement(By.id("language"))).getFirstSelectedOption().getDomAttribute("value")).isEqualTo("python");
        browser.screenshot("playground-shared-result");
    }

    @Test
    void the_monitor_shows_queue_and_workers_and_updates_after_submissions() throws Exception {
        driver.get(server.base() + "/monitor?interval_ms=500");
        waitUpTo(30).until(d -> samples(d) >= 2);
        assertThat(text("queue-depth")).matches("\\d+");
        assertThat(text("workers-busy")).matches("\\d+ / 1");
        long before = Long.parseLong(text("finished-total"));

        List<String> ids = new ArrayList<>();
        ids.add(server.submit(body("print('m1')")));
        ids.add(server.submit(body("import sys; sys.exit(1)")));
        ids.add(server.submit(body("print('m3')")));
        for (String id : ids) server.awaitFinal(id);

        waitUpTo(30).until(ExpectedConditions.textToBe(By.id("finished-total"), Long.toString(before + 3)));
        waitUpTo(30).until(d -> "2".equals(attribute(d, ".legend-item[data-status='OK']", "data-count"))
                && "1".equals(attribute(d, ".legend-item[data-status='RE']", "data-count")));
        waitUpTo(30).until(d -> !d.findElements(By.cssSelector("#chart rect.bar[data-status='OK']")).isEmpty()
                && !d.findElements(By.cssSelector("#chart rect.bar[data-status='RE']")).isEmpty());
        waitUpTo(30).until(d -> ids.stream().allMatch(id ->
                !d.findElements(By.cssSelector("#recent tr[data-submission-id='" + id + "'] .status[data-status='OK'],"
                        + "#recent tr[data-submission-id='" + id + "'] .status[data-status='RE']")).isEmpty()));
        OpenApiContract.load().assertMatches("GET", "/submissions/recent", server.get("/submissions/recent"));
        Path shot = browser.screenshot("monitor");
        assertThat(Files.size(shot)).isPositive();
    }

    private static int samples(WebDriver d) {
        String s = d.findElement(By.tagName("body")).getDomAttribute("data-samples");
        return s == null ? 0 : Integer.parseInt(s);
    }
}
