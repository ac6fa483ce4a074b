package dev.runbox.conformance;

import java.util.Map;

/**
 * A hello-world program for every language id a Runbox may list in {@code GET /languages}. The suite
 * runs one for each listed language and fails for a listed language that has none here: a language
 * added to Runbox adds its hello here.
 */
final class HelloPrograms {

    static final String OUTPUT = "hello, world\n";

    static final Map<String, String> BY_LANGUAGE = Map.of(
            "python", "print('hello, world')\n",
            "c", "#include <stdio.h>\nint main(void) { puts(\"hello, world\"); return 0; }\n",
            "cpp", "#include <iostream>\nint main() { std::cout << \"hello, world\" << std::endl; }\n",
            "java", "public class Main { public static void main(String[] a) { System.out.println(\"hello, world\"); } }\n",
            "javascript", "console.log('hello, world');\n",
            "bash", "echo 'hello, world'\n",
            "perl", "print \"hello, world\\n\";\n",
            "rust", "fn main() { println!(\"hello, world\"); }\n",
            "go", "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"hello, world\") }\n");

    private HelloPrograms() {
    }
}
