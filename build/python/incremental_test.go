package python_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/buildpacks/libcnb/v2"
	. "github.com/onsi/gomega"
	"github.com/paketo-buildpacks/libpak/v2/effect"
	"github.com/paketo-buildpacks/libpak/v2/log"
	"github.com/sclevine/spec"

	"github.com/onbuild-buildpacks/onbuild/build/python"
	"github.com/onbuild-buildpacks/onbuild/internal/fake"
)

// resolved is one entry of the report a fake pip dry run writes.
type resolved struct {
	name, version     string
	requested, direct bool
}

func testIncremental(t *testing.T, context spec.G, it spec.S) {
	var (
		Expect   = NewWithT(t).Expect
		executor *fake.Executor
		output   *bytes.Buffer
		layer    libcnb.Layer
		venv     python.Venv
		site     string
		// report is what the fake dry run resolves; install, what the fake
		// pip install adds to the venv.
		report  []resolved
		install []resolved
	)

	dist := func(name, version string, requested bool) {
		info := filepath.Join(site, name+"-"+version+".dist-info")
		Expect(os.MkdirAll(info, 0755)).To(Succeed())
		Expect(os.WriteFile(filepath.Join(info, "METADATA"), []byte("Metadata-Version: 2.1\nName: "+name+"\nVersion: "+version+"\n\nText\n"), 0644)).To(Succeed())
		record := name + "-" + version + ".dist-info/METADATA,,\n" + name + "/__init__.py,sha256=x,1\n" +
			name + "-" + version + ".dist-info/RECORD,,\n../../../bin/" + name + ",sha256=y,1\n"
		Expect(os.MkdirAll(filepath.Join(site, name, "__pycache__"), 0755)).To(Succeed())
		Expect(os.WriteFile(filepath.Join(site, name, "__init__.py"), nil, 0644)).To(Succeed())
		Expect(os.WriteFile(filepath.Join(site, name, "__pycache__", "__init__.cpython-313.pyc"), nil, 0644)).To(Succeed())
		Expect(os.MkdirAll(filepath.Join(layer.Path, "bin"), 0755)).To(Succeed())
		Expect(os.WriteFile(filepath.Join(layer.Path, "bin", name), nil, 0755)).To(Succeed())
		if requested {
			Expect(os.WriteFile(filepath.Join(info, "REQUESTED"), nil, 0644)).To(Succeed())
			record += name + "-" + version + ".dist-info/REQUESTED,,\n"
		}
		Expect(os.WriteFile(filepath.Join(info, "RECORD"), []byte(record), 0644)).To(Succeed())
	}
	commands := func() []string {
		var lines []string
		for _, e := range executor.Executions {
			lines = append(lines, strings.Join(e.Args, " "))
		}
		return lines
	}

	it.Before(func() {
		executor = &fake.Executor{}
		output = &bytes.Buffer{}
		layers := libcnb.Layers{Path: t.TempDir()}
		var err error
		layer, err = layers.Layer("venv")
		Expect(err).NotTo(HaveOccurred())
		site = filepath.Join(layer.Path, "lib", "python3.13", "site-packages")
		venv = python.Venv{
			AppDir:   t.TempDir(),
			Executor: executor,
			Logger:   log.NewPaketoLogger(output),
			Key: python.VenvKey{
				Requirements: map[string]string{"requirements.txt": "aaa"},
				Install:      []string{"--requirement requirements.txt"},
				Python:       "3.13.5",
				Pip:          "25.1.1",
				Stack:        "io.onbuild.stacks.trixie",
				PipConfig:    map[string]string{"PIP_INDEX_URL": "http://127.0.0.1:9/simple/"},
			},
		}
		// The first build, from scratch: flask and six asked for.
		Expect(venv.Contribute(&layer)).To(Succeed())
		Expect(os.WriteFile(filepath.Join(layer.Path, "pyvenv.cfg"), []byte("home = /usr/bin\n"), 0644)).To(Succeed())
		dist("flask", "3.1.1", true)
		dist("werkzeug", "3.1.3", false)
		dist("six", "1.17.0", true)
		Expect(os.MkdirAll(filepath.Join(site, "__pycache__"), 0755)).To(Succeed())
		for _, hook := range []string{"_onbuild_find_library.py", "_onbuild_find_library.pth", "__pycache__/_onbuild_find_library.cpython-313.pyc"} {
			Expect(os.WriteFile(filepath.Join(site, hook), nil, 0644)).To(Succeed())
		}
		executor.Executions = nil
		output.Reset()

		report, install = nil, nil
		executor.Run = func(e effect.Execution) error {
			args := strings.Join(e.Args, " ")
			switch {
			case strings.Contains(args, "--dry-run"):
				var doc struct {
					Install []map[string]interface{} `json:"install"`
				}
				for _, r := range report {
					doc.Install = append(doc.Install, map[string]interface{}{
						"metadata":  map[string]string{"name": r.name, "version": r.version},
						"requested": r.requested, "is_direct": r.direct})
				}
				raw, err := json.Marshal(doc)
				Expect(err).NotTo(HaveOccurred())
				path := e.Args[len(e.Args)-3]
				return os.WriteFile(path, raw, 0644)
			case strings.Contains(args, " install "):
				for _, r := range install {
					dist(r.name, r.version, r.requested)
				}
			}
			return nil
		}
		venv.Key.Requirements = map[string]string{"requirements.txt": "bbb"}
	})

	it("removes what the new requirements no longer pull in and installs what they add, in the restored venv", func() {
		// six removed; werkzeug now asked for itself; click added.
		report = []resolved{{"Flask", "3.1.1", true, false}, {"werkzeug", "3.1.3", true, false}, {"click", "8.1.8", false, false}}
		install = []resolved{{"werkzeug", "3.1.3", true, false}, {"click", "8.1.8", false, false}}
		Expect(venv.Contribute(&layer)).To(Succeed())

		Expect(output.String()).To(ContainSubstring("Only the requirements changed: updating the virtualenv in place"))
		Expect(output.String()).To(ContainSubstring("Removing six, werkzeug"))
		Expect(output.String()).NotTo(ContainSubstring("from scratch"))
		Expect(commands()).To(HaveLen(2))
		Expect(commands()[0]).To(ContainSubstring("install --no-input --disable-pip-version-check --progress-bar off --src " +
			filepath.Join(layer.Path, "src") + " --dry-run --ignore-installed --quiet --report "))
		Expect(commands()[0]).To(HaveSuffix(" --requirement requirements.txt"))
		Expect(commands()[1]).To(HaveSuffix("--src " + filepath.Join(layer.Path, "src") + " --requirement requirements.txt"))
		// six's files went as its RECORD says, folders and script included;
		// werkzeug's were reinstalled, now REQUESTED.
		Expect(filepath.Join(site, "six")).NotTo(BeADirectory())
		Expect(filepath.Join(site, "six-1.17.0.dist-info")).NotTo(BeADirectory())
		Expect(filepath.Join(layer.Path, "bin", "six")).NotTo(BeAnExistingFile())
		Expect(filepath.Join(site, "werkzeug-3.1.3.dist-info", "REQUESTED")).To(BeAnExistingFile())
		Expect(filepath.Join(site, "flask", "__init__.py")).To(BeAnExistingFile())
		Expect(filepath.Join(layer.Path, "bin", "flask")).To(BeAnExistingFile())
		Expect(filepath.Join(layer.Path, "bin")).To(BeADirectory())
		Expect(layer.Metadata).To(HaveKeyWithValue("requirements", map[string]interface{}{"requirements.txt": "bbb"}))
		Expect(layer.LayerTypes).To(Equal(python.VenvLayer.Types))
		leftovers, err := filepath.Glob(filepath.Join(site, "*_onbuild_find_library*"))
		Expect(err).NotTo(HaveOccurred())
		Expect(leftovers).To(BeEmpty(), "the hook is written again after pip, its bytecode never")
		Expect(filepath.Join(site, "__pycache__")).NotTo(BeADirectory())

		// The next build finds the key it wrote and reuses the venv.
		executor.Executions = nil
		Expect(venv.Contribute(&layer)).To(Succeed())
		Expect(executor.Executions).To(BeEmpty())
		Expect(output.String()).To(ContainSubstring("Reusing cached layer"))
	})

	it("runs no pip install when a requirement was only removed", func() {
		report = []resolved{{"flask", "3.1.1", true, false}, {"werkzeug", "3.1.3", false, false}}
		Expect(venv.Contribute(&layer)).To(Succeed())

		Expect(output.String()).To(ContainSubstring("Removing six"))
		Expect(commands()).To(HaveLen(1))
		Expect(commands()[0]).To(ContainSubstring("--dry-run"))
		Expect(filepath.Join(site, "six-1.17.0.dist-info")).NotTo(BeADirectory())
		Expect(layer.Metadata).To(HaveKeyWithValue("requirements", map[string]interface{}{"requirements.txt": "bbb"}))
	})

	it("rebuilds from scratch when a RECORD to remove names a file outside the venv", func() {
		record := filepath.Join(site, "six-1.17.0.dist-info", "RECORD")
		Expect(os.WriteFile(record, []byte("../../../../../etc/passwd,,\n"), 0644)).To(Succeed())
		report = []resolved{{"flask", "3.1.1", true, false}, {"werkzeug", "3.1.3", false, false}}
		Expect(venv.Contribute(&layer)).To(Succeed())

		Expect(output.String()).To(ContainSubstring("Rebuilding the virtualenv from scratch: not updatable: " + record + " lists ../../../../../etc/passwd, outside the venv"))
		Expect(commands()[1]).To(HavePrefix("-m venv"))
	})

	it("rebuilds from scratch when the updated venv is not what pip resolved", func() {
		report = []resolved{{"flask", "3.1.1", true, false}, {"werkzeug", "3.1.3", false, false}, {"click", "8.1.8", false, false}}
		Expect(venv.Contribute(&layer)).To(Succeed())

		Expect(output.String()).To(ContainSubstring("Rebuilding the virtualenv from scratch: the updated virtualenv is not what pip resolved: click 8.1.8 required, not installed"))
		Expect(commands()[len(commands())-2]).To(Equal("-m venv --without-pip " + layer.Path))
		Expect(layer.Metadata).To(HaveKeyWithValue("requirements", map[string]interface{}{"requirements.txt": "bbb"}))
		Expect(filepath.Join(layer.Path, "pyvenv.cfg")).NotTo(BeAnExistingFile(), "the old venv was removed first")
	})

	it("rebuilds from scratch when pip resolves a direct reference, whose files a version does not name", func() {
		report = []resolved{{"flask", "3.1.1", true, false}, {"mylib", "1.0", true, true}}
		Expect(venv.Contribute(&layer)).To(Succeed())

		Expect(output.String()).To(ContainSubstring("Rebuilding the virtualenv from scratch: not updatable: mylib is a direct reference"))
		Expect(commands()).To(HaveLen(3))
		Expect(commands()[1]).To(HavePrefix("-m venv"))
	})

	it("rebuilds from scratch when the dry run fails, and reports pip's failure from there", func() {
		executor.Run = func(e effect.Execution) error {
			if strings.Contains(strings.Join(e.Args, " "), "--requirement") {
				e.Stderr.Write([]byte("ERROR: No matching distribution found for nosuchpkg==1.0\n"))
				return errors.New("exit status 1")
			}
			return nil
		}
		err := venv.Contribute(&layer)
		Expect(err).To(MatchError(ContainSubstring("[Error: Python package not found]")))
		Expect(output.String()).To(ContainSubstring("Rebuilding the virtualenv from scratch"))
	})

	for _, change := range []struct {
		name   string
		change func(*python.VenvKey)
	}{
		{"Python", func(k *python.VenvKey) { k.Python = "3.13.6" }},
		{"pip", func(k *python.VenvKey) { k.Pip = "25.2" }},
		{"stack", func(k *python.VenvKey) { k.Stack = "io.onbuild.stacks.bookworm" }},
		{"a pip setting", func(k *python.VenvKey) {
			k.PipConfig = map[string]string{"PIP_INDEX_URL": "http://127.0.0.1:10/simple/"}
		}},
		{"a lock file", func(k *python.VenvKey) { k.Lock = []string{"file uv.lock"}; k.Install = nil }},
		{"the project's declarations", func(k *python.VenvKey) { k.Project = map[string]string{"pyproject.toml": "ccc"} }},
		{"a second install step", func(k *python.VenvKey) { k.Install = append(k.Install, "--editable .") }},
		{"the wheelhouse", func(k *python.VenvKey) { k.Wheelhouse = map[string]string{"wheelhouse/a.whl": "ddd"} }},
	} {
		change := change
		it("rebuilds from scratch when "+change.name+" changed with the requirements", func() {
			change.change(&venv.Key)
			if len(venv.Key.Lock) > 0 {
				venv.Lock = &python.LockInstall{}
			}
			_ = venv.Contribute(&layer)
			Expect(output.String()).NotTo(ContainSubstring("in place"))
			Expect(commands()).NotTo(ContainElement(ContainSubstring("--dry-run")))
			Expect(commands()[0]).To(HavePrefix("-m venv"))
		})
	}
}
