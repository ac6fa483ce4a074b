package dev.runbox.compat.judge0;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Judge0's {@code additional_files}: a zip archive (base64, whatever {@code base64_encoded} says) that
 * Judge0 unpacks into the program's directory. Runbox takes the same files as the request's
 * {@code files[]}, so this only unpacks: what a file may be called, how many there may be and how large
 * they may be together is then Runbox's own rule for {@code files} ({@code max-files}, {@code max-files-bytes}).
 *
 * <p>Guarantee: at most {@code maxFiles + 1} entries are read and at most {@code maxBytes + 1} bytes are
 * inflated, counted as they come out of the inflater (never trusting the sizes the archive claims), so an
 * archive built to expand without bound (a zip bomb) costs at most that before it is refused. Nothing is
 * flattened or renamed: an entry in a directory ({@code lib/util.py}, {@code ../x}) or a directory entry is
 * refused, since Runbox's {@code /box} holds plain files only.
 */
final class AdditionalFiles {
    private AdditionalFiles() {
    }

    /** One unpacked file: its name as the archive gives it, its bytes. */
    record Entry(String name, byte[] content) {
    }

    /** Why an archive is refused (the message is the 422's). */
    static final class Refused extends Exception {
        Refused(String message) {
            super(message);
        }
    }

    static List<Entry> unpack(String base64, int maxFiles, long maxBytes) throws Refused {
        byte[] zip;
        try {
            // Ruby's encoder breaks lines; the MIME decoder skips what is not of the alphabet
            zip = Base64.getMimeDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw new Refused("is not base64: " + e.getMessage());
        }
        List<Entry> out = new ArrayList<>();
        long total = 0;
        byte[] buf = new byte[8192];
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            ZipEntry e;
            while ((e = in.getNextEntry()) != null) {
                if (out.size() == maxFiles) {
                    throw new Refused("holds more than " + maxFiles + " files (max-files)");
                }
                String name = e.getName();
                if (e.isDirectory() || name.contains("/") || name.contains("\\")) {
                    throw new Refused("entry '" + abbreviate(name) + "' is in a directory or is one; Runbox's /box takes plain files only"
                            + " (nothing is flattened)");
                }
                ByteArrayOutputStream content = new ByteArrayOutputStream();
                int n;
                while ((n = read(in, buf)) > 0) {
                    total += n;
                    if (total > maxBytes) {
                        throw new Refused("unpacks to more than " + maxBytes + " bytes (max-files-bytes); unpacking stopped there");
                    }
                    content.write(buf, 0, n);
                }
                out.add(new Entry(name, content.toByteArray()));
            }
        } catch (IOException ex) {
            throw new Refused("is not a zip archive Runbox can read: " + ex.getMessage());
        }
        if (out.isEmpty() && zip.length > 0 && !looksLikeEmptyZip(zip)) {
            throw new Refused("is not a zip archive (no entries found)");
        }
        return out;
    }

    private static int read(InputStream in, byte[] buf) throws IOException {
        return in.read(buf, 0, buf.length);
    }

    /** An archive without entries is its end record alone (22 bytes starting PK\5\6). */
    private static boolean looksLikeEmptyZip(byte[] zip) {
        return zip.length >= 4 && zip[0] == 'P' && zip[1] == 'K' && zip[2] == 5 && zip[3] == 6;
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "…";
    }
}
