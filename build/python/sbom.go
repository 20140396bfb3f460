package python

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/buildpacks/libcnb/v2"
	"github.com/onbuild-buildpacks/onbuild/build/python/lockfile"
)

// Distribution is one installed Python distribution, as its dist-info says.
type Distribution struct {
	Name    string
	Version string
	License string
}

// PURL is the package URL of a PyPI distribution: lower case, runs of
// "-_." as "-", per the purl spec's pypi type.
func (d Distribution) PURL() string {
	return fmt.Sprintf("pkg:pypi/%s@%s", lockfile.NormalizeName(d.Name), d.Version)
}

// Distributions lists what is installed in a venv, sorted by name.
func Distributions(venvDir string) ([]Distribution, error) {
	metadata, err := filepath.Glob(filepath.Join(venvDir, "lib", "python*", "site-packages", "*.dist-info", "METADATA"))
	if err != nil {
		return nil, err
	}
	var found []Distribution
	for _, path := range metadata {
		d, err := readMetadata(path)
		if err != nil {
			return nil, err
		}
		found = append(found, d)
	}
	sort.Slice(found, func(i, j int) bool {
		return lockfile.NormalizeName(found[i].Name) < lockfile.NormalizeName(found[j].Name)
	})
	return found, nil
}

func readMetadata(path string) (Distribution, error) {
	file, err := os.Open(path)
	if err != nil {
		return Distribution{}, fmt.Errorf("unable to read %s\n%w", path, err)
	}
	defer file.Close()
	var d Distribution
	var classifierLicense string
	scanner := bufio.NewScanner(file)
	for scanner.Scan() {
		line := scanner.Text()
		if line == "" {
			break // the headers end where the description begins
		}
		key, value, ok := strings.Cut(line, ": ")
		switch {
		case !ok:
		case key == "Name":
			d.Name = value
		case key == "Version":
			d.Version = value
		case key == "License-Expression":
			d.License = value
		case key == "License" && d.License == "" && len(value) < 100 && value != "UNKNOWN":
			d.License = value
		case key == "Classifier" && strings.HasPrefix(value, "License :: OSI Approved :: "):
			classifierLicense = strings.TrimPrefix(value, "License :: OSI Approved :: ")
		}
	}
	if d.License == "" {
		d.License = classifierLicense
	}
	return d, scanner.Err()
}

// WriteSBOM writes CycloneDX and SPDX documents of the venv's distributions
// beside the layer, where the lifecycle collects launch SBOMs. Everything in
// them derives from the venv, timestamps included, so the image stays
// reproducible.
func WriteSBOM(layer libcnb.Layer) error {
	distributions, err := Distributions(layer.Path)
	if err != nil {
		return err
	}
	documents := map[libcnb.SBOMFormat]interface{}{
		libcnb.CycloneDXJSON: cycloneDX(distributions),
		libcnb.SPDXJSON:      spdx(distributions),
	}
	for format, document := range documents {
		content, err := json.MarshalIndent(document, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(layer.SBOMPath(format), content, 0644); err != nil {
			return fmt.Errorf("unable to write %s SBOM\n%w", format, err)
		}
	}
	return nil
}

func cycloneDX(distributions []Distribution) map[string]interface{} {
	components := []map[string]interface{}{}
	for _, d := range distributions {
		component := map[string]interface{}{"type": "library", "name": d.Name, "version": d.Version, "purl": d.PURL()}
		if d.License != "" {
			component["licenses"] = []map[string]interface{}{{"license": map[string]string{"name": d.License}}}
		}
		components = append(components, component)
	}
	return map[string]interface{}{"bomFormat": "CycloneDX", "specVersion": "1.4", "version": 1, "components": components}
}

func spdx(distributions []Distribution) map[string]interface{} {
	packages := []map[string]interface{}{}
	var ids []string
	for _, d := range distributions {
		license := d.License
		if license == "" {
			license = "NOASSERTION"
		}
		id := "SPDXRef-Package-" + lockfile.NormalizeName(d.Name)
		ids = append(ids, d.PURL())
		packages = append(packages, map[string]interface{}{
			"name": d.Name, "SPDXID": id, "versionInfo": d.Version,
			"downloadLocation": "NOASSERTION", "licenseConcluded": "NOASSERTION",
			"licenseDeclared": "NOASSERTION", "comment": "license as declared by the distribution: " + license,
			"externalRefs": []map[string]string{{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": d.PURL()}},
		})
	}
	sum := sha256.Sum256([]byte(strings.Join(ids, "\n")))
	return map[string]interface{}{
		"spdxVersion": "SPDX-2.3", "dataLicense": "CC0-1.0", "SPDXID": "SPDXRef-DOCUMENT",
		"name":              "python-venv",
		"documentNamespace": "https://github.com/onbuild-buildpacks/onbuild/sbom/python-venv/" + hex.EncodeToString(sum[:8]),
		"creationInfo":      map[string]interface{}{"created": "1980-01-01T00:00:01Z", "creators": []string{"Tool: onbuild-python"}},
		"packages":          packages,
	}
}
