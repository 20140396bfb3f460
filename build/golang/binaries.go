package golang

import (
	"crypto/sha256"
	"debug/buildinfo"
	"debug/elf"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/buildpacks/libcnb/v2"
	"github.com/onbuild-buildpacks/onbuild/internal/problem"
)

// Binary is one built program in the binaries layer.
type Binary struct {
	Target Target
	Path   string
}

// CheckStatic refuses a binary that needs a dynamic loader: Go apps run on
// the tiny run image, which has no libc, where such a binary would not even
// start ("no such file or directory" for its interpreter). The build lets
// one through only for CGO_ENABLED=1 on a run image with libc.
func CheckStatic(binary Binary) error {
	file, err := elf.Open(binary.Path)
	if err != nil {
		return fmt.Errorf("unable to read %s as an ELF binary\n%w", binary.Path, err)
	}
	defer file.Close()
	var needs []string
	for _, prog := range file.Progs {
		if prog.Type == elf.PT_INTERP {
			interp, _ := readInterp(prog)
			needs = append(needs, "the dynamic loader "+interp)
		}
	}
	libraries, err := file.ImportedLibraries()
	if err != nil {
		return fmt.Errorf("unable to read the libraries %s links to\n%w", binary.Path, err)
	}
	needs = append(needs, libraries...)
	if len(needs) == 0 {
		return nil
	}
	return problem.Problem{
		Title: "Go binary needs libc",
		Cause: fmt.Sprintf("%s (from %s) is dynamically linked: it needs %s.\n"+
			"Go apps run on onbuild's tiny run image, which has no libc and no loader, so it would fail to start.\n"+
			"cgo does this: CGO_ENABLED=1, or a package that needs C (os/user, net with the cgo resolver, sqlite bindings).",
			binary.Target.Binary, binary.Target.Package, strings.Join(needs, ", ")),
		Fixes: []string{
			"Keep cgo and run on onbuild's python run image, which has libc (the builder's default run image, not tiny): pack build --env CGO_ENABLED=1, and list the C libraries' -dev packages in an Aptfile.",
			"Build without cgo: do not set CGO_ENABLED (onbuild/go sets CGO_ENABLED=0), and use pure-Go packages (e.g. modernc.org/sqlite instead of mattn/go-sqlite3).",
			"Keep cgo but link statically: pack build --env CGO_ENABLED=1 --env BP_GO_BUILD_LDFLAGS='-linkmode external -extldflags -static' (glibc's name service functions then warn at link time).",
		},
	}
}

func readInterp(prog *elf.Prog) (string, error) {
	data := make([]byte, prog.Filesz)
	if _, err := prog.ReadAt(data, 0); err != nil {
		return "", err
	}
	return strings.TrimRight(string(data), "\x00"), nil
}

// Processes gives each binary a process, run directly (the tiny run
// image has no shell): web for the first, the binary's name for the rest.
func Processes(binaries []Binary) ([]libcnb.Process, error) {
	var processes []libcnb.Process
	for i, binary := range binaries {
		kind := binary.Target.Binary
		if i == 0 {
			kind = "web"
		} else if kind == "web" {
			return nil, problem.Problem{
				Title: "Binary named web",
				Cause: fmt.Sprintf("%s builds a binary called web, but web is the process type of the first target, %s.", binary.Target.Package, binaries[0].Target.Package),
				Fixes: []string{fmt.Sprintf("List %s first in %s, so that it is the web process.", binary.Target.Package, TargetsSetting)},
			}
		}
		processes = append(processes, libcnb.Process{Type: kind, Command: []string{binary.Path}, Default: i == 0})
	}
	return processes, nil
}

// Module is one module linked into a binary.
type Module struct {
	Path, Version, Sum string
	Main               bool
	Binaries           []string
}

// purl is the package URL of a Go module, per the purl spec's golang type.
func (c Module) purl() string {
	if c.Version == "" || c.Version == "(devel)" {
		return "pkg:golang/" + c.Path
	}
	return "pkg:golang/" + c.Path + "@" + c.Version
}

// Modules reads the modules linked into each binary from its build info
// (what `go version -m` shows): the main module, the dependencies as
// replaced, and the standard library of the toolchain.
func Modules(binaries []Binary) ([]Module, error) {
	found := map[string]*Module{}
	add := func(c Module, binary string) {
		key := c.purl()
		if found[key] == nil {
			found[key] = &c
		}
		found[key].Binaries = append(found[key].Binaries, binary)
	}
	for _, binary := range binaries {
		info, err := buildinfo.ReadFile(binary.Path)
		if err != nil {
			return nil, fmt.Errorf("unable to read the build info of %s\n%w", binary.Path, err)
		}
		name := binary.Target.Binary
		add(Module{Path: info.Main.Path, Version: info.Main.Version, Sum: info.Main.Sum, Main: true}, name)
		add(Module{Path: "stdlib", Version: strings.TrimPrefix(info.GoVersion, "go")}, name)
		for _, dep := range info.Deps {
			if dep.Replace != nil {
				dep = dep.Replace
			}
			add(Module{Path: dep.Path, Version: dep.Version, Sum: dep.Sum}, name)
		}
	}
	components := make([]Module, 0, len(found))
	for _, c := range found {
		components = append(components, *c)
	}
	sort.Slice(components, func(i, j int) bool { return components[i].purl() < components[j].purl() })
	return components, nil
}

// WriteSBOM writes the CycloneDX launch SBOM of the binaries layer. It
// derives only from the binaries, so the same source gives the same SBOM.
func WriteSBOM(layer libcnb.Layer, binaries []Binary) error {
	components, err := Modules(binaries)
	if err != nil {
		return err
	}
	entries := []map[string]interface{}{}
	var ids []string
	for _, c := range components {
		kind := "library"
		if c.Main {
			kind = "application"
		}
		properties := []map[string]string{{"name": "onbuild:binaries", "value": strings.Join(c.Binaries, ",")}}
		if c.Sum != "" {
			// h1: is the go.sum hash of the module's files, not a hash of
			// one file, so it is no CycloneDX hash.
			properties = append(properties, map[string]string{"name": "go:sum", "value": c.Sum})
		}
		entry := map[string]interface{}{"type": kind, "bom-ref": c.purl(), "name": c.Path, "purl": c.purl(), "properties": properties}
		if c.Version != "" {
			entry["version"] = c.Version
		}
		entries = append(entries, entry)
		ids = append(ids, c.purl())
	}
	sum := sha256.Sum256([]byte(strings.Join(ids, "\n")))
	document := map[string]interface{}{
		"bomFormat": "CycloneDX", "specVersion": "1.4", "version": 1,
		"serialNumber": "urn:uuid:" + uuidFrom(sum[:16]),
		"components":   entries,
	}
	content, err := json.MarshalIndent(document, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(layer.SBOMPath(libcnb.CycloneDXJSON), content, 0644); err != nil {
		return fmt.Errorf("unable to write the Go binaries' SBOM\n%w", err)
	}
	return nil
}

// uuidFrom formats 16 bytes as a version 5 style UUID, so the serial number
// is stable for the same content.
func uuidFrom(b []byte) string {
	b[6] = (b[6] & 0x0f) | 0x50
	b[8] = (b[8] & 0x3f) | 0x80
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}
