import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipFile;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * Checks an unzipped Maven Central bundle the way the portal's validation does, and a little more:
 * every published component is there with its jar, sources, javadoc and POM; each file has a signature and
 * correct checksums; each POM (or the parent it names, which must be in the bundle too) has the metadata
 * Central requires; no build-only module or tool is published or needed by a published POM.
 *
 *   java build-support/release/CheckBundle.java BUNDLE_DIR VERSION
 *
 * Exits 1 and lists every problem when the bundle would be refused.
 */
public final class CheckBundle {
    private static final String GROUP = "io/github/kproducer";
    /** Published components and whether each has a jar (the others are POMs only). */
    private static final Map<String, Boolean> COMPONENTS =
        Map.of(
            "kproducer-parent", false,
            "kproducer-bom", false,
            "kproducer-dsl", true,
            "kproducer-testkit", true,
            "kproducer-spring-boot-starter", true,
            "kproducer-spring-boot-test", true);
    private static final Set<String> BUILD_ONLY =
        Set.of("kproducer-build-support", "kproducer-samples", "kproducer-bench", "kotlin-serialization-compiler-plugin-embeddable");
    private static final List<String> CHECKSUMS = List.of("md5", "sha1");

    private final List<String> problems = new ArrayList<>();

    public static void main(String[] args) throws Exception {
        if (args.length != 2) throw new IllegalArgumentException("usage: CheckBundle BUNDLE_DIR VERSION");
        var check = new CheckBundle();
        check.run(Path.of(args[0]), args[1]);
        if (!check.problems.isEmpty()) {
            System.err.println("The bundle would be refused:");
            check.problems.forEach(p -> System.err.println("  - " + p));
            System.exit(1);
        }
        System.out.println("bundle ok: " + COMPONENTS.keySet().stream().sorted().collect(Collectors.joining(", ")) + " " + args[1]);
    }

    private void run(Path bundle, String version) throws Exception {
        Path group = bundle.resolve(GROUP);
        try (Stream<Path> published = Files.list(group)) {
            Set<String> names = published.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
            for (String name : names) if (!COMPONENTS.containsKey(name)) problems.add("unexpected component in the bundle: " + name);
            for (String name : COMPONENTS.keySet()) if (!names.contains(name)) problems.add("missing component: " + name);
        }
        for (var component : COMPONENTS.entrySet()) {
            Path dir = group.resolve(component.getKey()).resolve(version);
            if (!Files.isDirectory(dir)) continue;
            String base = component.getKey() + "-" + version;
            List<String> files = new ArrayList<>(List.of(base + ".pom"));
            if (component.getValue()) files.addAll(List.of(base + ".jar", base + "-sources.jar", base + "-javadoc.jar"));
            for (String file : files) checkFile(dir.resolve(file));
            if (component.getValue()) {
                checkJarHolds(dir.resolve(base + "-sources.jar"), ".kt", "Kotlin sources");
                checkJarHolds(dir.resolve(base + "-javadoc.jar"), "index.html", "the Dokka index.html");
            }
            checkPom(dir.resolve(base + ".pom"), group, version);
        }
    }

    private void checkFile(Path file) throws Exception {
        if (!Files.isRegularFile(file)) {
            problems.add("missing file: " + file.getFileName());
            return;
        }
        if (!Files.isRegularFile(Path.of(file + ".asc"))) problems.add("no signature: " + file.getFileName() + ".asc");
        byte[] content = Files.readAllBytes(file);
        for (String algorithm : CHECKSUMS) {
            Path sum = Path.of(file + "." + algorithm);
            if (!Files.isRegularFile(sum)) {
                problems.add("no checksum: " + sum.getFileName());
                continue;
            }
            String expected = HexFormat.of().formatHex(MessageDigest.getInstance(algorithm.equals("sha1") ? "SHA-1" : "MD5").digest(content));
            if (!Files.readString(sum).trim().startsWith(expected)) problems.add("wrong checksum: " + sum.getFileName());
        }
    }

    private void checkJarHolds(Path jar, String suffix, String what) throws IOException {
        if (!Files.isRegularFile(jar)) return;
        try (var zip = new ZipFile(jar.toFile())) {
            if (zip.stream().noneMatch(e -> e.getName().endsWith(suffix))) problems.add(jar.getFileName() + " holds no " + what);
        }
    }

    private void checkPom(Path pom, Path group, String version) throws Exception {
        if (!Files.isRegularFile(pom)) return;
        Element project = parse(pom);
        Element parent = child(project, "parent");
        Element inherited = null;
        if (parent != null) {
            String parentId = text(parent, "artifactId");
            Path parentPom = group.resolve(parentId).resolve(version).resolve(parentId + "-" + version + ".pom");
            if (!text(parent, "groupId").equals("io.github.kproducer") || !Files.isRegularFile(parentPom)) {
                problems.add(pom.getFileName() + ": its parent " + parentId + " is not in the bundle");
            } else {
                inherited = parse(parentPom);
            }
        }
        for (String required : List.of("name", "description", "url", "licenses", "developers", "scm")) {
            if (child(project, required) == null && (inherited == null || child(inherited, required) == null)) {
                problems.add(pom.getFileName() + " has no <" + required + "> (Central requires it)");
            }
        }
        Element scm = child(project, "scm") != null ? child(project, "scm") : inherited == null ? null : child(inherited, "scm");
        if (scm != null && (child(scm, "url") == null || child(scm, "connection") == null)) problems.add(pom.getFileName() + ": <scm> needs <url> and <connection>");
        Element dependencies = child(project, "dependencies");
        if (dependencies == null) return;
        for (Node node = dependencies.getFirstChild(); node != null; node = node.getNextSibling()) {
            if (!(node instanceof Element dependency)) continue;
            String artifact = text(dependency, "artifactId");
            String scope = child(dependency, "scope") == null ? "compile" : text(dependency, "scope");
            if (BUILD_ONLY.contains(artifact) && !scope.equals("test")) {
                problems.add(pom.getFileName() + " needs the build-only " + artifact + " in scope " + scope);
            }
        }
    }

    private static Element parse(Path pom) throws Exception {
        var factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        return factory.newDocumentBuilder().parse(pom.toFile()).getDocumentElement();
    }

    private static Element child(Element parent, String name) {
        for (Node node = parent.getFirstChild(); node != null; node = node.getNextSibling()) {
            if (node instanceof Element element && element.getTagName().equals(name)) return element;
        }
        return null;
    }

    private static String text(Element parent, String name) {
        Element element = child(parent, name);
        return element == null ? "" : element.getTextContent().trim();
    }
}
