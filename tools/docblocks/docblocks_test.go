package docblocks_test

import (
	"os"
	"path/filepath"
	"testing"

	. "github.com/onsi/gomega"
	"github.com/sclevine/spec"
	"github.com/sclevine/spec/report"

	"github.com/onbuild-buildpacks/onbuild/tools/docblocks"
)

func TestUnit(t *testing.T) {
	spec.Run(t, "docblocks", testDocBlocks, spec.Report(report.Terminal{}))
}

func testDocBlocks(t *testing.T, context spec.G, it spec.S) {
	var (
		Expect = NewWithT(t).Expect
		dir    string
	)

	it.Before(func() {
		dir = t.TempDir()
		Expect(os.Mkdir(filepath.Join(dir, "docs"), 0755)).To(Succeed())
	})

	write := func(name, content string) {
		Expect(os.WriteFile(filepath.Join(dir, name), []byte(content), 0644)).To(Succeed())
	}

	it("reads run and not-run blocks with their markers, README first", func() {
		write("README.md", "# x\n\n<!-- doc-test: run app=samples/go setup=ca,my-ca.pem probe=myapp -->\n```sh\npack build myapp \\\n  --builder onbuild/builder\n```\n")
		write("docs/b.md", "<!-- doc-test: not run, needs a registry -->\n```sh\nmake publish\n```\n\n```go\nfunc main() {}\n```\n")
		blocks, err := docblocks.Read(dir)
		Expect(err).NotTo(HaveOccurred())
		Expect(blocks).To(Equal([]docblocks.Block{
			{File: "README.md", Line: 4, Script: "pack build myapp \\\n  --builder onbuild/builder\n", Run: true,
				App: "samples/go", Setup: []string{"ca", "my-ca.pem"}, Probe: "myapp"},
			{File: filepath.Join("docs", "b.md"), Line: 2, Script: "make publish\n", Reason: "needs a registry"},
		}))
		Expect(blocks[0].Name()).To(Equal("README.md:4"))
	})

	it("refuses a shell block without a marker, naming its line", func() {
		write("README.md", "text\n\n```sh\nmake demo\n```\n")
		_, err := docblocks.Read(dir)
		Expect(err).To(MatchError(ContainSubstring("README.md:3: a shell block without a doc-test marker")))
	})

	it("refuses markers that say too little or what it does not know", func() {
		for marker, message := range map[string]string{
			"<!-- doc-test: run probe=myapp -->":          "names the app folder",
			"<!-- doc-test: run app=x setup=database -->": `unknown setup "database"`,
			"<!-- doc-test: run app=x network=host -->":   `unknown key "network"`,
			"<!-- doc-test: not run, -->":                 `either "run ..." or "not run, WHY"`,
			"<!-- doc-test: skip -->":                     `either "run ..." or "not run, WHY"`,
			"<!-- doc-test: run app= -->":                 `"app=" has no value`,
		} {
			write("README.md", marker+"\n```sh\nmake demo\n```\n")
			_, err := docblocks.Read(dir)
			Expect(err).To(MatchError(ContainSubstring(message)), marker)
		}
	})

	it("refuses a block that is never closed", func() {
		write("README.md", "<!-- doc-test: not run, x -->\n```sh\nmake demo\n")
		_, err := docblocks.Read(dir)
		Expect(err).To(MatchError(ContainSubstring("README.md:2: the shell block is never closed")))
	})

	it("finds a marker on every shell block of onbuild's docs, and the folder of every run block", func() {
		root, err := filepath.Abs(filepath.Join("..", ".."))
		Expect(err).NotTo(HaveOccurred())
		blocks, err := docblocks.Read(root)
		Expect(err).NotTo(HaveOccurred())
		runs := 0
		for _, block := range blocks {
			if !block.Run {
				continue
			}
			runs++
			info, err := os.Stat(filepath.Join(root, block.App))
			Expect(err).NotTo(HaveOccurred(), block.Name())
			Expect(info.IsDir()).To(BeTrue(), block.Name())
		}
		Expect(runs).To(BeNumerically(">=", 4), "the README's own commands run")
	})
}
