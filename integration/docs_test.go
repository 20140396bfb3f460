package integration_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	"github.com/sclevine/spec"

	"github.com/onbuild-buildpacks/onbuild/tools/docblocks"
	"github.com/onbuild-buildpacks/onbuild/tools/testca"
)

// testDocs runs every shell block the docs mark `doc-test: run`, as
// written, in a shell set up the way `make demo` leaves the machine (pack
// on PATH and configured by tools/pack-setup.sh, its volumes), so a doc
// command that stops working fails the suite.
func testDocs(t *testing.T, context spec.G, it spec.S) {
	var Expect = NewWithT(t).Expect

	it("runs every command block the docs mark, as a user types it, and the images answer", func() {
		top, err := filepath.Abs("..")
		Expect(err).NotTo(HaveOccurred())
		blocks, err := docblocks.Read(top)
		Expect(err).NotTo(HaveOccurred())

		// The shell make demo leaves: pack found on PATH, its config in
		// PACK_HOME, nothing passed on the command line.
		packHome, bin := t.TempDir(), t.TempDir()
		setup := exec.Command(filepath.Join(top, "tools", "pack-setup.sh"))
		setup.Env = append(os.Environ(), "PACK_HOME="+packHome, "PACK_BIN_DIR="+bin,
			"ONBUILD_WHEELS="+index.Dir(), "ONBUILD_BUILDER="+builder, "STACK="+flavour.name)
		out, err := setup.CombinedOutput()
		Expect(err).NotTo(HaveOccurred(), string(out))
		Expect(string(out)).To(ContainSubstring("pack on PATH: " + filepath.Join(bin, "pack")))
		Expect(string(out)).To(ContainSubstring("pull-policy never, " + builder + " trusted"))
		env := append(os.Environ(), "PACK_HOME="+packHome, "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"))

		images := map[string]bool{}
		t.Cleanup(func() {
			for image := range images {
				removeImage(image)
			}
		})
		// Blocks of one app run one after the other: they all build myapp,
		// so its cache volume keeps that app's layers (the Go toolchain
		// download, the venv) from one block to the next, and the order of
		// the docs never costs a second download.
		sort.SliceStable(blocks, func(i, j int) bool { return blocks[i].App < blocks[j].App })
		ran := 0
		for _, block := range blocks {
			if !block.Run {
				continue
			}
			ran++
			if block.Probe != "" {
				images[block.Probe] = true
			}
			t.Run(block.Name(), func(t *testing.T) {
				runBlock(t, top, block, env)
			})
		}
		Expect(ran).To(BeNumerically(">=", 4))
	})
}

// runBlock runs one block in a copy of its app folder, then its image.
func runBlock(t *testing.T, top string, block docblocks.Block, env []string) {
	Expect := NewWithT(t).Expect
	dir := t.TempDir()
	Expect(os.Chmod(dir, 0755)).To(Succeed())
	Expect(os.CopyFS(dir, os.DirFS(filepath.Join(top, block.App)))).To(Succeed())
	for _, name := range block.Setup {
		prepare(t, dir, name)
	}
	script := underTest(block.Script)
	if script != block.Script {
		t.Logf("the builder under test is %s: the block runs with that name for onbuild/builder", builder)
	}
	cmd := exec.Command("bash", "-e", "-o", "pipefail", "-c", script)
	cmd.Dir, cmd.Env = dir, env
	start := time.Now()
	out, err := cmd.CombinedOutput()
	t.Logf("%s in a copy of %s: %s", block.Name(), block.App, time.Since(start).Round(100*time.Millisecond))
	Expect(err).NotTo(HaveOccurred(), "%s:\n%s\n%s", block.Name(), block.Script, ansi.ReplaceAllString(string(out), ""))
	if block.Probe != "" {
		a := &app{t: t, image: block.Probe}
		Expect(a.get(a.start() + "/")).NotTo(BeEmpty())
	}
}

// prepare makes what a block expects the user to have brought
// (docblocks.Setups) in its folder.
func prepare(t *testing.T, dir, name string) {
	Expect := NewWithT(t).Expect
	switch name {
	case "ca":
		Expect(os.Mkdir(filepath.Join(dir, "ca"), 0755)).To(Succeed())
		Expect(os.WriteFile(filepath.Join(dir, "ca", "type"), []byte("ca-certificates\n"), 0644)).To(Succeed())
		Expect(os.WriteFile(filepath.Join(dir, "ca", "ca-certificates.crt"), hostCABundle(t), 0644)).To(Succeed())
	case "my-ca.pem":
		ca, err := testca.New("onbuild docs CA")
		Expect(err).NotTo(HaveOccurred())
		Expect(os.WriteFile(filepath.Join(dir, "my-ca.pem"), ca.PEM, 0644)).To(Succeed())
	default:
		t.Fatalf("no preparation %q in the Docs spec (tools/docblocks.Setups)", name)
	}
}

// builderName matches the builder names the docs use, as whole words.
var builderName = regexp.MustCompile(`(^|\s)onbuild/builder(-offline)?(\s|$)`)

// underTest is script with the docs' builder names made those of the
// builder under test; unchanged when that is onbuild/builder, as in
// `make test`.
func underTest(script string) string {
	if builder == "onbuild/builder" {
		return script
	}
	return builderName.ReplaceAllStringFunc(script, func(match string) string {
		name := strings.TrimSpace(match)
		replacement := builder
		if strings.HasSuffix(name, "-offline") {
			replacement = offlineImage(builder)
		}
		return strings.Replace(match, name, replacement, 1)
	})
}

// removeImage removes an image the docs' commands built and the cache
// volumes pack named after it.
func removeImage(image string) {
	_ = exec.Command("docker", "image", "rm", "-f", image).Run()
	volumes, _ := exec.Command("docker", "volume", "ls", "-q", "--filter", "name=pack-cache-library_"+image+"_latest-").Output()
	if names := strings.Fields(string(volumes)); len(names) > 0 {
		_ = exec.Command("docker", append([]string{"volume", "rm", "-f"}, names...)...).Run()
	}
}
