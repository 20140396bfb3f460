package golang

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/onbuild-buildpacks/onbuild/internal/problem"
	"golang.org/x/mod/modfile"
)

// Project is what the Go build needs from go.mod and go.work.
type Project struct {
	// File is the file the version lines come from: go.work when there is
	// one (the go command then runs in workspace mode and reads only its
	// lines), else go.mod.
	File string
	// Module is go.mod's module path; "" for a workspace without a root
	// module.
	Module string
	// Go is the go line ("1.24", "1.23.4"), "" without one.
	Go string
	// Toolchain is the toolchain line's version without "go" ("1.24.3"),
	// "" without one or for "toolchain default".
	Toolchain string
	// Vendored: vendor/modules.txt is there, so modules come from vendor/.
	Vendored bool
}

// ReadProject parses the app's go.mod and go.work with the go command's
// own parser, so what fails here would fail go build too.
func ReadProject(appDir string) (Project, error) {
	var project Project
	mod, err := readModFile(appDir)
	if err != nil {
		return project, err
	}
	if mod != nil {
		project.File = "go.mod"
		project.Module = mod.Module.Mod.Path
		project.Go, project.Toolchain = versionLines(mod.Go, mod.Toolchain)
	}

	work, err := readWorkFile(appDir)
	if err != nil {
		return project, err
	}
	if work != nil {
		// In workspace mode the go command reads only go.work's lines.
		project.File = "go.work"
		project.Go, project.Toolchain = versionLines(work.Go, work.Toolchain)
		if err := checkWorkspace(appDir, work); err != nil {
			return project, err
		}
	}
	if project.File == "" {
		return project, problem.Problem{
			Title: "No go.mod",
			Cause: "The app has neither go.mod nor go.work at its root.",
			Fixes: []string{"Create go.mod at the root of the app: go mod init example.com/myapp"},
		}
	}

	_, err = os.Stat(filepath.Join(appDir, "vendor", "modules.txt"))
	if err != nil && !os.IsNotExist(err) {
		return project, fmt.Errorf("unable to read vendor/modules.txt\n%w", err)
	}
	project.Vendored = err == nil
	return project, nil
}

func readModFile(appDir string) (*modfile.File, error) {
	content, err := os.ReadFile(filepath.Join(appDir, "go.mod"))
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("unable to read go.mod\n%w", err)
	}
	file, err := modfile.Parse("go.mod", content, nil)
	if err != nil {
		return nil, parseProblem("go.mod", err)
	}
	if file.Module == nil {
		return nil, problem.Problem{
			Title: "go.mod has no module line",
			Cause: "go.mod does not say which module it is: its first line must be `module <path>`, and the go command builds nothing without it.",
			Fixes: []string{
				"Add the module line at the top of go.mod, e.g.: module example.com/myapp",
				"Or recreate go.mod: rm go.mod && go mod init example.com/myapp && go mod tidy",
			},
		}
	}
	return file, nil
}

func readWorkFile(appDir string) (*modfile.WorkFile, error) {
	content, err := os.ReadFile(filepath.Join(appDir, "go.work"))
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("unable to read go.work\n%w", err)
	}
	file, err := modfile.ParseWork("go.work", content, nil)
	if err != nil {
		return nil, parseProblem("go.work", err)
	}
	return file, nil
}

// ModuleFilesDigest is a sha256 of the files that decide which modules a
// build uses.
func ModuleFilesDigest(appDir string) (string, error) {
	digest := sha256.New()
	for _, name := range []string{"go.mod", "go.sum", "go.work", "go.work.sum"} {
		content, err := os.ReadFile(filepath.Join(appDir, name))
		if err != nil && !os.IsNotExist(err) {
			return "", fmt.Errorf("unable to read %s\n%w", name, err)
		}
		fmt.Fprintf(digest, "%s %d\n", name, len(content))
		digest.Write(content)
	}
	return hex.EncodeToString(digest.Sum(nil)), nil
}

// implicitWorkGo is the go line the go command assumes for a go.work
// without one.
const implicitWorkGo = "1.18"

// checkWorkspace applies the go command's rule that go.work's go line is
// at least that of every module it uses, so the fix comes before any
// download rather than from go build.
func checkWorkspace(appDir string, work *modfile.WorkFile) error {
	workGo := implicitWorkGo
	if work.Go != nil {
		workGo = work.Go.Version
	}
	for _, use := range work.Use {
		content, err := os.ReadFile(filepath.Join(appDir, filepath.FromSlash(use.Path), "go.mod"))
		if err != nil {
			continue // go build names a missing module better
		}
		mod, err := modfile.ParseLax(use.Path+"/go.mod", content, nil)
		if err != nil || mod.Go == nil || compareGo(mod.Go.Version, workGo) <= 0 {
			continue
		}
		return problem.Problem{
			Title: "go.work's go line is older than a module it uses",
			File:  "go.work",
			Cause: fmt.Sprintf("%s/go.mod requires go %s or newer, but go.work %s: the go command refuses such a workspace.",
				use.Path, mod.Go.Version, workGoText(work, workGo)),
			Fixes: []string{
				"Run `go work use` to raise go.work's go line, and commit go.work.",
				fmt.Sprintf("Or set it by hand: go work edit -go=%s", mod.Go.Version),
			},
		}
	}
	return nil
}

func workGoText(work *modfile.WorkFile, workGo string) string {
	if work.Go == nil {
		return "has no go line (which means go " + workGo + ")"
	}
	return "says go " + workGo
}

// parseProblem keeps modfile's message, which names the line.
func parseProblem(name string, err error) problem.Problem {
	return problem.Problem{
		Title: name + " does not parse",
		Cause: fmt.Sprintf("The go command would reject %s:\n%v", name, err),
		Fixes: []string{fmt.Sprintf("Fix the line named above; `go mod tidy` (or `go work sync`) rewrites %s in its canonical form.", name)},
	}
}

func versionLines(goLine *modfile.Go, toolchainLine *modfile.Toolchain) (string, string) {
	var goVersion, toolchain string
	if goLine != nil {
		goVersion = goLine.Version
	}
	// A toolchain name is goV or goV-suffix (a custom build of V).
	if toolchainLine != nil && toolchainLine.Name != "default" {
		toolchain, _, _ = strings.Cut(strings.TrimPrefix(toolchainLine.Name, "go"), "-")
	}
	return goVersion, toolchain
}
