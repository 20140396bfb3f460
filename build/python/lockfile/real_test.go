package lockfile

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"testing"

	. "github.com/onsi/gomega"
	"github.com/sclevine/spec"
)

// testRealLocks reads lock files uv and Poetry 2 wrote in public
// repositories (testdata/real/README.md says where each comes from). Every
// expectation below was written by reading the lock file, never by
// running this package: the names, versions and markers of what is
// locked, and what pip then installs on Linux x86_64 with CPython, the
// platform builds run on (trixie's 3.13, bookworm's 3.11).
func testRealLocks(t *testing.T, context spec.G, it spec.S) {
	var Expect = NewWithT(t).Expect

	trixie := linuxCPython("3.13.5")
	bookworm := linuxCPython("3.11.2")

	resolveReal := func(name string, groups ...string) (Set, error) {
		return resolveApp(t, copyApp(t, "real/"+name), groups...)
	}

	context("a uv workspace whose root is a virtual project (uv-workspace)", func() {
		it("installs the two editable members and nothing else by default", func() {
			set, err := resolveReal("uv-workspace")
			Expect(err).NotTo(HaveOccurred())
			Expect(set.Root).To(Equal(Root{Name: "uv-workspace-source-overrides-root", Kind: RootVirtual}))
			Expect(locked(set)).To(Equal([]string{"app==0.1.0", "lib==0.1.0"}))
			Expect(pkg(set, "app").Source).To(Equal(Source{Kind: SourcePath, Path: "packages/app", Editable: true}))
			Expect(pkg(set, "lib").Source).To(Equal(Source{Kind: SourcePath, Path: "packages/lib", Editable: true}))
		})

		it("adds the legacy [tool.uv] dev-dependencies as the dev group, colorama only on Windows", func() {
			set, err := resolveReal("uv-workspace", "dev")
			Expect(err).NotTo(HaveOccurred())
			Expect(locked(set)).To(Equal([]string{
				`app==0.1.0`, `colorama==0.4.6 ; sys_platform == "win32"`, `iniconfig==2.3.0`, `lib==0.1.0`,
				`packaging==26.2`, `pluggy==1.6.0`, `pygments==2.20.0`, `pytest==9.1.0`,
			}))
			Expect(trixie.installs(t, set)).To(Equal([]string{
				"app==0.1.0", "iniconfig==2.3.0", "lib==0.1.0", "packaging==26.2", "pluggy==1.6.0", "pygments==2.20.0", "pytest==9.1.0",
			}))
			Expect(pkg(set, "pytest").Hashes).To(Equal([]string{
				"sha256:41dd9148c08072446394cefd3d79701701335a9f4cae69ba92e39f6c7f5c061c",
				"sha256:8ebb0e7888bdf2bdfc602ec51f8f62d50200af37356c74e503c79a94f5c81f32",
			}))
		})
	})

	context("a git source with a subdirectory and a rev (uv-git-subdirectory)", func() {
		it("installs hatchling from the locked commit of its backend folder, its dependencies from the index", func() {
			set, err := resolveReal("uv-git-subdirectory")
			Expect(err).NotTo(HaveOccurred())
			Expect(set.Root).To(Equal(Root{Name: "git-subdirectory", Kind: RootEditable}))
			want := []string{"hatchling==1.27.0", "packaging==24.2", "pathspec==0.12.1", "pluggy==1.5.0", "trove-classifiers==2025.1.15.22"}
			Expect(locked(set)).To(Equal(want))
			Expect(trixie.installs(t, set)).To(Equal(want))
			Expect(pkg(set, "hatchling").Source).To(Equal(Source{
				Kind: SourceGit, URL: "https://github.com/pypa/hatch.git",
				Commit: "cbf6598e5cbce3ba9097023c5bf783001ebbcbcb", Subdirectory: "backend",
			}))
			Expect(set.Unhashed().Requirements()).To(Equal(
				"hatchling @ git+https://github.com/pypa/hatch.git@cbf6598e5cbce3ba9097023c5bf783001ebbcbcb#subdirectory=backend\n"))
			Expect(pkg(set, "trove-classifiers").Hashes).To(Equal([]string{
				"sha256:5f19c789d4f17f501d36c94dbbf969fb3e8c2784d008e6f5164dd2c3d6a2b07c",
				"sha256:90af74358d3a01b3532bc7b3c88d8c6a094c2fd50a563d13d9576179326d7ed9",
			}))
		})
	})

	context("a direct URL to an sdist, its only file (uv-url-sdist)", func() {
		it("pins the archive by the sdist hash and leaves out tomli, which only Python < 3.11 needs", func() {
			set, err := resolveReal("uv-url-sdist")
			Expect(err).NotTo(HaveOccurred())
			want := []string{"hatchling==1.27.0", "packaging==24.2", "pathspec==0.12.1", "pluggy==1.5.0", "trove-classifiers==2025.1.15.22"}
			Expect(locked(set)).To(Equal(want))
			Expect(trixie.installs(t, set)).To(Equal(want))
			hatchling := pkg(set, "hatchling")
			Expect(hatchling.Source).To(Equal(Source{Kind: SourceURL, URL: "https://github.com/pypa/hatch/archive/hatchling-v1.27.0.tar.gz#subdirectory=backend"}))
			Expect(hatchling.Hashes).To(Equal([]string{"sha256:c5d576a04bbc3940c71dc899da35a9cfe644044a6e4e70549f41d964d6331625"}))
			Expect(set.Unhashed().Packages).To(BeEmpty())
		})
	})

	context("resolution-markers forking one package by Python version (uv-multi-pythons)", func() {
		it("locks both arpeggio versions, each under its marker, so each Python gets one", func() {
			set, err := resolveReal("uv-multi-pythons")
			Expect(err).NotTo(HaveOccurred())
			Expect(locked(set)).To(Equal([]string{
				`arpeggio==2.0.1 ; python_full_version < "3.12"`,
				`arpeggio==2.0.2 ; python_full_version >= "3.12"`,
				`multi-depends==0.1.0`,
			}))
			Expect(trixie.installs(t, set)).To(Equal([]string{"arpeggio==2.0.2", "multi-depends==0.1.0"}))
			Expect(bookworm.installs(t, set)).To(Equal([]string{"arpeggio==2.0.1", "multi-depends==0.1.0"}))
			Expect(pkg(set, "multi-depends").Source).To(Equal(Source{Kind: SourcePath, Path: "packages/multi-depends", Editable: true}))
		})
	})

	context("supported environments limited to macOS and Linux (uv-supported-environments)", func() {
		it("keeps a marker that holds on Linux, so arpeggio is installed", func() {
			set, err := resolveReal("uv-supported-environments")
			Expect(err).NotTo(HaveOccurred())
			Expect(locked(set)).To(Equal([]string{`arpeggio==2.0.2 ; sys_platform == "darwin" or sys_platform == "linux"`}))
			Expect(trixie.installs(t, set)).To(Equal([]string{"arpeggio==2.0.2"}))
			Expect(pkg(set, "arpeggio").Hashes).To(Equal([]string{
				"sha256:c790b2b06e226d2dd468e4fbfb5b7f506cec66416031fde1441cf1de2a0ba700",
				"sha256:f7c8ae4f4056a89e020c24c7202ac8df3e2bc84e416746f20b0da35bb1de0250",
			}))
		})
	})

	context("conflicting extras and a dependency group (uv-conflicts)", func() {
		it("installs the version each extra or group locked", func() {
			set, err := resolveReal("uv-conflicts")
			Expect(err).NotTo(HaveOccurred())
			Expect(locked(set)).To(BeEmpty())

			for group, want := range map[string]string{"extra-a": "arpeggio==2.0.0", "extra-b": "arpeggio==2.0.1", "group-c": "arpeggio==2.0.0"} {
				set, err = resolveReal("uv-conflicts", group)
				Expect(err).NotTo(HaveOccurred())
				Expect(trixie.installs(t, set)).To(Equal([]string{want}), group)
			}
			set, err = resolveReal("uv-conflicts", "extra-a")
			Expect(err).NotTo(HaveOccurred())
			Expect(pkg(set, "arpeggio").Hashes).To(Equal([]string{
				"sha256:448e332deb0e9ccd04046f1c6c14529d197f41bc2fdb3931e43fc209042fbdd3",
				"sha256:d6b03839019bb8a68785f9292ee6a36b1954eb84b925b84a6b8a5e1e26d3ed3d",
			}))
		})

		it("refuses two sides of a declared conflict, which would pin arpeggio twice", func() {
			for _, groups := range [][]string{{"extra-a", "extra-b"}, {"extra-b", "group-c"}, {"extra-a", "group-c"}} {
				_, err := resolveReal("uv-conflicts", groups...)
				Expect(err).To(MatchError(ContainSubstring("Conflicting groups selected")), fmt.Sprint(groups))
				Expect(err.Error()).To(ContainSubstring("declares as conflicting ([tool.uv] conflicts)"))
				Expect(err.Error()).To(ContainSubstring("Select only one of them in BP_PYTHON_GROUPS."))
			}
			_, err := resolveReal("uv-conflicts", "extra-a", "extra-b")
			Expect(err).To(MatchError(ContainSubstring("the extra extra-a and the extra extra-b")))
		})
	})

	context("a Poetry 2.0 lock of a [project] dependency with an extra (poetry2-flask-async)", func() {
		it("follows flask[async] to asgiref and keeps the Windows and old-Python markers off Linux", func() {
			set, err := resolveReal("poetry2-flask-async")
			Expect(err).NotTo(HaveOccurred())
			Expect(set.Root).To(Equal(Root{Name: "dep-with-optional-dependency", Kind: RootEditable}))
			Expect(locked(set)).To(Equal([]string{
				`asgiref==3.8.1`, `blinker==1.9.0`, `click==8.1.8`, `colorama==0.4.6 ; platform_system == "Windows"`,
				`flask==3.1.0`, `importlib-metadata==8.5.0 ; python_version < "3.10"`, `itsdangerous==2.2.0`,
				`jinja2==3.1.5`, `markupsafe==3.0.2`, `typing-extensions==4.12.2 ; python_version < "3.11"`,
				`werkzeug==3.1.3`, `zipp==3.21.0 ; python_version < "3.10"`,
			}))
			onLinux := []string{
				"asgiref==3.8.1", "blinker==1.9.0", "click==8.1.8", "flask==3.1.0",
				"itsdangerous==2.2.0", "jinja2==3.1.5", "markupsafe==3.0.2", "werkzeug==3.1.3",
			}
			Expect(trixie.installs(t, set)).To(Equal(onLinux))
			Expect(bookworm.installs(t, set)).To(Equal(onLinux))
			Expect(pkg(set, "asgiref").Hashes).To(Equal([]string{
				"sha256:3e1e3ecc849832fe52ccf2cb6686b7a55f82bb1d6aee72a58826471390335e47",
				"sha256:c343bd80a0bec947a9860adb4c432ffa7db769836c64238fc34bdc3fec84d590",
			}))
			Expect(pkg(set, "markupsafe").Hashes).To(HaveLen(61))
			Expect(pkg(set, "markupsafe").Hashes).To(ContainElement("sha256:15ab75ef81add55874e7ab7055e9c397312385bd9ced94920f2802310c930396"))
		})
	})

	context("a Poetry 2.2 lock of an editable git subdirectory in a non-package project (poetry2-git-subdirectory)", func() {
		it("installs extension.dist editable from the resolved commit, its content-hash matching", func() {
			set, err := resolveReal("poetry2-git-subdirectory")
			Expect(err).NotTo(HaveOccurred())
			Expect(set.Root).To(Equal(Root{Kind: RootVirtual}))
			Expect(locked(set)).To(Equal([]string{"extension-dist==0.1"}))
			Expect(trixie.installs(t, set)).To(Equal([]string{"extension-dist==0.1"}))
			Expect(pkg(set, "extension-dist").Source).To(Equal(Source{
				Kind: SourceGit, URL: "https://github.com/pypa/wheel.git",
				Commit: "7bb46d7727e6e89fe56b3c78297b3af2672bbbe2", Subdirectory: "tests/testdata/extension.dist", Editable: true,
			}))
			Expect(set.Requirements()).To(Equal(
				"-e git+https://github.com/pypa/wheel.git@7bb46d7727e6e89fe56b3c78297b3af2672bbbe2#egg=extension-dist&subdirectory=tests/testdata/extension.dist\n"))
		})
	})

	it("evaluates markers the way pip does on Linux x86_64 CPython", func() {
		for marker, want := range map[string]bool{
			"":                                true,
			`sys_platform == "win32"`:         false,
			`platform_system == "Windows"`:    false,
			`sys_platform == "linux"`:         true,
			`python_version < "3.10"`:         false,
			`python_full_version >= "3.12"`:   true,
			`python_full_version == "3.13.*"`: true,
			`platform_machine == "x86_64"`:    true,
			`"linux" in sys_platform`:         true,
			`(sys_platform == "darwin" and python_version >= "3") or os_name == "nt"`: false,
		} {
			Expect(trixie.eval(t, marker)).To(Equal(want), marker)
		}
		Expect(bookworm.eval(t, `python_full_version < "3.12"`)).To(BeTrue())
	})
}

// locked lists a set as name==version, with the marker when there is one.
func locked(s Set) []string {
	var out []string
	for _, p := range s.Packages {
		line := p.Name + "==" + p.Version
		if p.Marker != "" {
			line += " ; " + p.Marker
		}
		out = append(out, line)
	}
	return out
}

// markerEnv is the PEP 508 environment of one machine. It evaluates the
// markers the resolver writes independently of this package's parser, so
// the tests check what pip would install rather than the parser's own view.
type markerEnv map[string]string

func linuxCPython(full string) markerEnv {
	parts := strings.Split(full, ".")
	return markerEnv{
		"os_name": "posix", "sys_platform": "linux", "platform_system": "Linux",
		"platform_machine": "x86_64", "platform_python_implementation": "CPython",
		"implementation_name": "cpython", "implementation_version": full,
		"python_version": parts[0] + "." + parts[1], "python_full_version": full,
		"platform_release": "", "platform_version": "",
	}
}

// installs is the part of the set pip installs in this environment.
func (env markerEnv) installs(t *testing.T, s Set) []string {
	var out []string
	for _, p := range s.Packages {
		if env.eval(t, p.Marker) {
			out = append(out, p.Name+"=="+p.Version)
		}
	}
	sort.Strings(out)
	return out
}

func (env markerEnv) eval(t *testing.T, marker string) bool {
	t.Helper()
	if strings.TrimSpace(marker) == "" {
		return true
	}
	e := &markerEval{env: env, toks: markerTokens(marker)}
	v := e.or()
	if e.err == nil && e.pos != len(e.toks) {
		e.err = fmt.Errorf("trailing %q", e.toks[e.pos:])
	}
	NewWithT(t).Expect(e.err).NotTo(HaveOccurred(), marker)
	return v
}

type markerEval struct {
	env  markerEnv
	toks []string
	pos  int
	err  error
}

func markerTokens(s string) []string {
	var toks []string
	for i := 0; i < len(s); {
		switch c := s[i]; {
		case c == ' ':
			i++
		case c == '(' || c == ')':
			toks = append(toks, string(c))
			i++
		case c == '"' || c == '\'':
			end := strings.IndexByte(s[i+1:], c)
			toks = append(toks, s[i:i+end+2])
			i += end + 2
		case strings.IndexByte("<>=!~", c) >= 0:
			j := i
			for j < len(s) && strings.IndexByte("<>=!~", s[j]) >= 0 {
				j++
			}
			toks = append(toks, s[i:j])
			i = j
		default:
			j := i
			for j < len(s) && strings.IndexByte(" ()<>=!~\"'", s[j]) < 0 {
				j++
			}
			toks = append(toks, s[i:j])
			i = j
		}
	}
	// "not in" is one operator.
	var out []string
	for i := 0; i < len(toks); i++ {
		if toks[i] == "not" && i+1 < len(toks) && toks[i+1] == "in" {
			out = append(out, "not in")
			i++
			continue
		}
		out = append(out, toks[i])
	}
	return out
}

func (e *markerEval) next() string {
	if e.pos >= len(e.toks) {
		if e.err == nil {
			e.err = fmt.Errorf("unexpected end")
		}
		return ""
	}
	e.pos++
	return e.toks[e.pos-1]
}

func (e *markerEval) or() bool {
	v := e.and()
	for e.pos < len(e.toks) && e.toks[e.pos] == "or" {
		e.pos++
		w := e.and()
		v = v || w
	}
	return v
}

func (e *markerEval) and() bool {
	v := e.atom()
	for e.pos < len(e.toks) && e.toks[e.pos] == "and" {
		e.pos++
		w := e.atom()
		v = v && w
	}
	return v
}

func (e *markerEval) atom() bool {
	if e.pos < len(e.toks) && e.toks[e.pos] == "(" {
		e.pos++
		v := e.or()
		if e.next() != ")" && e.err == nil {
			e.err = fmt.Errorf("missing )")
		}
		return v
	}
	lhs, op, rhs := e.next(), e.next(), e.next()
	value := func(tok string) (string, bool) {
		if strings.HasPrefix(tok, `"`) || strings.HasPrefix(tok, "'") {
			return tok[1 : len(tok)-1], false
		}
		v, ok := e.env[tok]
		if !ok && e.err == nil {
			e.err = fmt.Errorf("unknown variable %q", tok)
		}
		return v, true
	}
	l, lvar := value(lhs)
	r, _ := value(rhs)
	versioned := lvar && strings.Contains(lhs, "version") && lhs != "platform_version"
	switch op {
	case "in":
		return strings.Contains(r, l)
	case "not in":
		return !strings.Contains(r, l)
	}
	if !versioned {
		switch op {
		case "==":
			return l == r
		case "!=":
			return l != r
		}
		e.err = fmt.Errorf("operator %s on %s", op, lhs)
		return false
	}
	if prefix, ok := strings.CutSuffix(r, ".*"); ok && (op == "==" || op == "!=") {
		match := l == prefix || strings.HasPrefix(l, prefix+".")
		return match == (op == "==")
	}
	c := compareVersions(l, r)
	switch op {
	case "==":
		return c == 0
	case "!=":
		return c != 0
	case "<":
		return c < 0
	case "<=":
		return c <= 0
	case ">":
		return c > 0
	case ">=":
		return c >= 0
	}
	e.err = fmt.Errorf("operator %s", op)
	return false
}

// compareVersions compares dotted release numbers, missing parts being 0.
func compareVersions(a, b string) int {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(as) || i < len(bs); i++ {
		var x, y int
		if i < len(as) {
			x, _ = strconv.Atoi(as[i])
		}
		if i < len(bs) {
			y, _ = strconv.Atoi(bs[i])
		}
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
	}
	return 0
}
