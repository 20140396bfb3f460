package integration_test

import (
	"encoding/json"
	"os/exec"
	"testing"

	. "github.com/onsi/gomega"
	"github.com/sclevine/spec"
)

func testStacks(t *testing.T, context spec.G, it spec.S) {
	var Expect = NewWithT(t).Expect

	type imageConfig struct {
		Os           string
		Architecture string
		Config       struct {
			User   string
			Labels map[string]string
		}
	}
	inspect := func(image string) imageConfig {
		out, err := exec.Command("docker", "image", "inspect", image).Output()
		Expect(err).NotTo(HaveOccurred())
		var configs []imageConfig
		Expect(json.Unmarshal(out, &configs)).To(Succeed())
		Expect(configs).To(HaveLen(1))
		return configs[0]
	}

	it("labels the build and run images for the platform spec and kpack", func() {
		for _, image := range []string{buildImage, pythonRunImage} {
			config := inspect(image)
			Expect(config.Os).To(Equal("linux"), image)
			Expect(config.Architecture).To(Equal("amd64"), image)
			Expect(config.Config.User).To(Equal("1000:1000"), image)
			Expect(config.Config.Labels).To(HaveKeyWithValue("io.buildpacks.stack.id", stackID), image)
			Expect(config.Config.Labels).To(HaveKeyWithValue("io.buildpacks.base.distro.name", "debian"), image)
			Expect(config.Config.Labels).To(HaveKeyWithValue("io.buildpacks.base.distro.version", flavour.debian), image)
		}
	})

	it("keeps compilers, package managers and pip out of the python run image", func() {
		out, err := inImage(pythonRunImage, "sh", "-c", "command -v gcc cc make apt apt-get dpkg pip pip3 git hg; true")
		Expect(err).NotTo(HaveOccurred())
		Expect(out).To(BeEmpty())

		out, err = inImage(pythonRunImage, "python3", "-m", "pip", "--version")
		Expect(err).To(HaveOccurred())
		Expect(out).To(ContainSubstring("No module named pip"))

		// An app's HTTPS calls through the standard library need the CA
		// bundle where OpenSSL looks by default, and zoneinfo needs tzdata.
		out, err = inImage(pythonRunImage, "python3", "-c", "import asyncio, ctypes, dbm, email, json, ssl, sqlite3, zoneinfo; zoneinfo.ZoneInfo('Europe/Paris'); 'é'.encode('cp1252'); print(ssl.create_default_context().cert_store_stats()['x509_ca'] > 100)")
		Expect(err).NotTo(HaveOccurred(), out)
		Expect(out).To(Equal("True\n"))
	})

	it("runs builds as cnb 1000:1000 with Python tooling and without git or hg", func() {
		out, err := inImage(buildImage, "sh", "-c", "id -u; id -g; python3 -m venv /tmp/v && /tmp/v/bin/pip --version && gcc --version | head -1; command -v git hg; true")
		Expect(err).NotTo(HaveOccurred(), out)
		Expect(out).To(HavePrefix("1000\n1000\n"))
		Expect(out).To(ContainSubstring("pip "))
		Expect(out).To(ContainSubstring("gcc"))
		Expect(out).NotTo(ContainSubstring("/git"))
		Expect(out).NotTo(ContainSubstring("/hg"))
	})
}
