// Package pyindex makes a local Python package index for tests and demos:
// Debian's python3-* binary packages, fetched by apt inside a Debian
// container, are repacked as wheels and served as a PEP 503 "simple" index
// on 127.0.0.1. Wheels are cached by what produced them, so only the first
// build on a machine pays for apt.
package pyindex

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"
)

// DefaultImage is the stack build image of the default flavour: Debian trixie with apt set up for
// the mirror this workplace can reach.
const DefaultImage = "onbuild/stack-build:trixie"

// debianSplits are parts of one upstream distribution that Debian ships as
// a package of its own: the part's importable modules go back into the
// wheel of the package that owns the dist-info.
var debianSplits = map[string]string{"python3-pkg-resources": "python3-setuptools"}

// mergeSplits moves each fetched split part into its owner's tree, so
// setuptools' wheel carries the pkg_resources it imports.
func mergeSplits(root string) error {
	for part, owner := range debianSplits {
		partDir := filepath.Join(root, part, sitePackages)
		entries, err := os.ReadDir(partDir)
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			return err
		}
		ownerDir := filepath.Join(root, owner, sitePackages)
		if _, err := os.Stat(ownerDir); err != nil {
			return fmt.Errorf("pyindex: %s is part of %s: fetch both: %w", part, owner, err)
		}
		for _, e := range entries {
			if err := mergeInto(filepath.Join(partDir, e.Name()), filepath.Join(ownerDir, e.Name())); err != nil {
				return err
			}
		}
		if err := os.RemoveAll(filepath.Join(root, part)); err != nil {
			return err
		}
	}
	return nil
}

// mergeInto moves src to dest; where both are directories it merges them,
// since a split part may add files to its owner's packages (trixie's
// python3-pkg-resources puts vendored code under setuptools/_vendor).
func mergeInto(src, dest string) error {
	info, err := os.Lstat(dest)
	if os.IsNotExist(err) {
		return os.Rename(src, dest)
	}
	if err != nil {
		return err
	}
	srcInfo, err := os.Lstat(src)
	if err != nil {
		return err
	}
	if !info.IsDir() || !srcInfo.IsDir() {
		return fmt.Errorf("pyindex: %s and %s both exist", src, dest)
	}
	entries, err := os.ReadDir(src)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if err := mergeInto(filepath.Join(src, e.Name()), filepath.Join(dest, e.Name())); err != nil {
			return err
		}
	}
	return nil
}

// DefaultPackages serve a Flask app under gunicorn (with packaging, which
// gunicorn and wheel require), plus six (a small extra
// requirement to add and remove) and setuptools and wheel, which pip's build
// isolation fetches to build a pyproject.toml app.
var DefaultPackages = []string{
	"python3-flask",
	"python3-blinker",
	"python3-werkzeug",
	"python3-jinja2",
	"python3-markupsafe",
	"python3-itsdangerous",
	"python3-click",
	"python3-gunicorn",
	"python3-packaging",
	"python3-six",
	"python3-setuptools",
	"python3-pkg-resources",
	"python3-wheel",
}

// NativePackages are PostgreSQL's drivers, for the native-libraries specs:
// psycopg 3 (pure Python, loads libpq with ctypes) and psycopg2 (a compiled
// module that links libpq.so.5). Neither wheel carries libpq: the app image
// gets it from onbuild/debian-packages.
var NativePackages = []string{"python3-psycopg", "python3-psycopg2", "python3-typing-extensions"}

// WebPackages serve the web apps as they are really written: Django (with
// whitenoise for static files) and FastAPI on uvicorn. Debian's wheels carry
// no dependencies, so each package's own are listed too: Django's asgiref,
// and sqlparse (trixie's python3-tz is an empty transitional package, and
// Django 4.2 uses zoneinfo); FastAPI's starlette and pydantic; starlette's anyio,
// sniffio and idna; uvicorn's h11, click (in DefaultPackages) and wsproto.
// trixie's pydantic 2 needs python3-pydantic-core (its compiled half) and
// python3-annotated-types, which bookworm (pydantic 1.10) does not have:
// the web specs run on the default, trixie flavour.
var WebPackages = []string{
	"python3-django",
	"python3-asgiref",
	"python3-sqlparse",
	"python3-whitenoise",
	"python3-fastapi",
	"python3-starlette",
	"python3-pydantic",
	"python3-pydantic-core",
	"python3-annotated-types",
	"python3-anyio",
	"python3-sniffio",
	"python3-idna",
	"python3-typing-extensions",
	"python3-uvicorn",
	"python3-h11",
	"python3-wsproto",
}

// Options tell Build what to make and where.
type Options struct {
	// CacheDir holds one subdirectory of wheels per distinct build.
	CacheDir string
	// Image is a local Debian image whose apt can download the packages;
	// DefaultImage when empty. It is never pulled.
	Image string
	// Packages are Debian binary package names, optionally "name=version".
	Packages []string
	// Docker is the docker CLI to run; "docker" from PATH when empty.
	Docker string
	// Stdout and Stderr receive apt's and the converter's output; discarded
	// when nil.
	Stdout, Stderr io.Writer
}

// DebsFile, in a build's directory, lists the Debian packages and versions
// the wheels were made from, one "package version" a line.
const DebsFile = "debs.txt"

var debianPackage = regexp.MustCompile(`^[a-z0-9][a-z0-9+.-]+(=[A-Za-z0-9.+~:_-]+)?$`)

// fetchScript runs as root in the image: apt-get download needs fresh lists
// (stack images drop theirs), and the chown at the end lets an unprivileged
// caller read and delete what a root container wrote in its bind mount.
const fetchScript = `set -eu
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
mkdir -p /tmp/debs
cd /tmp/debs
# apt drops privileges to _apt for downloads when it can write here.
chown _apt /tmp/debs 2>/dev/null || true
apt-get download -q "$@"
mkdir -p /out/root
: > /out/debs.txt
for deb in /tmp/debs/*.deb; do
  pkg=$(dpkg-deb -f "$deb" Package)
  ver=$(dpkg-deb -f "$deb" Version)
  mkdir -p "/out/root/$pkg"
  dpkg-deb -x "$deb" "/out/root/$pkg"
  echo "$pkg $ver" >> /out/debs.txt
done
chown -R "$OWNER" /out
`

// Build returns a directory of wheels made from opts.Packages, building it
// unless the cache already has one for the same packages, image and
// converter.
func Build(ctx context.Context, opts Options) (string, error) {
	if opts.CacheDir == "" {
		return "", errors.New("pyindex: CacheDir is required")
	}
	if opts.Image == "" {
		opts.Image = DefaultImage
	}
	if opts.Docker == "" {
		opts.Docker = "docker"
	}
	if opts.Stdout == nil {
		opts.Stdout = io.Discard
	}
	if opts.Stderr == nil {
		opts.Stderr = io.Discard
	}
	pkgs, err := normalizePackages(opts.Packages)
	if err != nil {
		return "", err
	}
	cacheDir, err := filepath.Abs(opts.CacheDir)
	if err != nil {
		return "", err
	}
	imageID, err := inspectImage(ctx, opts.Docker, opts.Image)
	if err != nil {
		return "", err
	}
	dir := filepath.Join(cacheDir, CacheKey(pkgs, imageID))
	if fi, err := os.Stat(dir); err == nil && fi.IsDir() {
		return dir, nil
	}
	if err := os.MkdirAll(cacheDir, 0o755); err != nil {
		return "", err
	}

	// Both live beside the final dir so the rename below cannot cross
	// filesystems, and start with '.' so no reader takes them for a build.
	work, err := os.MkdirTemp(cacheDir, ".work-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(work)
	staging, err := os.MkdirTemp(cacheDir, ".tmp-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(staging)

	start := time.Now()
	if err := fetchDebs(ctx, opts, pkgs, work); err != nil {
		return "", err
	}
	fetched := time.Now()
	if err := mergeSplits(filepath.Join(work, "root")); err != nil {
		return "", err
	}
	wheels, err := convertAll(filepath.Join(work, "root"), staging, opts.Stderr)
	if err != nil {
		return "", err
	}
	if err := copyFile(filepath.Join(work, DebsFile), filepath.Join(staging, DebsFile)); err != nil {
		return "", err
	}
	if err := os.Chmod(staging, 0o755); err != nil {
		return "", err
	}
	if err := os.Rename(staging, dir); err != nil {
		// Another build of the same key won the race; its result is
		// as good as ours.
		if fi, statErr := os.Stat(dir); statErr == nil && fi.IsDir() {
			return dir, nil
		}
		return "", err
	}
	fmt.Fprintf(opts.Stderr, "pyindex: %d wheels in %s (apt %s, convert %s)\n",
		len(wheels), dir, fetched.Sub(start).Round(time.Millisecond), time.Since(fetched).Round(time.Millisecond))
	return dir, nil
}

// CacheKey names a build's directory. The image ID stands for the apt
// sources and so for the package versions apt will pick.
func CacheKey(packages []string, imageID string) string {
	sorted := append([]string{}, packages...)
	sort.Strings(sorted)
	h := sha256.New()
	fmt.Fprintf(h, "onbuild-pyindex\nconverter %s\nimage %s\n", ConverterVersion, imageID)
	prev := ""
	for i, p := range sorted {
		if i > 0 && p == prev {
			continue
		}
		fmt.Fprintf(h, "package %s\n", p)
		prev = p
	}
	return hex.EncodeToString(h.Sum(nil))
}

func normalizePackages(pkgs []string) ([]string, error) {
	if len(pkgs) == 0 {
		return nil, errors.New("pyindex: no packages given")
	}
	seen := map[string]bool{}
	var out []string
	for _, p := range pkgs {
		p = strings.TrimSpace(p)
		// Besides catching typos this keeps names from reaching apt as
		// options.
		if !debianPackage.MatchString(p) {
			return nil, fmt.Errorf("pyindex: %q is not a Debian package name", p)
		}
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out, nil
}

func inspectImage(ctx context.Context, docker, image string) (string, error) {
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, docker, "image", "inspect", "--format", "{{.Id}}", image)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("pyindex: image %q is not available locally (images are built here, never pulled): %v: %s",
			image, err, strings.TrimSpace(stderr.String()))
	}
	id := strings.TrimSpace(stdout.String())
	if id == "" {
		return "", fmt.Errorf("pyindex: docker gave no ID for image %q", image)
	}
	return id, nil
}

func fetchDebs(ctx context.Context, opts Options, pkgs []string, work string) error {
	suffix := make([]byte, 6)
	if _, err := rand.Read(suffix); err != nil {
		return err
	}
	name := "onbuild-pyindex-" + hex.EncodeToString(suffix)
	args := []string{"run", "--rm", "--name", name,
		"--user", "0:0", "--entrypoint", "/bin/sh",
		"-e", fmt.Sprintf("OWNER=%d:%d", os.Getuid(), os.Getgid()),
		"-v", work + ":/out",
		opts.Image, "-c", fetchScript, "pyindex-fetch"}
	args = append(args, pkgs...)
	cmd := exec.CommandContext(ctx, opts.Docker, args...)
	cmd.Stdout, cmd.Stderr = opts.Stdout, opts.Stderr
	// Killing the CLI leaves the container running; remove it as well.
	cmd.Cancel = func() error {
		_ = exec.Command(opts.Docker, "rm", "-f", name).Run()
		return cmd.Process.Kill()
	}
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			err = ctx.Err()
		}
		return fmt.Errorf("pyindex: fetching %v in %s: %w", pkgs, opts.Image, err)
	}
	return nil
}

func convertAll(root, outDir string, warn io.Writer) ([]Wheel, error) {
	entries, err := os.ReadDir(root)
	if err != nil {
		return nil, err
	}
	var wheels []Wheel
	byProject := map[string]string{}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		w, err := ConvertTree(filepath.Join(root, e.Name()), outDir, warn)
		if err != nil {
			return nil, fmt.Errorf("pyindex: %s: %w", e.Name(), err)
		}
		if other, dup := byProject[w.Project]; dup {
			return nil, fmt.Errorf("pyindex: %s and %s both provide project %s", other, e.Name(), w.Project)
		}
		byProject[w.Project] = e.Name()
		fmt.Fprintf(warn, "pyindex: %s -> %s\n", e.Name(), w.Filename)
		wheels = append(wheels, w)
	}
	return wheels, nil
}

// ReadDebs returns the "package version" lines of a build's DebsFile.
func ReadDebs(dir string) (map[string]string, error) {
	f, err := os.Open(filepath.Join(dir, DebsFile))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if pkg, ver, ok := strings.Cut(strings.TrimSpace(sc.Text()), " "); ok {
			out[pkg] = ver
		}
	}
	return out, sc.Err()
}

func copyFile(src, dst string) error {
	data, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	return os.WriteFile(dst, data, fs.FileMode(0o644))
}
