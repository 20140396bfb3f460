package layout_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"

	"strings"
	"testing"

	. "github.com/onsi/gomega"
	"github.com/sclevine/spec"
)

// testDocs keeps what the docs name real: the repository paths and make
// targets they mention, the files and headings they link, the fuzz targets
// they place in packages. A rename that forgets a doc fails here, not in a
// newcomer's first hour.
func testDocs(t *testing.T, context spec.G, it spec.S) {
	var (
		Expect = NewWithT(t).Expect
		top    string
		docs   []string
	)

	it.Before(func() {
		top = root(t)
		more, err := filepath.Glob(filepath.Join(top, "docs", "*.md"))
		Expect(err).NotTo(HaveOccurred())
		docs = append([]string{filepath.Join(top, "README.md"), filepath.Join(top, "ARCHITECTURE.md")}, more...)
	})

	it("names only repository paths that exist", func() {
		var missing []string
		for _, doc := range docs {
			for _, ref := range repoPaths(t, top, doc) {
				if _, err := os.Stat(filepath.Join(top, ref.path)); err != nil {
					missing = append(missing, ref.String())
				}
			}
		}
		Expect(missing).To(BeEmpty())
	})

	it("names only make targets the Makefile has", func() {
		targets := makeTargets(t, top)
		for _, target := range []string{"demo", "test", "unit", "builder"} {
			Expect(targets).To(HaveKey(target))
		}
		var missing []string
		for _, doc := range docs {
			for _, code := range codeSpans(t, doc) {
				for _, match := range makeCommand.FindAllStringSubmatch(code.text, -1) {
					if !targets[match[1]] {
						missing = append(missing, fmt.Sprintf("%s:%d: make %s", rel(top, doc), code.line, match[1]))
					}
				}
			}
		}
		Expect(missing).To(BeEmpty())
	})

	it("links only files and headings that exist", func() {
		var broken []string
		for _, doc := range docs {
			content := read(t, doc)
			for _, match := range link.FindAllStringSubmatch(content, -1) {
				target := match[1]
				if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
					continue
				}
				file, anchor, _ := strings.Cut(target, "#")
				path := doc
				if file != "" {
					path = filepath.Join(filepath.Dir(doc), file)
				}
				if _, err := os.Stat(path); err != nil {
					broken = append(broken, fmt.Sprintf("%s: %s (no such file)", rel(top, doc), target))
					continue
				}
				if anchor != "" && !anchors(t, path)[anchor] {
					broken = append(broken, fmt.Sprintf("%s: %s (no such heading in %s)", rel(top, doc), target, rel(top, path)))
				}
			}
		}
		Expect(broken).To(BeEmpty())
	})

	it("has make demo end with the README's own commands for the user's app", func() {
		normalize := func(command string) string {
			command, _, _ = strings.Cut(command, " #")
			return strings.Join(strings.Fields(command), " ")
		}
		var readme []string
		for _, code := range codeSpans(t, filepath.Join(top, "README.md")) {
			for _, command := range strings.Split(strings.ReplaceAll(code.text, "\\\n", " "), "\n") {
				if strings.HasPrefix(command, "pack build myapp ") {
					readme = append(readme, normalize(command))
				}
			}
		}
		script := read(t, filepath.Join(top, "tools", "demo.sh"))
		replacements := []string{"$builder", "onbuild/builder", "$(stack_image run-tiny)", "onbuild/stack-run-tiny:trixie"}
		for _, name := range []string{"python_volumes", "go_volumes"} {
			value := regexp.MustCompile(`(?m)^` + name + `="([^"]+)"$`).FindStringSubmatch(script)
			Expect(value).To(HaveLen(2), "tools/demo.sh sets %s", name)
			replacements = append(replacements, "$"+name, value[1])
		}
		demo := strings.NewReplacer(replacements...).Replace(script)
		var printed []string
		for _, line := range strings.Split(demo, "\n") {
			if command := strings.TrimSpace(line); strings.HasPrefix(command, "pack build myapp ") {
				printed = append(printed, normalize(command))
			}
		}
		Expect(printed).To(HaveLen(4))
		Expect(printed).To(ConsistOf(uniq(readme)))
	})

	it("places each fuzz target of docs/fuzzing.md in the package it names", func() {
		rows := regexp.MustCompile("(?m)^\\| `(Fuzz\\w+)` \\| `([^`]+)` \\|").FindAllStringSubmatch(read(t, filepath.Join(top, "docs", "fuzzing.md")), -1)
		Expect(len(rows)).To(BeNumerically(">=", 5))
		for _, row := range rows {
			tests, err := filepath.Glob(filepath.Join(top, row[2], "*_test.go"))
			Expect(err).NotTo(HaveOccurred())
			found := false
			for _, file := range tests {
				found = found || strings.Contains(read(t, file), "func "+row[1]+"(f *testing.F)")
			}
			Expect(found).To(BeTrue(), "docs/fuzzing.md puts %s in %s, which has no such fuzz test", row[1], row[2])
		}
	})
}

// codeSpan is text a user types or reads as a literal: an inline code span
// or a fenced block, with the line it starts on.
type codeSpan struct {
	text string
	line int
}

var (
	inlineCode  = regexp.MustCompile("`([^`\n]+)`")
	makeCommand = regexp.MustCompile(`(?:^|[\s;&(])make ([a-z][a-z0-9-]*)`)
	link        = regexp.MustCompile(`\]\(([^)\s]+)\)`)
	heading     = regexp.MustCompile(`(?m)^#{1,6} (.+)$`)
	// repoPath is a relative path of at least two parts; placeholders
	// (<name>, *, $VAR, ...) make it no path.
	goIdentifier = regexp.MustCompile(`\.[A-Z]\w*$`)
	repoPath     = regexp.MustCompile(`^(\./)?[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)+/?$`)
)

// codeSpans returns the inline code spans and fenced blocks of a doc.
func codeSpans(t *testing.T, doc string) []codeSpan {
	var spans []codeSpan
	var block []string
	start, fenced := 0, false
	for i, line := range strings.Split(read(t, doc), "\n") {
		switch {
		case strings.HasPrefix(strings.TrimSpace(line), "```"):
			if fenced {
				spans = append(spans, codeSpan{strings.Join(block, "\n"), start})
				block = nil
			}
			fenced, start = !fenced, i+1
		case fenced:
			block = append(block, line)
		default:
			for _, match := range inlineCode.FindAllStringSubmatch(line, -1) {
				spans = append(spans, codeSpan{match[1], i + 1})
			}
		}
	}
	return spans
}

// pathRef is a repository path a doc names.
type pathRef struct {
	doc, path string
	line      int
}

func (r pathRef) String() string { return fmt.Sprintf("%s:%d: %s", r.doc, r.line, r.path) }

// repoPaths are the paths in a doc's code that start at a folder of the
// repository (build/, tools/, ...). Folders made at run time (.cache/,
// out/) are not in the repository and not checked.
func repoPaths(t *testing.T, top, doc string) []pathRef {
	folders := map[string]bool{}
	entries, err := os.ReadDir(top)
	if err != nil {
		t.Fatal(err)
	}
	for _, entry := range entries {
		if entry.IsDir() && !map[string]bool{".git": true, ".cache": true, "out": true}[entry.Name()] {
			folders[entry.Name()] = true
		}
	}
	var refs []pathRef
	for _, code := range codeSpans(t, doc) {
		for _, word := range strings.Fields(code.text) {
			word = strings.Trim(word, `"'(),;:`)
			if !repoPath.MatchString(word) || strings.Contains(word, "...") {
				continue
			}
			// internal/problem.Problem names a Go identifier: its package
			// is the path.
			path := strings.TrimPrefix(word, "./")
			if _, err := os.Stat(filepath.Join(top, path)); err != nil {
				path = goIdentifier.ReplaceAllString(path, "")
			}
			if folders[strings.SplitN(path, "/", 2)[0]] {
				refs = append(refs, pathRef{rel(top, doc), path, code.line})
			}
		}
	}
	return refs
}

// makeTargets reads the targets of the Makefile's rules.
func makeTargets(t *testing.T, top string) map[string]bool {
	targets := map[string]bool{}
	for _, match := range regexp.MustCompile(`(?m)^([a-z][a-z0-9 -]*):`).FindAllStringSubmatch(read(t, filepath.Join(top, "Makefile")), -1) {
		for _, target := range strings.Fields(match[1]) {
			targets[target] = true
		}
	}
	return targets
}

// anchors are the heading anchors GitHub makes for a markdown file:
// lower case, punctuation dropped, spaces as hyphens.
func anchors(t *testing.T, path string) map[string]bool {
	found := map[string]bool{}
	for _, match := range heading.FindAllStringSubmatch(read(t, path), -1) {
		var b strings.Builder
		for _, r := range strings.ToLower(strings.TrimSpace(match[1])) {
			switch {
			case r == ' ':
				b.WriteRune('-')
			case r == '-' || r == '_' || (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') || r > 127:
				b.WriteRune(r)
			}
		}
		found[b.String()] = true
	}
	return found
}

func uniq(list []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, item := range list {
		if !seen[item] {
			seen[item] = true
			out = append(out, item)
		}
	}
	return out
}

func read(t *testing.T, path string) string {
	content, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(content)
}

func rel(top, path string) string {
	r, err := filepath.Rel(top, path)
	if err != nil {
		return path
	}
	return r
}
