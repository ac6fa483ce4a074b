package dev.runbox.sandbox.cgroup;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.AccessMode;
import java.nio.file.CopyOption;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileStore;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.ProviderMismatchException;
import java.nio.file.StandardOpenOption;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileAttributeView;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.nio.file.spi.FileSystemProvider;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * A cgroupfs stand-in over a plain directory, for unit tests of {@link CgroupV1} and {@link CgroupV2}.
 * It behaves like kernfs where Runbox relies on it:
 * <ul>
 *   <li>mkdir creates the new group's interface files (chosen per test by {@code interfaceFiles});</li>
 *   <li>no file can be created (open with CREATE of a missing file fails, as the kernel's EACCES) and
 *       none can be unlinked;</li>
 *   <li>rmdir removes a group with its interface files, but fails while its {@code cgroup.procs} lists a
 *       process (EBUSY) or it has child groups.</li>
 * </ul>
 * Paths handed to the code under test come from {@link #path}; tests read and prepare files through the
 * real paths under {@link #root} (see {@link #real}). Every write through the fake is journaled in order.
 */
final class FakeCgroupFs extends FileSystem {

    private final Path root;
    private final Function<Path, Map<String, String>> interfaceFiles;
    private final Provider provider = new Provider();
    /** Real paths written through the fake, in order. */
    final List<Path> writes = new CopyOnWriteArrayList<>();

    /**
     * @param root           the real directory standing for the cgroupfs mount(s)
     * @param interfaceFiles for the real path of a new group, the files mkdir creates in it and their contents
     */
    FakeCgroupFs(Path root, Function<Path, Map<String, String>> interfaceFiles) {
        this.root = root;
        this.interfaceFiles = interfaceFiles;
    }

    /** The fake's view of {@code root}/{@code relative}, to give to the code under test. */
    Path path(String relative) {
        return new FakePath(this, root.resolve(relative));
    }

    /** The real file behind a fake path. */
    Path real(Path p) {
        if (!(p instanceof FakePath f) || f.fs != this) throw new ProviderMismatchException(String.valueOf(p));
        return f.real;
    }

    private Path wrap(Path real) {
        return real == null ? null : new FakePath(this, real);
    }

    // ---- FileSystem ----

    @Override
    public FileSystemProvider provider() {
        return provider;
    }

    @Override
    public void close() {
    }

    @Override
    public boolean isOpen() {
        return true;
    }

    @Override
    public boolean isReadOnly() {
        return false;
    }

    @Override
    public String getSeparator() {
        return "/";
    }

    @Override
    public Iterable<Path> getRootDirectories() {
        return List.of(wrap(root.getRoot()));
    }

    @Override
    public Iterable<FileStore> getFileStores() {
        return List.of();
    }

    @Override
    public Set<String> supportedFileAttributeViews() {
        return Set.of("basic");
    }

    @Override
    public Path getPath(String first, String... more) {
        return wrap(root.getFileSystem().getPath(first, more));
    }

    @Override
    public PathMatcher getPathMatcher(String syntaxAndPattern) {
        throw new UnsupportedOperationException();
    }

    @Override
    public UserPrincipalLookupService getUserPrincipalLookupService() {
        throw new UnsupportedOperationException();
    }

    @Override
    public WatchService newWatchService() {
        throw new UnsupportedOperationException();
    }

    // ---- the provider: kernfs semantics over the real directory ----

    private final class Provider extends FileSystemProvider {

        @Override
        public String getScheme() {
            return "fakecgroup";
        }

        @Override
        public FileSystem newFileSystem(URI uri, Map<String, ?> env) {
            throw new UnsupportedOperationException();
        }

        @Override
        public FileSystem getFileSystem(URI uri) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Path getPath(URI uri) {
            throw new UnsupportedOperationException();
        }

        @Override
        public SeekableByteChannel newByteChannel(Path path, Set<? extends OpenOption> options, FileAttribute<?>... attrs)
                throws IOException {
            Path real = real(path);
            boolean creating = options.contains(StandardOpenOption.CREATE) || options.contains(StandardOpenOption.CREATE_NEW);
            if (creating && !Files.exists(real, LinkOption.NOFOLLOW_LINKS)) {
                throw new AccessDeniedException(path.toString(), null, "cgroupfs: files cannot be created");
            }
            if (options.contains(StandardOpenOption.WRITE) || options.contains(StandardOpenOption.APPEND)) writes.add(real);
            return Files.newByteChannel(real, options, attrs);
        }

        @Override
        public DirectoryStream<Path> newDirectoryStream(Path dir, DirectoryStream.Filter<? super Path> filter) throws IOException {
            DirectoryStream<Path> inner = Files.newDirectoryStream(real(dir), p -> filter.accept(wrap(p)));
            return new DirectoryStream<>() {
                @Override
                public Iterator<Path> iterator() {
                    Iterator<Path> it = inner.iterator();
                    return new Iterator<>() {
                        @Override
                        public boolean hasNext() {
                            return it.hasNext();
                        }

                        @Override
                        public Path next() {
                            return wrap(it.next());
                        }
                    };
                }

                @Override
                public void close() throws IOException {
                    inner.close();
                }
            };
        }

        @Override
        public void createDirectory(Path dir, FileAttribute<?>... attrs) throws IOException {
            Path real = real(dir);
            Files.createDirectory(real);
            for (Map.Entry<String, String> f : interfaceFiles.apply(real).entrySet()) {
                Files.writeString(real.resolve(f.getKey()), f.getValue());
            }
        }

        @Override
        public void delete(Path path) throws IOException {
            Path real = real(path);
            if (!Files.isDirectory(real, LinkOption.NOFOLLOW_LINKS)) {
                if (!Files.exists(real, LinkOption.NOFOLLOW_LINKS)) Files.delete(real); // NoSuchFileException
                throw new AccessDeniedException(path.toString(), null, "cgroupfs: files cannot be removed");
            }
            List<Path> files = new ArrayList<>();
            try (Stream<Path> children = Files.list(real)) {
                for (Path c : children.toList()) {
                    if (Files.isDirectory(c, LinkOption.NOFOLLOW_LINKS)) throw new DirectoryNotEmptyException(path.toString());
                    files.add(c);
                }
            }
            Path procs = real.resolve("cgroup.procs");
            if (Files.exists(procs) && !Files.readString(procs).isBlank()) {
                throw new FileSystemException(path.toString(), null, "Device or resource busy");
            }
            for (Path f : files) Files.delete(f);
            Files.delete(real);
        }

        @Override
        public void copy(Path source, Path target, CopyOption... options) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void move(Path source, Path target, CopyOption... options) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean isSameFile(Path path, Path path2) throws IOException {
            return Files.isSameFile(real(path), real(path2));
        }

        @Override
        public boolean isHidden(Path path) {
            return false;
        }

        @Override
        public FileStore getFileStore(Path path) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void checkAccess(Path path, AccessMode... modes) throws IOException {
            Path real = real(path);
            real.getFileSystem().provider().checkAccess(real, modes);
        }

        @Override
        public <V extends FileAttributeView> V getFileAttributeView(Path path, Class<V> type, LinkOption... options) {
            return Files.getFileAttributeView(real(path), type, options);
        }

        @Override
        public <A extends BasicFileAttributes> A readAttributes(Path path, Class<A> type, LinkOption... options) throws IOException {
            return Files.readAttributes(real(path), type, options);
        }

        @Override
        public Map<String, Object> readAttributes(Path path, String attributes, LinkOption... options) throws IOException {
            return Files.readAttributes(real(path), attributes, options);
        }

        @Override
        public void setAttribute(Path path, String attribute, Object value, LinkOption... options) throws IOException {
            Files.setAttribute(real(path), attribute, value, options);
        }
    }

    // ---- paths: a real path, routed through the fake ----

    private static final class FakePath implements Path {
        private final FakeCgroupFs fs;
        private final Path real;

        FakePath(FakeCgroupFs fs, Path real) {
            this.fs = fs;
            this.real = real;
        }

        private Path unwrap(Path other) {
            return other instanceof FakePath f ? f.real : other;
        }

        @Override
        public FileSystem getFileSystem() {
            return fs;
        }

        @Override
        public boolean isAbsolute() {
            return real.isAbsolute();
        }

        @Override
        public Path getRoot() {
            return fs.wrap(real.getRoot());
        }

        @Override
        public Path getFileName() {
            return fs.wrap(real.getFileName());
        }

        @Override
        public Path getParent() {
            return fs.wrap(real.getParent());
        }

        @Override
        public int getNameCount() {
            return real.getNameCount();
        }

        @Override
        public Path getName(int index) {
            return fs.wrap(real.getName(index));
        }

        @Override
        public Path subpath(int beginIndex, int endIndex) {
            return fs.wrap(real.subpath(beginIndex, endIndex));
        }

        @Override
        public boolean startsWith(Path other) {
            return real.startsWith(unwrap(other));
        }

        @Override
        public boolean endsWith(Path other) {
            return real.endsWith(unwrap(other));
        }

        @Override
        public Path normalize() {
            return fs.wrap(real.normalize());
        }

        @Override
        public Path resolve(Path other) {
            return fs.wrap(real.resolve(unwrap(other)));
        }

        @Override
        public Path relativize(Path other) {
            return fs.wrap(real.relativize(unwrap(other)));
        }

        @Override
        public URI toUri() {
            return real.toUri();
        }

        @Override
        public Path toAbsolutePath() {
            return fs.wrap(real.toAbsolutePath());
        }

        @Override
        public Path toRealPath(LinkOption... options) throws IOException {
            return fs.wrap(real.toRealPath(options));
        }

        @Override
        public File toFile() {
            throw new UnsupportedOperationException("java.io would bypass the fake cgroupfs");
        }

        @Override
        public WatchKey register(WatchService watcher, WatchEvent.Kind<?>[] events, WatchEvent.Modifier... modifiers) {
            throw new UnsupportedOperationException();
        }

        @Override
        public int compareTo(Path other) {
            return real.compareTo(unwrap(other));
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof FakePath f && f.fs == fs && f.real.equals(real);
        }

        @Override
        public int hashCode() {
            return real.hashCode();
        }

        @Override
        public String toString() {
            return real.toString();
        }
    }
}
