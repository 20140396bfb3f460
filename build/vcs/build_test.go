package vcs_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/BurntSushi/toml"
	"github.com/buildpacks/libcnb/v2"
	. "github.com/onsi/gomega"
	"github.com/paketo-buildpacks/libpak/v2"
	"github.com/paketo-buildpacks/libpak/v2/effect"
	"github.com/paketo-buildpacks/libpak/v2/log"
	"github.com/sclevine/spec"

	"github.com/onbuild-buildpacks/onbuild/build/vcs"
)

// makeDeb builds a Debian package holding files (path -> content) with the
// real dpkg-deb, the tool the build extracts with, and returns its bytes.
func makeDeb(t *testing.T, name string, files map[string]string) []byte {
	t.Helper()
	root := t.TempDir()
	control := fmt.Sprintf("Package: %s\nVersion: 1.0\nArchitecture: amd64\nMaintainer: onbuild <onbuild@localhost>\nDescription: test package\n", name)
	files["DEBIAN/control"] = control
	for path, content := range files {
		full := filepath.Join(root, "pkg", path)
		if err := os.MkdirAll(filepath.Dir(full), 0755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(content), 0755); err != nil {
			t.Fatal(err)
		}
	}
	deb := filepath.Join(root, name+".deb")
	if out, err := exec.Command("dpkg-deb", "--root-owner-group", "--build", filepath.Join(root, "pkg"), deb).CombinedOutput(); err != nil {
		t.Fatalf("dpkg-deb --build: %v\n%s", err, out)
	}
	content, err := os.ReadFile(deb)
	if err != nil {
		t.Fatal(err)
	}
	return content
}

func sha(content []byte) string {
	sum := sha256.Sum256(content)
	return hex.EncodeToString(sum[:])
}

// mirror is a Debian mirror on 127.0.0.1 serving files under /debian/.
type mirror struct {
	*httptest.Server
	mu       sync.Mutex
	files    map[string][]byte
	requests []string
}

func newMirror(t *testing.T) *mirror {
	m := &mirror{files: map[string][]byte{}}
	m.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.mu.Lock()
		defer m.mu.Unlock()
		m.requests = append(m.requests, r.URL.Path)
		content, ok := m.files[strings.TrimPrefix(r.URL.Path, "/debian/")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write(content)
	}))
	t.Cleanup(m.Close)
	return m
}

func (m *mirror) Requests() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]string{}, m.requests...)
}

// dependency describes a package the mirror serves at pool.
func dependency(id, version, pool string, content []byte) libpak.BuildModuleDependency {
	return libpak.BuildModuleDependency{
		ID: id, Name: id, Version: version, URI: pool,
		Checksum: libpak.Checksum("sha256:" + sha(content)),
		PURLS:    []string{"pkg:deb/debian/" + id + "@" + version + "?arch=amd64"},
	}
}

// saveLayer writes the layer's TOML as libcnb does after a build, so the
// next Layers.Layer call sees its metadata, as a rebuild would.
func saveLayer(t *testing.T, layers libcnb.Layers, layer libcnb.Layer) {
	t.Helper()
	file, err := os.Create(filepath.Join(layers.Path, layer.Name+".toml"))
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	if err := toml.NewEncoder(file).Encode(layer); err != nil {
		t.Fatal(err)
	}
}

func testVCS(t *testing.T, context spec.G, it spec.S) {
	var (
		Expect   = NewWithT(t).Expect
		ctx      libcnb.BuildContext
		output   *bytes.Buffer
		builder  vcs.Builder
		debian   *mirror
		gitDeb   []byte
		libDeb   []byte
		hgDeb    []byte
		hgCommon []byte
	)

	buildpackTOML := func() string {
		deps := []struct {
			id, version, pool string
			content           []byte
		}{
			{"git", "1:2.39.5-0+deb12u3", "pool/main/g/git/git_2.39.5-0+deb12u3_amd64.deb", gitDeb},
			{"libcurl3-gnutls", "7.88.1-10+deb12u15", "pool/main/c/curl/libcurl3-gnutls_7.88.1-10+deb12u15_amd64.deb", libDeb},
			{"mercurial", "6.3.2-1+deb12u1", "pool/main/m/mercurial/mercurial_6.3.2-1+deb12u1_amd64.deb", hgDeb},
			{"mercurial-common", "6.3.2-1+deb12u1", "pool/main/m/mercurial/mercurial-common_6.3.2-1+deb12u1_all.deb", hgCommon},
		}
		var b strings.Builder
		b.WriteString("[metadata.tools.\"io.onbuild.stacks.bookworm\"]\n  git = [\"libcurl3-gnutls\", \"git\"]\n  hg = [\"mercurial-common\", \"mercurial\"]\n")
		// Another stack's git, with the same id: a bookworm build must not take it.
		b.WriteString("[metadata.tools.\"io.onbuild.stacks.other\"]\n  git = [\"git\"]\n  hg = [\"mercurial\"]\n")
		fmt.Fprintf(&b, "[[metadata.dependencies]]\n  id = \"git\"\n  name = \"git\"\n  version = \"1:9.9\"\n  uri = \"pool/main/g/git/git_9.9_amd64.deb\"\n  checksum = \"sha256:%s\"\n  stacks = [\"io.onbuild.stacks.other\"]\n", sha([]byte("other")))
		b.WriteString("[[metadata.configurations]]\n  name = \"BP_DEBIAN_MIRROR\"\n")
		for _, d := range deps {
			debian.files[d.pool] = d.content
			fmt.Fprintf(&b, "[[metadata.dependencies]]\n  id = %q\n  name = %q\n  version = %q\n  uri = %q\n  checksum = \"sha256:%s\"\n  purls = [\"pkg:deb/debian/%s@%s?arch=amd64\"]\n  stacks = [\"io.onbuild.stacks.bookworm\"]\n",
				d.id, d.id, d.version, d.pool, sha(d.content), d.id, d.version)
		}
		return b.String()
	}

	it.Before(func() {
		debian = newMirror(t)
		gitDeb = makeDeb(t, "git", map[string]string{
			"usr/bin/git":                              "#!/bin/sh\necho git version 2.39.5\n",
			"usr/lib/git-core/git-remote-http":         "binary",
			"usr/share/git-core/templates/description": "template",
			"usr/share/doc/git/copyright":              "GPL-2",
			"usr/share/locale/fr/LC_MESSAGES/git.mo":   "fr",
		})
		libDeb = makeDeb(t, "libcurl3-gnutls", map[string]string{"usr/lib/x86_64-linux-gnu/libcurl-gnutls.so.4": "lib"})
		hgDeb = makeDeb(t, "mercurial", map[string]string{"usr/bin/hg": "#!/usr/bin/python3\n"})
		hgCommon = makeDeb(t, "mercurial-common", map[string]string{"usr/lib/python3/dist-packages/mercurial/__init__.py": ""})

		var raw map[string]interface{}
		_, err := toml.Decode(buildpackTOML(), &raw)
		Expect(err).NotTo(HaveOccurred())
		ctx = libcnb.BuildContext{
			Buildpack: libcnb.Buildpack{
				Info:     libcnb.BuildpackInfo{ID: "onbuild/vcs", Name: "onbuild VCS tools", Version: "0.1.0"},
				Path:     t.TempDir(),
				Metadata: raw["metadata"].(map[string]interface{}),
			},
			Layers:  libcnb.Layers{Path: t.TempDir()},
			StackID: "io.onbuild.stacks.bookworm",
		}
		output = &bytes.Buffer{}
		builder = vcs.Builder{
			Logger:   log.NewPaketoLogger(output),
			Executor: effect.CommandExecutor{},
			Environ:  []string{"BP_DEBIAN_MIRROR=" + debian.URL + "/debian/"},
		}
		// libpak's dependency cache downloads into the temp dir; keep each
		// test's downloads apart so none is reused from another test.
		t.Setenv("TMPDIR", t.TempDir())
	})

	it("downloads nothing and logs nothing but its title when no tool is planned", func() {
		result, err := builder.Build(ctx)
		Expect(err).NotTo(HaveOccurred())
		Expect(result.Layers).To(BeEmpty())
		Expect(debian.Requests()).To(BeEmpty())
		Expect(strings.TrimSpace(output.String())).To(HavePrefix("onbuild VCS tools 0.1.0"))
		Expect(strings.Count(strings.TrimSpace(output.String()), "\n")).To(Equal(0))
	})

	it("installs git from the mirror into a build-only cached layer, then reuses it without a download", func() {
		ctx.Plan.Entries = []libcnb.BuildpackPlanEntry{{Name: "git"}}
		result, err := builder.Build(ctx)
		Expect(err).NotTo(HaveOccurred(), output.String())

		Expect(result.Layers).To(HaveLen(1))
		layer := result.Layers[0]
		Expect(layer.Name).To(Equal("git"))
		Expect(layer.LayerTypes).To(Equal(libcnb.LayerTypes{Build: true, Cache: true}))
		Expect(filepath.Join(layer.Path, "usr/bin/git")).To(BeARegularFile())
		Expect(filepath.Join(layer.Path, "usr/lib/x86_64-linux-gnu/libcurl-gnutls.so.4")).To(BeARegularFile())
		Expect(filepath.Join(layer.Path, "usr/share/doc")).NotTo(BeAnExistingFile())
		Expect(filepath.Join(layer.Path, "usr/share/locale")).NotTo(BeAnExistingFile())
		Expect(layer.BuildEnvironment).To(Equal(libcnb.Environment{
			"PATH.prepend":              filepath.Join(layer.Path, "usr/bin"),
			"PATH.delim":                ":",
			"LD_LIBRARY_PATH.prepend":   filepath.Join(layer.Path, "usr/lib/x86_64-linux-gnu"),
			"LD_LIBRARY_PATH.delim":     ":",
			"GIT_EXEC_PATH.override":    filepath.Join(layer.Path, "usr/lib/git-core"),
			"GIT_TEMPLATE_DIR.override": filepath.Join(layer.Path, "usr/share/git-core/templates"),
		}))
		Expect(layer.LaunchEnvironment).To(BeEmpty())
		Expect(layer.SBOMPath(libcnb.SyftJSON)).To(BeARegularFile())
		sbom, err := os.ReadFile(layer.SBOMPath(libcnb.SyftJSON))
		Expect(err).NotTo(HaveOccurred())
		Expect(string(sbom)).To(ContainSubstring("pkg:deb/debian/libcurl3-gnutls@7.88.1-10+deb12u15?arch=amd64"))

		Expect(debian.Requests()).To(ConsistOf(
			"/debian/pool/main/g/git/git_2.39.5-0+deb12u3_amd64.deb",
			"/debian/pool/main/c/curl/libcurl3-gnutls_7.88.1-10+deb12u15_amd64.deb"))
		Expect(output.String()).To(ContainSubstring("Git 1:2.39.5-0+deb12u3: Contributing to layer"))
		Expect(output.String()).To(ContainSubstring("Downloading from " + debian.URL + "/debian/pool/main/g/git/git_2.39.5-0+deb12u3_amd64.deb"))
		Expect(output.String()).To(MatchRegexp(`Installed 2 Debian packages in \d`))
		Expect(output.String()).NotTo(ContainSubstring("Mercurial"))

		saveLayer(t, ctx.Layers, layer)
		output.Reset()
		t.Setenv("TMPDIR", t.TempDir())
		result, err = builder.Build(ctx)
		Expect(err).NotTo(HaveOccurred())
		Expect(debian.Requests()).To(HaveLen(2))
		Expect(output.String()).To(ContainSubstring("Git 1:2.39.5-0+deb12u3: Reusing cached layer"))
		Expect(output.String()).NotTo(ContainSubstring("Downloading"))
		Expect(result.Layers[0].BuildEnvironment).To(HaveKeyWithValue("GIT_EXEC_PATH.override", filepath.Join(layer.Path, "usr/lib/git-core")))
		Expect(result.Layers[0].SBOMPath(libcnb.SyftJSON)).To(BeARegularFile())
	})

	it("gives hg a wrapper that sets mercurial's PYTHONPATH for hg alone", func() {
		ctx.Plan.Entries = []libcnb.BuildpackPlanEntry{{Name: "hg"}}
		result, err := builder.Build(ctx)
		Expect(err).NotTo(HaveOccurred(), output.String())

		Expect(result.Layers).To(HaveLen(1))
		layer := result.Layers[0]
		Expect(layer.Name).To(Equal("hg"))
		Expect(layer.BuildEnvironment).To(Equal(libcnb.Environment{"PATH.prepend": filepath.Join(layer.Path, "bin"), "PATH.delim": ":"}))
		Expect(layer.BuildEnvironment).NotTo(HaveKey(HavePrefix("PYTHONPATH")))
		wrapper, err := os.ReadFile(filepath.Join(layer.Path, "bin/hg"))
		Expect(err).NotTo(HaveOccurred())
		Expect(string(wrapper)).To(Equal(fmt.Sprintf("#!/bin/sh\nPYTHONPATH=%s/usr/lib/python3/dist-packages${PYTHONPATH:+:$PYTHONPATH}\nexport PYTHONPATH\nexec %s/usr/bin/hg \"$@\"\n", layer.Path, layer.Path)))
		Expect(output.String()).To(ContainSubstring("Mercurial 6.3.2-1+deb12u1: Contributing to layer"))
	})

	it("installs both when both are planned, git first", func() {
		ctx.Plan.Entries = []libcnb.BuildpackPlanEntry{{Name: "hg"}, {Name: "git"}, {Name: "git"}}
		result, err := builder.Build(ctx)
		Expect(err).NotTo(HaveOccurred(), output.String())
		Expect(result.Layers).To(HaveLen(2))
		Expect(result.Layers[0].Name).To(Equal("git"))
		Expect(result.Layers[1].Name).To(Equal("hg"))
	})

	it("fails with the fix when the mirror is not configured", func() {
		ctx.Plan.Entries = []libcnb.BuildpackPlanEntry{{Name: "git"}}
		builder.Environ = nil
		_, err := builder.Build(ctx)
		Expect(err).To(MatchError(ContainSubstring("[Error: No Debian mirror configured]")))
		Expect(err.Error()).To(ContainSubstring("BP_DEBIAN_MIRROR is empty"))
		Expect(debian.Requests()).To(BeEmpty())
	})

	it("adds a build-only credentials layer for a git-credentials binding", func() {
		dir := t.TempDir()
		ctx.Plan.Entries = []libcnb.BuildpackPlanEntry{{Name: "git"}}
		ctx.Platform.Bindings = libcnb.Bindings{{Name: "corp", Type: "git-credentials", Path: dir, Secret: map[string]string{"credentials": "https://u:secret@127.0.0.1\n"}}}
		result, err := builder.Build(ctx)
		Expect(err).NotTo(HaveOccurred(), output.String())
		Expect(result.Layers).To(HaveLen(2))
		credentials := result.Layers[1]
		Expect(credentials.Name).To(Equal("credentials"))
		Expect(credentials.LayerTypes).To(Equal(libcnb.LayerTypes{Build: true}))
		config := filepath.Join(credentials.Path, "gitconfig")
		Expect(credentials.BuildEnvironment).To(Equal(libcnb.Environment{"GIT_CONFIG_SYSTEM.override": config}))
		content, err := os.ReadFile(config)
		Expect(err).NotTo(HaveOccurred())
		Expect(string(content)).To(ContainSubstring("--file=" + dir + "/credentials get"))
		Expect(string(content)).NotTo(ContainSubstring("secret"))
		Expect(output.String()).To(ContainSubstring("git reads credentials from binding corp (git-credentials)"))
		Expect(output.String()).NotTo(ContainSubstring("secret"))
	})

	it("refuses a platform GIT_CONFIG_SYSTEM, which would hide the credentials", func() {
		ctx.Plan.Entries = []libcnb.BuildpackPlanEntry{{Name: "git"}}
		ctx.Platform.Bindings = libcnb.Bindings{{Name: "corp", Type: "git-credentials", Path: t.TempDir(), Secret: map[string]string{"credentials": "x"}}}
		builder.Environ = append(builder.Environ, "GIT_CONFIG_SYSTEM=/etc/my-gitconfig")
		_, err := builder.Build(ctx)
		Expect(err).To(MatchError(ContainSubstring("[Error: GIT_CONFIG_SYSTEM is taken]")))
	})

}

func testDebianTool(t *testing.T, context spec.G, it spec.S) {
	var (
		Expect = NewWithT(t).Expect
		debian *mirror
		output *bytes.Buffer
		layers libcnb.Layers
		layer  libcnb.Layer
		tool   vcs.DebianTool
		deb    []byte
	)

	it.Before(func() {
		debian = newMirror(t)
		deb = makeDeb(t, "git", map[string]string{"usr/bin/git": "git"})
		debian.files["pool/main/g/git/git_1_amd64.deb"] = deb
		output = &bytes.Buffer{}
		layers = libcnb.Layers{Path: t.TempDir()}
		var err error
		layer, err = layers.Layer("git")
		Expect(err).NotTo(HaveOccurred())
		tool = vcs.DebianTool{
			Title:    "Git 1",
			Packages: []libpak.BuildModuleDependency{dependency("git", "1", "pool/main/g/git/git_1_amd64.deb", deb)},
			Mirror:   debian.URL + "/debian",
			Cache:    libpak.DependencyCache{CachePath: t.TempDir(), DownloadPath: t.TempDir(), Logger: log.NewPaketoLogger(output), Mappings: map[string]string{}},
			Executor: effect.CommandExecutor{},
			Logger:   log.NewPaketoLogger(output),
		}
	})

	it("fails on a checksum mismatch and leaves no layer a later build would trust", func() {
		tool.Packages[0].Checksum = libpak.Checksum("sha256:" + strings.Repeat("0", 64))
		err := tool.Contribute(&layer)
		Expect(err).To(MatchError(ContainSubstring("[Error: Debian package checksum mismatch]")))
		Expect(err.Error()).To(ContainSubstring("git 1 from " + debian.URL + "/debian is not the file onbuild/vcs pins (sha256:0000"))
		Expect(err.Error()).To(ContainSubstring("does not match expected"))
		Expect(layer.Metadata).To(BeEmpty())
		Expect(filepath.Join(layer.Path, "usr/bin/git")).NotTo(BeAnExistingFile())

		// The next build, with the right checksum, downloads again.
		tool.Packages[0].Checksum = libpak.Checksum("sha256:" + sha(deb))
		Expect(tool.Contribute(&layer)).To(Succeed())
		Expect(debian.Requests()).To(HaveLen(2))
		Expect(filepath.Join(layer.Path, "usr/bin/git")).To(BeARegularFile())
	})

	it("names the URL when the mirror does not have the package", func() {
		tool.Packages[0].URI = "pool/main/g/git/git_0_amd64.deb"
		err := tool.Contribute(&layer)
		Expect(err).To(MatchError(ContainSubstring("[Error: Debian package download failed]")))
		Expect(err.Error()).To(ContainSubstring(debian.URL + "/debian/pool/main/g/git/git_0_amd64.deb: 404"))
		Expect(err.Error()).To(ContainSubstring("snapshot"))
		Expect(layer.Metadata).To(BeEmpty())
	})

	it("rejects a mirror that is not a URL", func() {
		tool.Mirror = "mirror.local/debian"
		err := tool.Contribute(&layer)
		Expect(err).To(MatchError(ContainSubstring("[Error: Bad Debian mirror]")))
		Expect(debian.Requests()).To(BeEmpty())
	})

	it("builds offline from a dependency-mapping binding, without a mirror", func() {
		file := filepath.Join(t.TempDir(), "git.deb")
		Expect(os.WriteFile(file, deb, 0644)).To(Succeed())
		tool.Mirror = ""
		tool.Cache.Mappings = map[string]string{sha(deb): "file://" + file}
		Expect(tool.Contribute(&layer)).To(Succeed())
		Expect(filepath.Join(layer.Path, "usr/bin/git")).To(BeARegularFile())
		Expect(debian.Requests()).To(BeEmpty())
	})

	it("says which package changed when it rebuilds", func() {
		Expect(tool.Contribute(&layer)).To(Succeed())
		saveLayer(t, layers, layer)
		layer, _ = layers.Layer("git")

		newer := makeDeb(t, "git", map[string]string{"usr/bin/git": "git 2"})
		debian.files["pool/main/g/git/git_2_amd64.deb"] = newer
		tool.Packages = []libpak.BuildModuleDependency{
			dependency("git", "2", "pool/main/g/git/git_2_amd64.deb", newer),
			dependency("libfoo", "1", "pool/main/g/git/git_2_amd64.deb", newer),
		}
		output.Reset()
		Expect(tool.Contribute(&layer)).To(Succeed())
		Expect(output.String()).To(ContainSubstring("git changed: 1 -> 2\n"))
		Expect(output.String()).To(ContainSubstring("libfoo added\n"))
		content, err := os.ReadFile(filepath.Join(layer.Path, "usr/bin/git"))
		Expect(err).NotTo(HaveOccurred())
		Expect(string(content)).To(Equal("git 2"))
	})
}

// testVCSBuildpackTOML checks the real buildpacks/vcs/buildpack.toml: what
// a typo there would break only in a real build, on the first app that
// needs git.
func testVCSBuildpackTOML(t *testing.T, context spec.G, it spec.S) {
	var Expect = NewWithT(t).Expect

	it("pins every tool package by pool path, sha256 and one purl, with no host", func() {
		var buildpack struct {
			Metadata map[string]interface{} `toml:"metadata"`
		}
		_, err := toml.DecodeFile("../../buildpacks/vcs/buildpack.toml", &buildpack)
		Expect(err).NotTo(HaveOccurred())
		metadata, err := libpak.NewBuildModuleMetadata(buildpack.Metadata)
		Expect(err).NotTo(HaveOccurred())
		listed := map[string]bool{}
		for stack, arches := range map[string][]string{"io.onbuild.stacks.trixie": {"amd64", "arm64"}, "io.onbuild.stacks.bookworm": {"amd64"}} {
			for _, arch := range arches {
				packages, err := vcs.ToolPackages(buildpack.Metadata, metadata.Dependencies, stack, arch)
				Expect(err).NotTo(HaveOccurred())
				Expect(packages["git"][0].ID).To(Equal("git"))
				Expect(packages["git"][0].URI).To(HaveSuffix("_" + arch + ".deb"))
				Expect(packages["hg"][0].ID).To(Equal("mercurial"))
				for _, pkgs := range packages {
					for _, dep := range pkgs {
						listed[dep.URI] = true
						Expect(dep.Stacks).To(Equal([]string{stack}), dep.ID)
						Expect(dep.URI).To(MatchRegexp(`_(`+arch+`|all)\.deb$`), dep.ID)
					}
				}
			}
		}
		Expect(metadata.Dependencies).To(HaveLen(len(listed)), "every dependency belongs to a tool of one stack and architecture")
		for _, dep := range metadata.Dependencies {
			Expect(dep.URI).To(MatchRegexp(`^pool/main/[a-z0-9]+/[a-z0-9.+-]+/`+regexpQuote(dep.ID)+`_[^/]+_(amd64|arm64|all)\.deb$`), dep.ID)
			Expect(string(dep.GetChecksum())).To(MatchRegexp(`^sha256:[0-9a-f]{64}$`), dep.ID)
			arch := strings.TrimSuffix(dep.URI[strings.LastIndex(dep.URI, "_")+1:], ".deb")
			Expect(dep.GetPURLS()).To(Equal([]string{"pkg:deb/debian/" + dep.ID + "@" + dep.Version + "?arch=" + arch}), dep.ID)
			upstream := dep.Version[strings.Index(dep.Version, ":")+1:]
			Expect(dep.URI).To(ContainSubstring("_"+upstream+"_"), dep.ID)
		}
		_, err = vcs.ToolPackages(buildpack.Metadata, metadata.Dependencies, "io.onbuild.stacks.sid", "amd64")
		Expect(err).To(MatchError(ContainSubstring(`buildpack.toml has no [metadata.tools."io.onbuild.stacks.sid"]`)))
		Expect(metadata.Configurations).To(ContainElement(HaveField("Name", vcs.DebianMirrorSetting)))
	})
}

func regexpQuote(s string) string {
	return strings.NewReplacer(".", `\.`, "+", `\+`).Replace(s)
}
