package lockfile

import (
	"testing"

	. "github.com/onsi/gomega"
	"github.com/sclevine/spec"
)

func testSet(t *testing.T, context spec.G, it spec.S) {
	var (
		Expect = NewWithT(t).Expect
		set    Set
	)

	it.Before(func() {
		set = Set{
			Root: Root{Name: "app", Kind: RootEditable},
			Packages: []Package{
				{Name: "colorama", Version: "0.4.6", Marker: `sys_platform == "win32"`, Hashes: []string{"sha256:aa", "sha256:bb"}, Source: Source{Kind: SourceIndex}},
				{Name: "flask", Version: "3.1.1", Hashes: []string{"sha256:cc"}, Source: Source{Kind: SourceIndex}},
				{Name: "lib", Version: "0.3.0", Source: Source{Kind: SourcePath, Path: "libs/lib", Editable: true}},
				{Name: "plain", Version: "1.0", Marker: `os_name == "posix"`, Source: Source{Kind: SourcePath, Path: "vendor/plain"}},
				{Name: "tiny", Version: "1.0.0", Marker: `python_version >= "3.11"`, Source: Source{Kind: SourceGit, URL: "https://user:secret@git.example.invalid/tiny.git", Commit: "0123456789abcdef0123456789abcdef01234567", Subdirectory: "src"}},
			},
		}
	})

	it("renders hashed requirements for pip --require-hashes --no-deps", func() {
		Expect(set.Hashed().Requirements()).To(Equal(`colorama==0.4.6 ; sys_platform == "win32" \
    --hash=sha256:aa \
    --hash=sha256:bb
flask==3.1.1 \
    --hash=sha256:cc
`))
	})

	it("renders VCS and local paths apart, for a pip call without --require-hashes", func() {
		Expect(set.Unhashed().Requirements()).To(Equal(`-e ./libs/lib
./vendor/plain ; os_name == "posix"
tiny @ git+https://user:secret@git.example.invalid/tiny.git@0123456789abcdef0123456789abcdef01234567#subdirectory=src ; python_version >= "3.11"
`))
		Expect(set.Unhashed().Root).To(Equal(set.Root))
	})

	it("renders an editable git checkout with its egg name", func() {
		p := set.Packages[4]
		p.Source.Editable = true
		Expect(Set{Packages: []Package{p}}.Requirements()).To(Equal("-e git+https://user:secret@git.example.invalid/tiny.git@0123456789abcdef0123456789abcdef01234567#egg=tiny&subdirectory=src\n"))
	})

	it("keys on names, versions, markers and hashes, without credentials", func() {
		key := set.Key()
		Expect(key).To(ContainSubstring("root editable app\n"))
		Expect(key).To(ContainSubstring(`colorama==0.4.6 ; sys_platform == "win32" hashes:`))
		Expect(key).To(ContainSubstring("git+https://user:****@git.example.invalid/tiny.git@0123456789abcdef0123456789abcdef01234567"))
		Expect(key).NotTo(ContainSubstring("secret"))

		other := set
		other.Packages = append([]Package{}, set.Packages...)
		other.Packages[1].Hashes = []string{"sha256:dd"}
		Expect(other.Key()).NotTo(Equal(key))
		Expect(set.Key()).To(Equal(key))
	})

	it("gives pip an ssh:// URL for an scp-like git address", func() {
		p := set.Packages[4]
		p.Source.URL, p.Source.Subdirectory, p.Marker = "git@git.example.invalid:org/tiny.git", "", ""
		Expect(Set{Packages: []Package{p}}.Requirements()).To(Equal("tiny @ git+ssh://git@git.example.invalid/org/tiny.git@0123456789abcdef0123456789abcdef01234567\n"))
	})

	it("says which VCS tools the set needs", func() {
		git, hg := set.NeedsVCS()
		Expect([]bool{git, hg}).To(Equal([]bool{true, false}))
		git, hg = set.Hashed().NeedsVCS()
		Expect([]bool{git, hg}).To(Equal([]bool{false, false}))
	})

	it("redacts tokens and passwords in URLs", func() {
		Expect(redactURL("https://ghp_token@github.example.invalid/x.git")).To(Equal("https://****@github.example.invalid/x.git"))
		Expect(redactURL("git+https://u:p@h.invalid/x")).To(Equal("git+https://u:****@h.invalid/x"))
		Expect(redactURL("ssh://git@h.invalid/x")).To(Equal("ssh://git@h.invalid/x"))
		Expect(redactURL("git@h.invalid:x/y.git")).To(Equal("git@h.invalid:x/y.git"))
	})
}

func testMarker(t *testing.T, context spec.G, it spec.S) {
	var Expect = NewWithT(t).Expect

	it("normalizes quotes and spacing", func() {
		m, err := parseMarker(`python_version<'3.8'  and (sys_platform=="linux" or os_name == 'nt')`, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(m.String()).To(Equal(`(os_name == "nt" and python_version < "3.8") or (python_version < "3.8" and sys_platform == "linux")`))
	})

	it("accepts every PEP 508 operator, including in and not in", func() {
		m, err := parseMarker(`"linux" in sys_platform and platform_release not in "5.1" and implementation_version ~= '3.11' and platform_version === 'x'`, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(m.String()).To(Equal(`"linux" in sys_platform and implementation_version ~= "3.11" and platform_release not in "5.1" and platform_version === "x"`))
	})

	it("decides extra comparisons with the active extras", func() {
		m, err := parseMarker(`extra == "Server" and python_version >= "3"`, map[string]bool{"server": true})
		Expect(err).NotTo(HaveOccurred())
		Expect(m.String()).To(Equal(`python_version >= "3"`))
		m, err = parseMarker(`extra == "server"`, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(m).To(BeNil())
		m, err = parseMarker(`extra != "server" or os_name == "nt"`, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(m.isTrue()).To(BeTrue())
	})

	it("absorbs implied terms", func() {
		a, _ := parseMarker(`os_name == "nt"`, nil)
		b, _ := parseMarker(`os_name == "nt" and python_version < "3.9"`, nil)
		Expect(a.or(b).String()).To(Equal(`os_name == "nt"`))
		Expect(a.and(markerTrue).String()).To(Equal(`os_name == "nt"`))
		Expect(a.or(markerTrue).String()).To(BeEmpty())
	})

	it("refuses what pip cannot parse", func() {
		for _, bad := range []string{
			`os.name == "nt"`, `python_version`, `python_version = "3"`, `python_version < "3`,
			`(python_version < "3"`, `python_version < "3" and`, `"a" == "b"`, `sys_platform == os_name`,
			`python_version not "3"`, `dependency_groups == "x"`, `python_version < "3" xor os_name == "nt"`,
		} {
			_, err := parseMarker(bad, nil)
			Expect(err).To(HaveOccurred(), bad)
		}
	})
}

func testPythonJSON(t *testing.T, context spec.G, it spec.S) {
	var Expect = NewWithT(t).Expect

	it("prints what Python's json.dumps(sort_keys=True) prints", func() {
		var b = map[string]any{
			"z": []any{int64(1), 2.5, true, nil}, "a": "é\"\\\n\U0001F600", "m": map[string]any{"k": []map[string]any{{"x": int64(-3)}}},
		}
		sum, err := pythonJSONHash(b, ", ", ": ")
		Expect(err).NotTo(HaveOccurred())
		// python3 -c 'import json,hashlib; print(hashlib.sha256(json.dumps({"z":[1,2.5,True,None],"a":"é\"\\\n\U0001F600","m":{"k":[{"x":-3}]}}, sort_keys=True).encode()).hexdigest())'
		Expect(sum).To(Equal(pythonDigest))
	})

	it("prints floats as Python's repr", func() {
		for f, want := range map[float64]string{
			1: "1.0", 0.1: "0.1", 1e16: "1e+16", 1e15: "1000000000000000.0", 1.5e-5: "1.5e-05", 0.0001: "0.0001", -2.25: "-2.25", 123456.789: "123456.789",
		} {
			got, err := pythonFloat(f)
			Expect(err).NotTo(HaveOccurred())
			Expect(got).To(Equal(want))
		}
	})
}

// pythonDigest is what CPython 3.11 printed for the map in testPythonJSON.
const pythonDigest = "b1a360f0e2c81d6c9c21d77ef9817e427e3ed1186de86654b62dc47d7bd0f615"
