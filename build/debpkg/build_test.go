package debpkg_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
	"github.com/buildpacks/libcnb/v2"
	. "github.com/onsi/gomega"
	"github.com/paketo-buildpacks/libpak/v2/log"
	"github.com/sclevine/spec"

	"github.com/onbuild-buildpacks/onbuild/build/debpkg"
	"github.com/onbuild-buildpacks/onbuild/internal/fake"
	"github.com/onbuild-buildpacks/onbuild/internal/problem"
)

// saveLayer writes the layer's TOML as libcnb does after a build, so the
// next build sees its metadata, as a rebuild would.
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

const imageStatus = `Package: libc6
Status: install ok installed
Version: 2.41-12
Architecture: amd64
`

func testBuild(t *testing.T, context spec.G, it spec.S) {
	var (
		Expect  = NewWithT(t).Expect
		archive *fake.DebianArchive
		ctx     libcnb.BuildContext
		builder debpkg.Builder
		out     *bytes.Buffer
	)

	it.Before(func() {
		archive = fake.NewDebianArchive(t, map[string][]fake.DebPackage{
			"trixie": {
				{Name: "libpq-dev", Version: "17.2-1", Section: "libdevel", Depends: "libpq5 (= 17.2-1)", Files: map[string]string{
					"./usr/include/postgresql/libpq-fe.h":           "/* libpq */",
					"./usr/lib/x86_64-linux-gnu/libpq.so":           "->libpq.so.5",
					"./usr/lib/x86_64-linux-gnu/pkgconfig/libpq.pc": "prefix=/usr\nincludedir=${prefix}/include/postgresql\n",
					"./usr/bin/pg_config":                           "#!/bin/sh\necho /usr/include/postgresql /usr/include/nosuch\n",
					"./usr/share/doc/libpq-dev/copyright":           "PostgreSQL",
				}},
				{Name: "libpq5", Version: "17.2-1", Depends: "libc6 (>= 2.38)", Files: map[string]string{
					"./usr/lib/x86_64-linux-gnu/libpq.so.5":    "->libpq.so.5.17",
					"./usr/lib/x86_64-linux-gnu/libpq.so.5.17": "elf",
					"./usr/share/man/man1/x.1":                 "man",
				}},
				{Name: "jq", Version: "1.7-1", Depends: "libc6", Files: map[string]string{"./usr/bin/jq": "jq"}},
				{Name: "newlib", Version: "1-1", Depends: "libc6 (>= 2.42)", Files: map[string]string{"./usr/lib/x86_64-linux-gnu/libnew.so.1": "elf"}},
				{Name: "jq", Version: "1.7-1", Arch: "arm64", Files: map[string]string{
					"./usr/bin/jq": "jq for arm64", "./usr/lib/aarch64-linux-gnu/libjq.so.1": "elf",
				}},
			},
			"trixie-updates": nil,
		})
		root := t.TempDir()
		app := filepath.Join(root, "app")
		bp := filepath.Join(root, "buildpack")
		fake.WriteFiles(t, root, map[string]string{
			"app/Aptfile": "libpq-dev\njq\n",
			"buildpack/run-images/io.onbuild.stacks.trixie.status": imageStatus,
			"build.status": imageStatus,
		})
		ctx = libcnb.BuildContext{
			ApplicationPath: app,
			Buildpack: libcnb.Buildpack{
				Path:     bp,
				Info:     libcnb.BuildpackInfo{ID: "onbuild/debian-packages", Name: "onbuild Debian packages", Version: "0.1.0"},
				Metadata: fake.Metadata(t, "debian-packages"),
			},
			Layers:  libcnb.Layers{Path: filepath.Join(root, "layers")},
			StackID: "io.onbuild.stacks.trixie",
		}
		Expect(os.MkdirAll(ctx.Layers.Path, 0755)).To(Succeed())
		out = &bytes.Buffer{}
		builder = debpkg.Builder{
			Logger:      log.NewPaketoLogger(out),
			Environ:     []string{"BP_DEBIAN_MIRROR=" + archive.URL},
			Keyrings:    []string{archive.Keyring},
			BuildStatus: filepath.Join(root, "build.status"),
		}
	})

	layerNamed := func(result libcnb.BuildResult, name string) libcnb.Layer {
		for _, l := range result.Layers {
			if l.Name == name {
				return l
			}
		}
		t.Fatalf("no layer %s", name)
		return libcnb.Layer{}
	}

	it("installs everything for the build and the run-time closure for the image", func() {
		result, err := builder.Build(ctx)
		Expect(err).NotTo(HaveOccurred())

		build := layerNamed(result, "debian-packages")
		Expect(build.LayerTypes).To(Equal(libcnb.LayerTypes{Build: true, Cache: true}))
		Expect(filepath.Join(build.Path, "usr/include/postgresql/libpq-fe.h")).To(BeAnExistingFile())
		Expect(build.BuildEnvironment["CPATH.prepend"]).To(HavePrefix(filepath.Join(build.Path, "usr/include")))
		Expect(build.BuildEnvironment["PKG_CONFIG_PATH.prepend"]).To(ContainSubstring(filepath.Join(build.Path, "usr/lib/x86_64-linux-gnu/pkgconfig")))
		Expect(build.BuildEnvironment["LIBRARY_PATH.prepend"]).To(HavePrefix(filepath.Join(build.Path, "usr/lib/x86_64-linux-gnu")))
		Expect(build.BuildEnvironment["PATH.prepend"]).To(Equal(filepath.Join(build.Path, "usr/bin")))
		pc, err := os.ReadFile(filepath.Join(build.Path, "usr/lib/x86_64-linux-gnu/pkgconfig/libpq.pc"))
		Expect(err).NotTo(HaveOccurred())
		Expect(string(pc)).To(HavePrefix("prefix=" + filepath.Join(build.Path, "usr") + "\n"))
		script, err := os.ReadFile(filepath.Join(build.Path, "usr/bin/pg_config"))
		Expect(err).NotTo(HaveOccurred())
		Expect(string(script)).To(ContainSubstring("echo " + filepath.Join(build.Path, "usr/include/postgresql") + " /usr/include/nosuch"))

		launch := layerNamed(result, "debian-libraries")
		Expect(launch.LayerTypes).To(Equal(libcnb.LayerTypes{Launch: true}))
		Expect(filepath.Join(launch.Path, "usr/lib/x86_64-linux-gnu/libpq.so.5.17")).To(BeAnExistingFile())
		Expect(filepath.Join(launch.Path, "usr/bin/jq")).To(BeAnExistingFile())
		Expect(filepath.Join(launch.Path, "usr/include")).NotTo(BeAnExistingFile())
		Expect(filepath.Join(launch.Path, "usr/share/man")).NotTo(BeAnExistingFile())
		Expect(launch.LaunchEnvironment["LD_LIBRARY_PATH.prepend"]).To(HavePrefix(filepath.Join(launch.Path, "usr/lib/x86_64-linux-gnu")))
		record, err := os.ReadFile(filepath.Join(launch.Path, "var/lib/dpkg/status.d/libpq5"))
		Expect(err).NotTo(HaveOccurred())
		Expect(string(record)).To(HavePrefix("Package: libpq5\nStatus: install ok installed\n"))
		Expect(string(record)).To(ContainSubstring("Version: 17.2-1\n"))
		Expect(filepath.Join(launch.Path, "var/lib/dpkg/status.d/libpq-dev")).NotTo(BeAnExistingFile())

		sbom, err := os.ReadFile(launch.SBOMPath(libcnb.SyftJSON))
		Expect(err).NotTo(HaveOccurred())
		Expect(string(sbom)).To(ContainSubstring(`"PURL":"pkg:deb/debian/libpq5@17.2-1?arch=amd64\u0026distro=debian-13"`))
		Expect(out.String()).To(ContainSubstring("libpq-dev (Aptfile line 1)"))
		Expect(out.String()).To(ContainSubstring("Rebase cannot update these packages"))
		Expect(strings.Count(out.String(), "Rebase cannot")).To(Equal(1))
	})

	it("installs the packages of the build's architecture, on its library paths", func() {
		fake.WriteFiles(t, ctx.ApplicationPath, map[string]string{"Aptfile": "jq\n"})
		ctx.TargetInfo = libcnb.TargetInfo{OS: "linux", Arch: "arm64"}
		result, err := builder.Build(ctx)
		Expect(err).NotTo(HaveOccurred(), out.String())

		launch := layerNamed(result, "debian-libraries")
		jq, err := os.ReadFile(filepath.Join(launch.Path, "usr/bin/jq"))
		Expect(err).NotTo(HaveOccurred())
		Expect(string(jq)).To(Equal("jq for arm64"))
		Expect(launch.LaunchEnvironment["LD_LIBRARY_PATH.prepend"]).To(HavePrefix(filepath.Join(launch.Path, "usr/lib/aarch64-linux-gnu")))
		build := layerNamed(result, "debian-packages")
		Expect(build.BuildEnvironment["LIBRARY_PATH.prepend"]).To(HavePrefix(filepath.Join(build.Path, "usr/lib/aarch64-linux-gnu")))
		sbom, err := os.ReadFile(launch.SBOMPath(libcnb.SyftJSON))
		Expect(err).NotTo(HaveOccurred())
		Expect(string(sbom)).To(ContainSubstring(`"PURL":"pkg:deb/debian/jq@1.7-1?arch=arm64`))
	})

	it("downloads nothing when the resolved set is unchanged, and says why it changes", func() {
		result, err := builder.Build(ctx)
		Expect(err).NotTo(HaveOccurred())
		for _, l := range result.Layers {
			saveLayer(t, ctx.Layers, l)
		}
		archive.Tamper = func(path string, content []byte) []byte {
			if strings.HasSuffix(path, ".deb") {
				t.Errorf("downloaded %s again", path)
			}
			return content
		}
		// The launch layer comes back empty, as the lifecycle restores it.
		Expect(os.RemoveAll(filepath.Join(ctx.Layers.Path, "debian-libraries"))).To(Succeed())
		out.Reset()
		result, err = builder.Build(ctx)
		Expect(err).NotTo(HaveOccurred())
		Expect(strings.Count(out.String(), "Unchanged packages: nothing downloaded")).To(Equal(2))
		Expect(out.String()).To(ContainSubstring("Reusing dists/trixie/main/binary-amd64/Packages.gz (unchanged)"))
		launch := layerNamed(result, "debian-libraries")
		Expect(launch.LaunchEnvironment).To(BeEmpty())
		Expect(filepath.Join(launch.Path)).NotTo(BeADirectory())

		fake.WriteFiles(t, ctx.ApplicationPath, map[string]string{"Aptfile": "libpq-dev\n"})
		archive.Tamper = nil
		out.Reset()
		_, err = builder.Build(ctx)
		Expect(err).NotTo(HaveOccurred())
		Expect(out.String()).To(ContainSubstring("jq removed"))
	})

	it("names the Aptfile line and the nearest names of an unknown package", func() {
		fake.WriteFiles(t, ctx.ApplicationPath, map[string]string{"Aptfile": "jq\nlibpq\n"})
		_, err := builder.Build(ctx)
		Expect(err).To(BeAssignableToTypeOf(problem.Problem{}))
		p := err.(problem.Problem)
		Expect(p.Title).To(Equal("Unknown Debian package"))
		Expect(p.File).To(Equal("Aptfile"))
		Expect(p.Cause).To(ContainSubstring("Aptfile line 2 asks for libpq"))
		Expect(p.Cause).To(ContainSubstring("libpq5"))
		Expect(filepath.Join(ctx.Layers.Path, "debian-packages")).NotTo(BeADirectory())
	})

	it("refuses a package the stack has, and one that needs another version of a stack package", func() {
		fake.WriteFiles(t, ctx.ApplicationPath, map[string]string{"Aptfile": "libc6\n"})
		_, err := builder.Build(ctx)
		Expect(err).To(MatchError(ContainSubstring("[Error: Debian package would replace a stack package]")))
		Expect(err).To(MatchError(ContainSubstring("Remove libc6 from Aptfile line 1")))

		fake.WriteFiles(t, ctx.ApplicationPath, map[string]string{"Aptfile": "newlib\n"})
		_, err = builder.Build(ctx)
		Expect(err).To(MatchError(ContainSubstring("newlib needs libc6 (>= 2.42), but the stack has libc6 2.41-12")))
		Expect(filepath.Join(ctx.Layers.Path, "debian-packages")).NotTo(BeADirectory())
	})

	it("stops on a tampered index with the URL and reason, installing nothing", func() {
		archive.Tamper = func(path string, content []byte) []byte {
			if strings.HasSuffix(path, "Packages.gz") {
				return append(content, 0)
			}
			return content
		}
		_, err := builder.Build(ctx)
		Expect(err).To(MatchError(ContainSubstring("[Error: Debian archive failed verification]")))
		Expect(err).To(MatchError(ContainSubstring(archive.URL + "/dists/trixie/main/binary-amd64/Packages.gz")))
		Expect(filepath.Join(ctx.Layers.Path, "debian-packages")).NotTo(BeADirectory())
		Expect(filepath.Join(ctx.Layers.Path, "debian-libraries")).NotTo(BeADirectory())
	})

	it("installs what a language buildpack asks for, unless BP_DEBIAN_PACKAGES_AUTO=false", func() {
		Expect(os.Remove(filepath.Join(ctx.ApplicationPath, "Aptfile"))).To(Succeed())
		ctx.Plan = libcnb.BuildpackPlan{Entries: []libcnb.BuildpackPlanEntry{{
			Name:     "debian-packages",
			Metadata: map[string]interface{}{"packages": []interface{}{"libpq5"}, "why": "psycopg loads libpq with ctypes"},
		}}}
		result, err := builder.Build(ctx)
		Expect(err).NotTo(HaveOccurred())
		Expect(out.String()).To(ContainSubstring("libpq5 (psycopg loads libpq with ctypes)"))
		Expect(filepath.Join(layerNamed(result, "debian-libraries").Path, "usr/lib/x86_64-linux-gnu/libpq.so.5.17")).To(BeAnExistingFile())

		out.Reset()
		builder.Environ = append(builder.Environ, "BP_DEBIAN_PACKAGES_AUTO=false")
		result, err = builder.Build(ctx)
		Expect(err).NotTo(HaveOccurred())
		Expect(out.String()).To(ContainSubstring("Not installing libpq5 (psycopg loads libpq with ctypes): BP_DEBIAN_PACKAGES_AUTO=false"))
		Expect(result.Layers).To(BeEmpty())
	})

	it("does nothing when no package is asked for", func() {
		Expect(os.Remove(filepath.Join(ctx.ApplicationPath, "Aptfile"))).To(Succeed())
		result, err := builder.Build(ctx)
		Expect(err).NotTo(HaveOccurred())
		Expect(result.Layers).To(BeEmpty())
	})
}
