package dev.runbox.pages;

import dev.runbox.job.Status;
import org.junit.jupiter.api.Test;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import static org.assertj.core.api.Assertions.assertThat;

/** The monitor's chart has a colour, and so a bar, for every final status the server can count. */
class MonitorStatusesTest {

    @Test
    void the_chart_knows_every_final_status_and_no_other() throws IOException {
        String script;
        try (InputStream in = getClass().getResourceAsStream("/pages/assets/monitor.js")) {
            assertThat(in).as("monitor.js on the classpath").isNotNull();
            script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Matcher colors = Pattern.compile("const COLORS = \\{([^}]*)}", Pattern.DOTALL).matcher(script);
        assertThat(colors.find()).as("COLORS in monitor.js").isTrue();
        Set<String> charted = new LinkedHashSet<>();
        Matcher key = Pattern.compile("([A-Z_]+):").matcher(colors.group(1));
        while (key.find()) charted.add(key.group(1));

        Set<String> finals = Arrays.stream(Status.values()).filter(Status::isFinal).map(Status::name)
                .collect(Collectors.toSet());
        assertThat(charted).containsExactlyInAnyOrderElementsOf(finals);
    }
}
