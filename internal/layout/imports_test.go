package layout_test

import (
	"encoding/json"
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"

	. "github.com/onsi/gomega"
	"github.com/sclevine/spec"
)

const module = "github.com/onbuild-buildpacks/onbuild/"

// pkg is what `go list -json` says of a package of the module.
type pkg struct {
	ImportPath string
	Imports    []string
	Deps       []string
}

// rule says which of the module's packages a package may not import.
type rule struct {
	from   func(path string) bool
	forbid func(path string) bool
	why    string
}

func under(prefix string) func(string) bool {
	return func(path string) bool { return path == prefix || strings.HasPrefix(path, prefix+"/") }
}

func anyOf(preds ...func(string) bool) func(string) bool {
	return func(path string) bool {
		for _, p := range preds {
			if p(path) {
				return true
			}
		}
		return false
	}
}

func testImports(t *testing.T, context spec.G, it spec.S) {
	var (
		Expect   = NewWithT(t).Expect
		packages []pkg
	)

	it.Before(func() {
		cmd := exec.Command("go", "list", "-json", "./...")
		cmd.Dir = root(t)
		out, err := cmd.Output()
		Expect(err).NotTo(HaveOccurred())
		decoder := json.NewDecoder(strings.NewReader(string(out)))
		packages = nil
		for {
			var p pkg
			if err := decoder.Decode(&p); err == io.EOF {
				break
			} else {
				Expect(err).NotTo(HaveOccurred())
			}
			p.ImportPath = strings.TrimPrefix(p.ImportPath, module)
			packages = append(packages, p)
		}
		Expect(len(packages)).To(BeNumerically(">", 10))
	})

	local := func(paths []string) []string {
		var out []string
		for _, path := range paths {
			if strings.HasPrefix(path, module) {
				out = append(out, strings.TrimPrefix(path, module))
			}
		}
		return out
	}

	it("keeps the import rule of ARCHITECTURE.md", func() {
		python, golang := under("build/python"), under("build/golang")
		agnostic := anyOf(under("build/vcs"), under("build/certificates"), under("build/runimage"), under("build/debpkg"), under("hooks"))
		rules := []rule{
			{under("detect"), under("build"), "detect never imports a build package"},
			{python, golang, "a language package never imports the other"},
			{golang, python, "a language package never imports the other"},
			{agnostic, anyOf(python, golang), "language-agnostic packages import no language"},
			{under("internal"), anyOf(under("build"), under("detect"), under("hooks")), "internal packages are leaves"},
			{anyOf(under("hooks/invoke"), under("hooks/deploy")), func(path string) bool { return path == "hooks" }, "the container-start side of hooks links no build code"},
		}
		var broken []string
		for _, p := range packages {
			for _, imported := range local(p.Imports) {
				for _, r := range rules {
					if r.from(p.ImportPath) && r.forbid(imported) {
						broken = append(broken, p.ImportPath+" imports "+imported+": "+r.why)
					}
				}
			}
		}
		Expect(broken).To(BeEmpty())
	})

	it("keeps container-start programs to their own package and internal leaves", func() {
		// own maps each container-start program to the packages that hold
		// its code.
		own := map[string][]string{
			"buildpacks/ca-certificates/ca-certificates-helper": {"build/certificates/execd"},
			"buildpacks/build-hook/deploy-hook":                 {"hooks/deploy", "hooks/invoke"},
			"buildpacks/python/supervise":                       {"internal/supervise"},
			"buildpacks/python/web-concurrency":                 {"internal/workers"},
		}
		var helpers int
		for _, p := range packages {
			parts := strings.Split(p.ImportPath, "/")
			if parts[0] != "buildpacks" || len(parts) != 3 {
				continue
			}
			helpers++
			Expect(own).To(HaveKey(p.ImportPath), "a new container-start program: add it to this test and ARCHITECTURE.md")
			for _, dep := range local(p.Deps) {
				allowed := strings.HasPrefix(dep, "internal/") || slices.Contains(own[p.ImportPath], dep)
				Expect(allowed).To(BeTrue(), "%s links %s: a container-start program links only its own package and internal leaves", p.ImportPath, dep)
			}
		}
		Expect(helpers).To(Equal(len(own)))
	})
}
