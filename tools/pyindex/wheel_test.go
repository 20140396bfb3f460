package pyindex_test

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	. "github.com/onsi/gomega"
	"github.com/sclevine/spec"
	"github.com/sclevine/spec/report"

	"github.com/onbuild-buildpacks/onbuild/tools/pyindex"
)

func TestWheel(t *testing.T) {
	spec.Run(t, "Wheel", testWheel, spec.Report(report.Terminal{}))
}

// writeTree makes files (path → content) under root.
func writeTree(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for p, content := range files {
		full := filepath.Join(root, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// readWheel returns the members of a wheel, in archive order, and their
// contents.
func readWheel(t *testing.T, path string) ([]string, map[string][]byte) {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var names []string
	contents := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, f.Name)
		contents[f.Name] = data
	}
	return names, contents
}

const sp = "usr/lib/python3/dist-packages/"

const flaskPkgInfo = `Metadata-Version: 2.1
Name: Flask
Version: 2.2.2
Summary: A simple framework for building complex web applications.
Requires-Python: >=3.7
Description-Content-Type: text/x-rst

Flask
=====

Requires-Dist: this line is description, not a header
`

const flaskRequires = `
[:python_version < "3.10"]
importlib-metadata>=3.6.0

[async]
asgiref>=3.2

[dotenv]
python-dotenv

[win:platform_system == "Windows"]
colorama
`

func testWheel(t *testing.T, when spec.G, it spec.S) {
	var Expect = NewWithT(t).Expect

	when("hashing RECORD entries", func() {
		it("writes sha256 in urlsafe base64 without padding", func() {
			Expect(pyindex.RecordHash([]byte("hello\n"))).To(Equal("sha256=WJG1tSLV3whtD_CxEPvZ0hu0_HFjrzTQgoai6Eb2vgM"))
			// This digest has both characters where urlsafe differs.
			Expect(pyindex.RecordHash(bytes.Repeat([]byte{0xfb, 0xff}, 7))).To(Equal("sha256=nax8fUWEF2deUUCT-9PrKbotcv9joLf185xG6ZtkALI"))
		})
	})

	when("converting egg-info metadata", func() {
		it("adds requires.txt as Requires-Dist and Provides-Extra in the header block", func() {
			md := string(pyindex.EggInfoToMetadata([]byte(flaskPkgInfo), []byte(flaskRequires)))
			Expect(md).To(HavePrefix("Metadata-Version: 2.1\nName: Flask\nVersion: 2.2.2\n"))
			Expect(md).To(ContainSubstring("Description-Content-Type: text/x-rst\n" +
				"Requires-Dist: importlib-metadata>=3.6.0; (python_version < \"3.10\")\n" +
				"Provides-Extra: async\n" +
				"Requires-Dist: asgiref>=3.2; extra == \"async\"\n" +
				"Provides-Extra: dotenv\n" +
				"Requires-Dist: python-dotenv; extra == \"dotenv\"\n" +
				"Provides-Extra: win\n" +
				"Requires-Dist: colorama; (platform_system == \"Windows\") and extra == \"win\"\n" +
				"\nFlask\n=====\n"))
			Expect(md).To(HaveSuffix("Requires-Dist: this line is description, not a header\n"))
		})

		it("drops upstream's version bounds, keeping names, extras and markers", func() {
			md := string(pyindex.Unpin([]byte("Name: fastapi\nVersion: 0.92.0\n" +
				"Requires-Dist: starlette<0.26.0,>=0.25.0\n" +
				"Requires-Dist: pydantic (!=1.8,<2.0.0,>=1.6.2)\n" +
				"Requires-Dist: uvicorn[standard] >=0.12.0 ; extra == 'all'\n" +
				"Requires-Dist: colorama; platform_system == \"Windows\"\n" +
				"\nRequires-Dist: this line is description, not a header>=1\n")))
			Expect(md).To(Equal("Name: fastapi\nVersion: 0.92.0\n" +
				"Requires-Dist: starlette\n" +
				"Requires-Dist: pydantic\n" +
				"Requires-Dist: uvicorn[standard]; extra == 'all'\n" +
				"Requires-Dist: colorama; platform_system == \"Windows\"\n" +
				"\nRequires-Dist: this line is description, not a header>=1\n"))
		})

		it("keeps PKG-INFO as it is without requires.txt", func() {
			Expect(string(pyindex.EggInfoToMetadata([]byte(flaskPkgInfo), nil))).To(Equal(flaskPkgInfo))
		})

		it("does not repeat an extra PKG-INFO already provides", func() {
			md := string(pyindex.EggInfoToMetadata([]byte("Name: a\nVersion: 1\nProvides-Extra: async\n"), []byte("[async]\nasgiref\n")))
			Expect(md).To(Equal("Name: a\nVersion: 1\nProvides-Extra: async\nRequires-Dist: asgiref; extra == \"async\"\n"))
		})
	})

	when("converting a Debian package tree with an egg-info", func() {
		var root, out string
		var warnings bytes.Buffer

		it.Before(func() {
			root, out = t.TempDir(), t.TempDir()
			warnings.Reset()
			writeTree(t, root, map[string]string{
				sp + "Flask-2.2.2.egg-info/PKG-INFO":             flaskPkgInfo,
				sp + "Flask-2.2.2.egg-info/requires.txt":         flaskRequires,
				sp + "Flask-2.2.2.egg-info/entry_points.txt":     "[console_scripts]\nflask = flask.cli:main\n",
				sp + "Flask-2.2.2.egg-info/top_level.txt":        "flask\n",
				sp + "Flask-2.2.2.egg-info/SOURCES.txt":          "setup.py\n",
				sp + "Flask-2.2.2.egg-info/dependency_links.txt": "\n",
				sp + "flask/__init__.py":                         "__version__ = '2.2.2'\n",
				sp + "flask/cli.py":                              "def main(): pass\n",
				sp + "flask/__pycache__/cli.cpython-311.pyc":     "bytecode",
				sp + "flask/static/app.js":                       "// vendored\n",
				"usr/share/javascript/app/app.js":                "// shared\n",
				"usr/bin/flask":                                  "#!/usr/bin/python3\n",
			})
			Expect(os.Symlink("/usr/share/javascript/app/app.js", filepath.Join(root, sp, "flask/linked.js"))).To(Succeed())
			Expect(os.Symlink("/usr/share/javascript/jquery/jquery.js", filepath.Join(root, sp, "flask/jquery.js"))).To(Succeed())
			Expect(os.Symlink("../../../../../../../../etc/passwd", filepath.Join(root, sp, "flask/escape.txt"))).To(Succeed())
		})

		it("writes a wheel named after the normalized project", func() {
			w, err := pyindex.ConvertTree(root, out, &warnings)
			Expect(err).NotTo(HaveOccurred())
			Expect(w).To(Equal(pyindex.Wheel{Name: "Flask", Version: "2.2.2", Project: "flask", Filename: "flask-2.2.2-py3-none-any.whl"}))
			Expect(filepath.Join(out, "flask-2.2.2-py3-none-any.whl")).To(BeARegularFile())
		})

		it("turns egg-info into dist-info and leaves out bytecode and files outside dist-packages", func() {
			w, err := pyindex.ConvertTree(root, out, &warnings)
			Expect(err).NotTo(HaveOccurred())
			names, contents := readWheel(t, filepath.Join(out, w.Filename))
			Expect(names).To(Equal([]string{
				"flask/__init__.py",
				"flask/cli.py",
				"flask/linked.js",
				"flask/static/app.js",
				"flask-2.2.2.dist-info/METADATA",
				"flask-2.2.2.dist-info/WHEEL",
				"flask-2.2.2.dist-info/entry_points.txt",
				"flask-2.2.2.dist-info/top_level.txt",
				"flask-2.2.2.dist-info/RECORD",
			}))
			Expect(string(contents["flask-2.2.2.dist-info/METADATA"])).To(ContainSubstring("Provides-Extra: async\n"))
			Expect(string(contents["flask-2.2.2.dist-info/entry_points.txt"])).To(Equal("[console_scripts]\nflask = flask.cli:main\n"))
			Expect(string(contents["flask-2.2.2.dist-info/top_level.txt"])).To(Equal("flask\n"))
			Expect(string(contents["flask-2.2.2.dist-info/WHEEL"])).To(SatisfyAll(
				HavePrefix("Wheel-Version: 1.0\n"),
				ContainSubstring("Root-Is-Purelib: true\n"),
				ContainSubstring("Tag: py3-none-any\n"),
			))
		})

		it("follows symlinks that stay in the package and warns about the rest", func() {
			w, err := pyindex.ConvertTree(root, out, &warnings)
			Expect(err).NotTo(HaveOccurred())
			_, contents := readWheel(t, filepath.Join(out, w.Filename))
			Expect(string(contents["flask/linked.js"])).To(Equal("// shared\n"))
			Expect(warnings.String()).To(SatisfyAll(
				ContainSubstring("skipping flask/jquery.js"),
				ContainSubstring("skipping flask/escape.txt"),
			))
		})

		it("writes a RECORD whose hashes and sizes match every member", func() {
			w, err := pyindex.ConvertTree(root, out, &warnings)
			Expect(err).NotTo(HaveOccurred())
			names, contents := readWheel(t, filepath.Join(out, w.Filename))
			rows, err := csv.NewReader(bytes.NewReader(contents["flask-2.2.2.dist-info/RECORD"])).ReadAll()
			Expect(err).NotTo(HaveOccurred())
			Expect(rows).To(HaveLen(len(names)))
			for _, row := range rows {
				Expect(row).To(HaveLen(3))
				if row[0] == "flask-2.2.2.dist-info/RECORD" {
					Expect(row[1:]).To(Equal([]string{"", ""}))
					continue
				}
				Expect(contents).To(HaveKey(row[0]))
				Expect(row[1]).To(Equal(pyindex.RecordHash(contents[row[0]])), row[0])
				Expect(row[2]).To(Equal(strconv.Itoa(len(contents[row[0]]))), row[0])
			}
		})

		it("makes the same bytes every time", func() {
			w, err := pyindex.ConvertTree(root, out, nil)
			Expect(err).NotTo(HaveOccurred())
			first, err := os.ReadFile(filepath.Join(out, w.Filename))
			Expect(err).NotTo(HaveOccurred())
			out2 := t.TempDir()
			_, err = pyindex.ConvertTree(root, out2, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(os.ReadFile(filepath.Join(out2, w.Filename))).To(Equal(first))
		})
	})

	when("converting a Debian package tree with a dist-info", func() {
		it("keeps its metadata but drops what belonged to Debian's installation", func() {
			root, out := t.TempDir(), t.TempDir()
			writeTree(t, root, map[string]string{
				sp + "typing_extensions-4.4.0.dist-info/METADATA":         "Metadata-Version: 2.1\nName: typing_extensions\nVersion: 4.4.0\n",
				sp + "typing_extensions-4.4.0.dist-info/WHEEL":            "Wheel-Version: 1.0\nTag: py3-none-any\n",
				sp + "typing_extensions-4.4.0.dist-info/RECORD":           "stale\n",
				sp + "typing_extensions-4.4.0.dist-info/INSTALLER":        "debian\n",
				sp + "typing_extensions-4.4.0.dist-info/direct_url.json":  "{}",
				sp + "typing_extensions-4.4.0.dist-info/licenses/LICENSE": "PSF\n",
				sp + "typing_extensions.py":                               "x = 1\n",
			})
			w, err := pyindex.ConvertTree(root, out, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(w.Filename).To(Equal("typing_extensions-4.4.0-py3-none-any.whl"))
			Expect(w.Project).To(Equal("typing-extensions"))
			names, contents := readWheel(t, filepath.Join(out, w.Filename))
			Expect(names).To(Equal([]string{
				"typing_extensions.py",
				"typing_extensions-4.4.0.dist-info/METADATA",
				"typing_extensions-4.4.0.dist-info/WHEEL",
				"typing_extensions-4.4.0.dist-info/licenses/LICENSE",
				"typing_extensions-4.4.0.dist-info/RECORD",
			}))
			Expect(string(contents["typing_extensions-4.4.0.dist-info/WHEEL"])).To(ContainSubstring("Generator: onbuild-pyindex"))
			Expect(string(contents["typing_extensions-4.4.0.dist-info/RECORD"])).NotTo(ContainSubstring("stale"))
		})
	})

	when("the egg-info is a single file", func() {
		it("takes it as PKG-INFO", func() {
			root, out := t.TempDir(), t.TempDir()
			writeTree(t, root, map[string]string{
				sp + "six-1.16.0.egg-info": "Metadata-Version: 1.2\nName: six\nVersion: 1.16.0\n",
				sp + "six.py":              "PY3 = True\n",
			})
			w, err := pyindex.ConvertTree(root, out, nil)
			Expect(err).NotTo(HaveOccurred())
			names, contents := readWheel(t, filepath.Join(out, w.Filename))
			Expect(names).To(Equal([]string{"six.py", "six-1.16.0.dist-info/METADATA", "six-1.16.0.dist-info/WHEEL", "six-1.16.0.dist-info/RECORD"}))
			Expect(string(contents["six-1.16.0.dist-info/METADATA"])).To(Equal("Metadata-Version: 1.2\nName: six\nVersion: 1.16.0\n"))
		})
	})

	when("the tree is not a single Python distribution", func() {
		it("fails without dist-packages", func() {
			root := t.TempDir()
			writeTree(t, root, map[string]string{"usr/bin/tool": "x"})
			_, err := pyindex.ConvertTree(root, t.TempDir(), nil)
			Expect(err).To(MatchError(ContainSubstring("dist-packages")))
		})

		it("fails with two distributions", func() {
			root := t.TempDir()
			writeTree(t, root, map[string]string{
				sp + "a-1.egg-info/PKG-INFO": "Name: a\nVersion: 1\n",
				sp + "b-1.egg-info/PKG-INFO": "Name: b\nVersion: 1\n",
			})
			_, err := pyindex.ConvertTree(root, t.TempDir(), nil)
			Expect(err).To(MatchError(ContainSubstring("exactly one")))
		})
	})
}
