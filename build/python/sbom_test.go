package python_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/buildpacks/libcnb/v2"
	. "github.com/onsi/gomega"
	"github.com/sclevine/spec"

	"github.com/onbuild-buildpacks/onbuild/build/python"
)

func testSBOM(t *testing.T, context spec.G, it spec.S) {
	var (
		Expect = NewWithT(t).Expect
		layer  libcnb.Layer
		dist   = func(dir, metadata string) {
			path := filepath.Join(layer.Path, "lib", "python3.11", "site-packages", dir)
			Expect(os.MkdirAll(path, 0755)).To(Succeed())
			Expect(os.WriteFile(filepath.Join(path, "METADATA"), []byte(metadata), 0644)).To(Succeed())
		}
	)

	it.Before(func() {
		layers := libcnb.Layers{Path: t.TempDir()}
		var err error
		layer, err = layers.Layer("venv")
		Expect(err).NotTo(HaveOccurred())
		dist("Flask-2.2.2.dist-info", "Metadata-Version: 2.1\nName: Flask\nVersion: 2.2.2\nLicense: BSD-3-Clause\n\nLicense: not a header\n")
		dist("zope.interface-5.5.dist-info", "Name: zope.interface\nVersion: 5.5\nClassifier: License :: OSI Approved :: Zope Public License\n")
	})

	it("lists the venv's distributions with versions, licenses and purls", func() {
		found, err := python.Distributions(layer.Path)
		Expect(err).NotTo(HaveOccurred())
		Expect(found).To(Equal([]python.Distribution{
			{Name: "Flask", Version: "2.2.2", License: "BSD-3-Clause"},
			{Name: "zope.interface", Version: "5.5", License: "Zope Public License"},
		}))
		Expect(found[1].PURL()).To(Equal("pkg:pypi/zope-interface@5.5"))
	})

	it("writes CycloneDX and SPDX documents beside the layer", func() {
		Expect(python.WriteSBOM(layer)).To(Succeed())

		var cdx struct {
			BOMFormat  string
			Components []struct{ Name, Version, Purl string }
		}
		content, err := os.ReadFile(layer.SBOMPath(libcnb.CycloneDXJSON))
		Expect(err).NotTo(HaveOccurred())
		Expect(json.Unmarshal(content, &cdx)).To(Succeed())
		Expect(cdx.BOMFormat).To(Equal("CycloneDX"))
		Expect(cdx.Components[0].Purl).To(Equal("pkg:pypi/flask@2.2.2"))

		content, err = os.ReadFile(layer.SBOMPath(libcnb.SPDXJSON))
		Expect(err).NotTo(HaveOccurred())
		Expect(string(content)).To(ContainSubstring(`"referenceLocator": "pkg:pypi/zope-interface@5.5"`))
		Expect(string(content)).To(ContainSubstring(`"created": "1980-01-01T00:00:01Z"`))
	})
}
