package debpkg_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/buildpacks/libcnb/v2"
	. "github.com/onsi/gomega"
	"github.com/paketo-buildpacks/libpak/v2/log"
	"github.com/sclevine/spec"

	"github.com/onbuild-buildpacks/onbuild/build/debpkg"
	"github.com/onbuild-buildpacks/onbuild/internal/fake"
	"github.com/onbuild-buildpacks/onbuild/internal/problem"
)

func testLibraries(t *testing.T, context spec.G, it spec.S) {
	var (
		Expect  = NewWithT(t).Expect
		ctx     libcnb.BuildContext
		builder debpkg.Builder
		out     *bytes.Buffer
		layers  string
	)

	it.Before(func() {
		archive := fake.NewDebianArchive(t, map[string][]fake.DebPackage{
			"trixie": {
				{Name: "libc6", Version: "2.41-12", Files: map[string]string{"./usr/lib/x86_64-linux-gnu/libc.so.6": "elf"}},
			},
			"trixie-updates": nil,
		})
		root := t.TempDir()
		layers = filepath.Join(root, "layers")
		fake.WriteFiles(t, root, map[string]string{
			"buildpack/run-images/io.onbuild.stacks.trixie.status":    "Package: base-files\nStatus: install ok installed\nVersion: 13\nArchitecture: amd64\n",
			"buildpack/run-images/io.onbuild.stacks.trixie.libraries": "libz.so.1\n",
			"layers/onbuild_native-libraries/.keep":                   "",
		})
		// A venv whose compiled module links libc.so.6, which this run
		// image lacks.
		content, err := os.ReadFile("/usr/lib/x86_64-linux-gnu/libz.so.1")
		Expect(err).NotTo(HaveOccurred())
		fake.WriteFiles(t, layers, map[string]string{"onbuild_python/venv/lib/python3.13/site-packages/z/_z.so": string(content)})
		ctx = libcnb.BuildContext{
			ApplicationPath: filepath.Join(root, "app"),
			Buildpack: libcnb.Buildpack{
				Path:     filepath.Join(root, "buildpack"),
				Info:     libcnb.BuildpackInfo{ID: "onbuild/native-libraries", Name: "onbuild native libraries", Version: "0.1.0"},
				Metadata: fake.Metadata(t, "native-libraries"),
			},
			Layers:  libcnb.Layers{Path: filepath.Join(layers, "onbuild_native-libraries")},
			StackID: "io.onbuild.stacks.trixie",
		}
		out = &bytes.Buffer{}
		builder = debpkg.Builder{
			Logger:   log.NewPaketoLogger(out),
			Environ:  []string{"BP_DEBIAN_MIRROR=" + archive.URL},
			Keyrings: []string{archive.Keyring},
		}
	})

	it("adds the package of each library the app's ELF files link, one log line per library", func() {
		result, err := builder.Libraries(ctx)
		Expect(err).NotTo(HaveOccurred())
		Expect(out.String()).To(ContainSubstring("libc.so.6 (needed by venv/lib/python3.13/site-packages/z/_z.so): libc6"))
		Expect(result.Layers).To(HaveLen(2))
		native := result.Layers[0]
		Expect(native.Name).To(Equal("native-libraries"))
		Expect(native.LayerTypes).To(Equal(libcnb.LayerTypes{Launch: true}))
		Expect(filepath.Join(native.Path, "usr/lib/x86_64-linux-gnu/libc.so.6")).To(BeAnExistingFile())
		Expect(native.LaunchEnvironment["LD_LIBRARY_PATH.prepend"]).To(HavePrefix(filepath.Join(native.Path, "usr/lib/x86_64-linux-gnu")))
	})

	it("leaves out what onbuild/debian-packages put in the image, and does nothing when the run image has it all", func() {
		fake.WriteFiles(t, layers, map[string]string{"onbuild_debian-packages/debian-libraries.toml": "[metadata]\n  layout = 1\n  [[metadata.packages]]\n    name = \"libc6\"\n    version = \"2.41-12\"\n    sha256 = \"x\"\n"})
		result, err := builder.Libraries(ctx)
		Expect(err).NotTo(HaveOccurred())
		Expect(out.String()).To(ContainSubstring("libc6, installed by onbuild/debian-packages"))
		Expect(result.Layers).To(BeEmpty())

		fake.WriteFiles(t, ctx.Buildpack.Path, map[string]string{"run-images/io.onbuild.stacks.trixie.libraries": "libc.so.6\n"})
		out.Reset()
		result, err = builder.Libraries(ctx)
		Expect(err).NotTo(HaveOccurred())
		Expect(out.String()).To(ContainSubstring("The run image has every library the app's ELF files link"))
		Expect(out.String()).NotTo(ContainSubstring("Read "))
		Expect(result.Layers).To(BeEmpty())
	})

	it("stops naming the file when no package ships a library", func() {
		content, err := os.ReadFile("/usr/lib/x86_64-linux-gnu/libz.so.1")
		Expect(err).NotTo(HaveOccurred())
		// The same library, its DT_NEEDED renamed to one Debian lacks.
		content = bytes.Replace(content, []byte("libc.so.6\x00"), []byte("libq.so.6\x00"), 1)
		fake.WriteFiles(t, layers, map[string]string{"onbuild_python/venv/lib/python3.13/site-packages/z/_z.so": string(content)})
		_, err = builder.Libraries(ctx)
		Expect(err).To(BeAssignableToTypeOf(problem.Problem{}))
		Expect(err).To(MatchError(ContainSubstring("venv/lib/python3.13/site-packages/z/_z.so links libq.so.6, which neither the run image nor a package")))
	})
}
