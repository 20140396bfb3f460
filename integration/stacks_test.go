package integration_test

import (
	"encoding/json"
	"os/exec"
	"strconv"
	"strings"
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

	it("keeps the python run image at most 45 MB, its package records true to its files", func() {
		out, err := exec.Command("docker", "image", "inspect", "-f", "{{.Size}}", pythonRunImage).Output()
		Expect(err).NotTo(HaveOccurred())
		Expect(strconv.ParseInt(strings.TrimSpace(string(out)), 10, 64)).To(BeNumerically("<=", 45_000_000), pythonRunImage)

		// What stacks/build.sh removes goes from dpkg's file lists too; a
		// package left out has no record; nothing links a library the image
		// lacks (the modules of the libraries left out went with them).
		cmd := exec.Command("docker", "run", "--rm", "-i", "--entrypoint", "python3", pythonRunImage, "-")
		cmd.Stdin = strings.NewReader(recordsCheck)
		checked, err := cmd.CombinedOutput()
		Expect(err).NotTo(HaveOccurred(), string(checked))
		Expect(string(checked)).To(Equal("missing: 0 []\nsame records: True\nunresolved: []\n"))
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

// recordsCheck runs in the python run image: the paths dpkg's file lists
// name that are not there, whether status.d and dpkg's status name the
// same packages, and the shared objects a file in /usr links (DT_NEEDED,
// read from the ELF headers: the image has no ldd) that no file in
// /usr/lib is named.
const recordsCheck = `import glob, os
# dpkg's file lists name only what the image holds.
missing = [p for f in glob.glob("/var/lib/dpkg/info/*.list") for p in open(f).read().split("\n") if p and not os.path.lexists(p)]
print("missing:", len(missing), missing[:5])
# status.d and dpkg's status name the same packages.
status = sorted(l.split()[1] for l in open("/var/lib/dpkg/status") if l.startswith("Package: "))
print("same records:", status == sorted(os.listdir("/var/lib/dpkg/status.d")))
# every shared object a file links is in the image
import struct
def needed(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] != b"\x7fELF" or data[4] != 2:
        return []
    shoff, = struct.unpack_from("<Q", data, 0x28); shentsize, shnum = struct.unpack_from("<HH", data, 0x3A)
    sections = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize) for i in range(shnum)]
    out = []
    for s in sections:
        if s[1] == 6:  # SHT_DYNAMIC
            strtab = sections[s[6]]
            for off in range(s[4], s[4] + s[5], 16):
                tag, val = struct.unpack_from("<qQ", data, off)
                if tag == 1:
                    end = data.index(b"\0", strtab[4] + val)
                    out.append(data[strtab[4] + val:end].decode())
    return out
libs = set(os.path.basename(p) for d in ("/usr/lib", "/usr/lib64") for p in glob.glob(d + "/**/*", recursive=True))
unresolved = set()
for d in ("/usr/bin", "/usr/lib"):
    for p in glob.glob(d + "/**/*", recursive=True):
        if os.path.isfile(p) and not os.path.islink(p) and (".so" in p or d == "/usr/bin"):
            unresolved |= {n for n in needed(p) if n not in libs}
print("unresolved:", sorted(unresolved))
`
