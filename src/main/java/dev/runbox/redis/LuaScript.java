package dev.runbox.redis;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** A Lua script shipped in the jar ({@code /redis/NAME.lua}), run by digest. */
public record LuaScript(String name, String text, String sha1) {

    public static LuaScript load(String name) {
        String path = "/redis/" + name + ".lua";
        try (InputStream in = LuaScript.class.getResourceAsStream(path)) {
            if (in == null) throw new IllegalStateException("missing resource " + path);
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return new LuaScript(name, text, HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1")
                    .digest(text.getBytes(StandardCharsets.UTF_8))));
        } catch (IOException | NoSuchAlgorithmException e) {
            throw new IllegalStateException("cannot load " + path, e);
        }
    }
}
