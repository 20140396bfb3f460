package debpkg

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/buildpacks/libcnb/v2"
	"github.com/paketo-buildpacks/libpak/v2/log"

	"github.com/onbuild-buildpacks/onbuild/internal/debian"
	"github.com/onbuild-buildpacks/onbuild/internal/problem"
	"github.com/onbuild-buildpacks/onbuild/internal/settings"
)

// Libraries is the onbuild/native-libraries build: after the language
// buildpack, it reads the ELF files of the app's launch layers (the venv,
// the Go binaries) and adds the Debian packages of the shared libraries
// they link that the run image lacks.
func Libraries(ctx libcnb.BuildContext) (libcnb.BuildResult, error) {
	return Builder{
		Logger:      log.NewPaketoLogger(os.Stdout),
		Environ:     os.Environ(),
		Keyrings:    DebianKeyrings,
		BuildStatus: BuildImageStatus,
	}.Libraries(ctx)
}

// scannedLayers are the launch layers whose ELF files the app runs with,
// by buildpack folder under the layers root.
var scannedLayers = map[string][]string{
	"onbuild_python": {"venv"},
	"onbuild_go":     {"binaries"},
}

// debianLaunchLayer is onbuild/debian-packages' launch layer, whose
// packages the image has already.
var debianLaunchLayer = filepath.Join("onbuild_debian-packages", LaunchLayer.Name)

func (b Builder) Libraries(ctx libcnb.BuildContext) (libcnb.BuildResult, error) {
	b.Logger.Title(ctx.Buildpack.Info.Name, ctx.Buildpack.Info.Version, ctx.Buildpack.Info.Homepage)
	result := libcnb.NewBuildResult()
	root := filepath.Dir(ctx.Layers.Path)
	var trees []string
	for bp, layers := range scannedLayers {
		for _, l := range layers {
			if info, err := os.Stat(filepath.Join(root, bp, l)); err == nil && info.IsDir() {
				trees = append(trees, filepath.Join(root, bp, l))
			}
		}
	}
	sort.Strings(trees)
	needs, err := debian.ScanELF(trees...)
	if err != nil {
		return result, fmt.Errorf("unable to read the app's ELF files\n%w", err)
	}
	runLibs, err := readLines(filepath.Join(ctx.Buildpack.Path, "run-images", ctx.StackID+".libraries"))
	if err != nil {
		return result, fmt.Errorf("unable to read the run image's libraries (written by builder/builder.sh)\n%w", err)
	}
	for soname := range needs {
		if runLibs[soname] {
			delete(needs, soname)
		}
	}
	if len(needs) == 0 {
		b.Logger.Body("The run image has every library the app's ELF files link")
		return result, nil
	}

	reader, err := settings.New(ctx.Buildpack.Metadata, b.Environ)
	if err != nil {
		return result, err
	}
	s := Settings{Mirror: reader.String(MirrorSetting), SecurityMirror: reader.String(SecurityMirrorSetting)}
	cacheLayer, archive, index, err := b.readIndex(ctx, s)
	if err != nil {
		return result, err
	}

	// What the image will have: the run image's packages and those of
	// onbuild/debian-packages' launch layer.
	runStatus := filepath.Join(ctx.Buildpack.Path, "run-images", ctx.StackID+".status")
	status, err := os.ReadFile(runStatus)
	if err != nil {
		return result, fmt.Errorf("unable to read the run image's packages (%s)\n%w", runStatus, err)
	}
	already := debianLaunchPackages(filepath.Join(root, debianLaunchLayer+".toml"))
	records := [][]byte{status}
	for name, version := range already {
		records = append(records, []byte(fmt.Sprintf("\nPackage: %s\nStatus: install ok installed\nVersion: %s\nArchitecture: %s\n", name, version, archive.Arch)))
	}
	image, err := debian.ReadStatus(records...)
	if err != nil {
		return result, err
	}
	debs := filepath.Join(cacheLayer.Path, "debs")
	var names []string
	for _, soname := range needs.Sonames() {
		files := needs[soname]
		pkg, err := b.shipping(archive, index, soname, debs)
		if err != nil {
			return result, err
		}
		if pkg == nil {
			return result, problem.Problem{
				Title: "Shared library not in Debian",
				File:  files[0],
				Cause: fmt.Sprintf("%s links %s, which neither the run image nor a package of the stack's Debian suites provides.", files[0], soname),
				Fixes: []string{
					"Install the package that ships it with the app's dependencies (a wheel that bundles it), or list it in the Aptfile if Debian has it under another name.",
				},
			}
		}
		more := ""
		if len(files) > 1 {
			more = fmt.Sprintf(" and %d more", len(files)-1)
		}
		if _, ok := already[pkg.Name]; ok {
			b.Logger.Bodyf("%s (needed by %s%s): %s, installed by onbuild/debian-packages", soname, files[0], more, pkg.Name)
			continue
		}
		b.Logger.Bodyf("%s (needed by %s%s): %s", soname, files[0], more, pkg.Name)
		names = append(names, pkg.Name)
	}
	if len(names) == 0 {
		return result, nil
	}
	pkgs, err := debian.Resolver{Archive: index, Installed: image,
		Leave: func(p *debian.Package) bool { return p.IsDevelopment() }}.Resolve(names)
	if err != nil {
		return result, resolveProblem(err, nil)
	}
	b.Logger.Header("Rebase cannot update these packages: rebuild the app to pick up their security updates")
	installer := Installer{Archive: archive, Debs: debs, Logger: b.Logger, Distro: distroVersions[suites[ctx.StackID]]}
	l, err := ctx.Layers.Layer(NativeLayer.Name)
	if err != nil {
		return result, fmt.Errorf("unable to create the %s layer\n%w", NativeLayer.Name, err)
	}
	if err := installer.Contribute(&l, NativeLayer, pkgs); err != nil {
		return result, err
	}
	if err := prune(debs, pkgs); err != nil {
		return result, err
	}
	result.Layers = append(result.Layers, l, cacheLayer)
	return result, nil
}

// shipping returns the package that ships soname, checked against its
// files, or nil.
func (b Builder) shipping(archive debian.Archive, index *debian.Index, soname, debs string) (*debian.Package, error) {
	for _, candidate := range index.SonameCandidates(soname) {
		file, _, err := archive.Download(candidate, debs)
		if err != nil {
			return nil, archiveProblem(err, Settings{})
		}
		ships, err := debian.PackageShips(file, soname)
		if err != nil {
			return nil, err
		}
		if ships {
			return candidate, nil
		}
	}
	return nil, nil
}

// debianLaunchPackages reads the packages (name → version) of
// onbuild/debian-packages' launch layer from its metadata, which the
// lifecycle restores even when the layer's files are not (a launch-only
// layer is reused from the image).
func debianLaunchPackages(tomlFile string) map[string]string {
	var layer struct {
		Metadata key `toml:"metadata"`
	}
	packages := map[string]string{}
	if _, err := toml.DecodeFile(tomlFile, &layer); err != nil {
		return packages
	}
	for _, p := range layer.Metadata.Packages {
		packages[p.Name] = p.Version
	}
	return packages
}

func readLines(path string) (map[string]bool, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	lines := map[string]bool{}
	scanner := bufio.NewScanner(f)
	for scanner.Scan() {
		if line := strings.TrimSpace(scanner.Text()); line != "" {
			lines[line] = true
		}
	}
	return lines, scanner.Err()
}
