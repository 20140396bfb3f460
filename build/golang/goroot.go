package golang

import (
	"archive/zip"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"strings"
)

// toolchainContents names what the toolchain layer holds; it is part of
// the layer's cache key, so a layer cached with other contents is
// replaced once.
const toolchainContents = "build-and-test"

// goTools are the pkg/tool programs the go command runs for build,
// test, vet and cover; the others (pprof, trace, objdump, nm, addr2line,
// fix, doc, distpack) are for people, not for image builds.
var goTools = map[string]bool{
	"compile": true, "link": true, "asm": true, "cgo": true, "buildid": true, "pack": true,
	"vet": true, "cover": true, "covdata": true, "test2json": true, "preprofile": true,
}

// Needed reports whether a file of GOROOT, by its slash path, is one that
// go build or go test can read. Every cache layer is restored from and
// saved to the cache whole on every build, so what no build reads costs
// each rebuild twice (about half of the toolchain). Left out: the
// standard library's tests and testdata (go test runs the app's tests,
// never the standard library's), the source of the go command and other
// cmd/ programs (the binaries are prebuilt), the tools above, and the
// repository's docs.
func Needed(name string) bool {
	parts := strings.Split(name, "/")
	switch parts[0] {
	case "bin", "lib", "VERSION", "go.env", "LICENSE", "PATENTS":
		return true
	case "pkg":
		if len(parts) == 4 && parts[1] == "tool" {
			return goTools[strings.TrimSuffix(parts[3], ".exe")]
		}
		return true
	case "src":
		if len(parts) > 1 && parts[1] == "cmd" {
			return false
		}
		for _, part := range parts[1 : len(parts)-1] {
			if part == "testdata" {
				return false
			}
		}
		return !strings.HasSuffix(name, "_test.go")
	}
	return false
}

// Extraction counts what extractGoroot wrote and left out, for the log.
type Extraction struct {
	Files, Skipped int
	Bytes, Left    int64
}

// extractGoroot writes the Needed files of a golang.org/toolchain module
// zip (every name under golang.org/toolchain@<version>/) to dir. Its
// entries carry no reliable modes, so the programs are made executable by
// where they are, as the go command does when it installs a toolchain.
func extractGoroot(archive *os.File, dir string) (Extraction, error) {
	var extraction Extraction
	info, err := archive.Stat()
	if err != nil {
		return extraction, err
	}
	reader, err := zip.NewReader(archive, info.Size())
	if err != nil {
		return extraction, err
	}
	var wanted []*zip.File
	var names []string
	for _, file := range reader.File {
		if file.Mode().IsDir() || strings.HasSuffix(file.Name, "/") {
			continue
		}
		name, err := gorootName(file.Name)
		if err != nil {
			return extraction, err
		}
		if !Needed(name) {
			extraction.Skipped++
			extraction.Left += int64(file.UncompressedSize64)
			continue
		}
		wanted = append(wanted, file)
		names = append(names, name)
		extraction.Files++
		extraction.Bytes += int64(file.UncompressedSize64)
	}
	return extraction, extractFiles(wanted, names, dir)
}

// extractFiles inflates on every core: a cold build waits for it, and
// inflating, not writing, is what takes the time.
func extractFiles(files []*zip.File, names []string, dir string) error {
	next := make(chan int)
	errs := make(chan error, runtime.NumCPU())
	for w := 0; w < runtime.NumCPU(); w++ {
		go func() {
			var err error
			for i := range next {
				if err == nil {
					err = writeZipFile(files[i], filepath.Join(dir, filepath.FromSlash(names[i])), executable(names[i]))
				}
			}
			errs <- err
		}()
	}
	for i := range files {
		next <- i
	}
	close(next)
	var first error
	for w := 0; w < runtime.NumCPU(); w++ {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	return first
}

// gorootName strips the module prefix, refusing names that would land
// outside the layer.
func gorootName(zipName string) (string, error) {
	parts := strings.SplitN(zipName, "/", 3)
	if len(parts) != 3 || !strings.HasPrefix(parts[1], "toolchain@") {
		return "", fmt.Errorf("unexpected file %q in the toolchain zip", zipName)
	}
	name := path.Clean(parts[2])
	if path.IsAbs(name) || name == ".." || strings.HasPrefix(name, "../") {
		return "", fmt.Errorf("unsafe file %q in the toolchain zip", zipName)
	}
	return name, nil
}

func executable(name string) bool {
	return strings.HasPrefix(name, "bin/") || strings.HasPrefix(name, "pkg/tool/")
}

func writeZipFile(file *zip.File, target string, exec bool) error {
	if err := os.MkdirAll(filepath.Dir(target), 0755); err != nil {
		return err
	}
	mode := os.FileMode(0644)
	if exec || file.Mode()&0111 != 0 {
		mode = 0755
	}
	in, err := file.Open()
	if err != nil {
		return fmt.Errorf("unable to read %s from the toolchain zip\n%w", file.Name, err)
	}
	defer in.Close()
	out, err := os.OpenFile(target, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return fmt.Errorf("unable to extract %s\n%w", file.Name, err)
	}
	return out.Close()
}
