package hooks_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/buildpacks/libcnb/v2"
	. "github.com/onsi/gomega"
	"github.com/sclevine/spec"

	"github.com/onbuild-buildpacks/onbuild/hooks"
	"github.com/onbuild-buildpacks/onbuild/hooks/invoke"
	"github.com/onbuild-buildpacks/onbuild/internal/fake"
)

func testEnv(t *testing.T, context spec.G, it spec.S) {
	var Expect = NewWithT(t).Expect

	it("reads NAME files, dropping one trailing newline", func() {
		dir := t.TempDir()
		fake.WriteFile(t, dir, "PLAIN", "value", 0644)
		fake.WriteFile(t, dir, "ECHOED", "value\n", 0644)
		fake.WriteFile(t, dir, "CRLF", "value\r\n", 0644)
		fake.WriteFile(t, dir, "TWO_LINES", "one\ntwo\n\n", 0644)
		fake.WriteFile(t, dir, "EMPTY", "", 0644)
		fake.WriteFile(t, dir, ".gitkeep", "", 0644)
		fake.WriteFile(t, dir, "not-a-name", "x", 0644)
		Expect(os.Mkdir(filepath.Join(dir, "SUBDIR"), 0755)).To(Succeed())

		vars, warnings, err := invoke.ReadEnvDir(dir)
		Expect(err).NotTo(HaveOccurred())
		Expect(vars).To(Equal(map[string]string{
			"PLAIN": "value", "ECHOED": "value", "CRLF": "value", "TWO_LINES": "one\ntwo\n", "EMPTY": "",
		}))
		Expect(warnings).To(ConsistOf(
			`"SUBDIR" is not a variable name (letters, digits and _), ignored`,
			`"not-a-name" is not a variable name (letters, digits and _), ignored`))
	})

	it("refuses a value the environment cannot carry, naming the file", func() {
		dir := t.TempDir()
		fake.WriteFile(t, dir, "HUGE", strings.Repeat("x", 200<<10), 0644)
		_, _, err := invoke.ReadEnvDir(dir)
		Expect(err).To(MatchError(HavePrefix("[Error: Exported variable too long]")))
		Expect(err).To(MatchError(ContainSubstring(filepath.Join(dir, "HUGE") + " holds 204800 bytes")))

		dir = t.TempDir()
		fake.WriteFile(t, dir, "BINARY", "a\x00b", 0644)
		_, _, err = invoke.ReadEnvDir(dir)
		Expect(err).To(MatchError(HavePrefix("[Error: Exported variable holds a NUL byte]")))
	})

	it("has no variables without the directory", func() {
		vars, warnings, err := invoke.ReadEnvDir(filepath.Join(t.TempDir(), "missing"))
		Expect(err).NotTo(HaveOccurred())
		Expect(vars).To(BeEmpty())
		Expect(warnings).To(BeEmpty())
	})

	it("sets variables over an environment, last one winning", func() {
		Expect(hooks.Environ([]string{"A=1", "B=2"}, map[string]string{"B": "3", "C": "4"})).
			To(Equal([]string{"A=1", "B=2", "B=3", "C=4"}))
	})

	it("exports through a fresh build and launch layer whose env files override", func() {
		layers := libcnb.Layers{Path: t.TempDir()}
		fake.WriteFile(t, layers.Path, "hook-env/stale", "from the last build", 0644)
		fake.WriteFile(t, layers.Path, "hook-env.toml", "[metadata]\nvariables = [\"OLD\"]\n", 0644)

		layer, err := hooks.ExportLayer(layers, map[string]string{"B": "2", "A": "1"})
		Expect(err).NotTo(HaveOccurred())
		Expect(layer.Name).To(Equal("hook-env"))
		Expect(layer.LayerTypes).To(Equal(libcnb.LayerTypes{Build: true, Launch: true}))
		Expect(layer.SharedEnvironment).To(Equal(libcnb.Environment{"A.override": "1", "B.override": "2"}))
		Expect(layer.Metadata).To(Equal(map[string]interface{}{"variables": []string{"A", "B"}}))
		Expect(filepath.Join(layer.Path, "stale")).NotTo(BeAnExistingFile())
	})
}
