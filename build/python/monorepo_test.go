package python_test

import (
	"bytes"
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
	"github.com/onbuild-buildpacks/onbuild/build/python/lockfile"
	"github.com/onbuild-buildpacks/onbuild/internal/appdir"
	"github.com/onbuild-buildpacks/onbuild/internal/fake"
	"github.com/onbuild-buildpacks/onbuild/internal/problem"
)

func testMonorepo(t *testing.T, context spec.G, it spec.S) {
	var (
		Expect   = NewWithT(t).Expect
		ctx      libcnb.BuildContext
		executor *fake.Executor
		output   *bytes.Buffer
		// read are the requirements files pip was given, by their name
		// in the app, read while pip "ran".
		read map[string]string
	)

	build := func(env ...string) (libcnb.BuildResult, error) {
		output.Reset()
		builder := python.Builder{Logger: log.NewPaketoLogger(output), Executor: executor, Environ: append([]string{"PATH=/usr/bin"}, env...)}
		return builder.Build(ctx)
	}
	pipRuns := func() []effect.Execution {
		var runs []effect.Execution
		for _, e := range executor.Executions {
			if strings.Contains(strings.Join(e.Args, " "), "pip --python") {
				runs = append(runs, e)
			}
		}
		return runs
	}

	it.Before(func() {
		ctx = buildContext(t)
		read = map[string]string{}
		executor = &fake.Executor{Run: func(e effect.Execution) error {
			answerVersionProbe(e)
			for i, arg := range e.Args {
				if arg == "--requirement" {
					content, err := os.ReadFile(e.Args[i+1])
					if !filepath.IsAbs(e.Args[i+1]) {
						content, err = os.ReadFile(filepath.Join(e.Dir, e.Args[i+1]))
					}
					Expect(err).NotTo(HaveOccurred())
					read[filepath.Base(e.Args[i+1])] = string(content)
				}
			}
			return nil
		}}
		output = &bytes.Buffer{}
		fake.WriteFiles(t, ctx.ApplicationPath, map[string]string{
			"services/web/requirements.txt": "flask==3.1.1\n-e ../../libs/core  # shared code\n",
			"services/web/main.py":          "",
			"services/web/Procfile":         "web: python main.py\n",
			"libs/core/pyproject.toml":      "[project]\nname = \"core\"\nversion = \"1.0\"\n",
			"libs/core/core/__init__.py":    "X = 1\n",
			"docs/index.md":                 "docs\n",
			"README.md":                     "repo\n",
		})
	})

	it("installs the sibling non-editable from the app folder, keys the venv on its content, and leaves the app alone in the image", func() {
		result, err := build("BP_APP_DIR=services/web")
		Expect(err).NotTo(HaveOccurred(), output.String())
		web := filepath.Join(ctx.ApplicationPath, "services", "web")

		runs := pipRuns()
		Expect(runs).NotTo(BeEmpty())
		Expect(runs[len(runs)-1].Dir).To(Equal(web))
		Expect(read["requirements.txt"]).To(Equal("flask==3.1.1\n" + filepath.Join(ctx.ApplicationPath, "libs", "core") + "\n"))

		venv := result.Layers[1].Metadata
		Expect(venv).To(HaveKeyWithValue("app", "services/web"))
		Expect(venv["paths"]).To(HaveKey("libs/core"))

		Expect(result.Processes).To(HaveLen(1))
		Expect(result.Processes[0].WorkingDirectory).To(Equal(web))
		Expect(filepath.Join(web, "main.py")).To(BeAnExistingFile())
		for _, gone := range []string{"libs", "docs", "README.md"} {
			Expect(filepath.Join(ctx.ApplicationPath, gone)).NotTo(BeAnExistingFile())
		}
		Expect(output.String()).To(ContainSubstring("The image holds the app services/web and nothing else: removed 3 other entries of the repository"))
	})

	it("changes the venv key with the shared library, not with the rest of the repository", func() {
		snapshot := t.TempDir()
		Expect(os.CopyFS(snapshot, os.DirFS(ctx.ApplicationPath))).To(Succeed())
		key := func(edit func()) map[string]interface{} {
			Expect(os.RemoveAll(ctx.ApplicationPath)).To(Succeed())
			Expect(os.CopyFS(ctx.ApplicationPath, os.DirFS(snapshot))).To(Succeed())
			edit()
			ctx.Layers = libcnb.Layers{Path: t.TempDir()}
			result, err := build("BP_APP_DIR=services/web")
			Expect(err).NotTo(HaveOccurred(), output.String())
			return result.Layers[1].Metadata
		}
		first := key(func() {})
		Expect(key(func() {
			fake.WriteFiles(t, ctx.ApplicationPath, map[string]string{"docs/index.md": "new docs\n", "services/web/main.py": "print(1)\n"})
		})).To(Equal(first))
		Expect(key(func() {
			fake.WriteFiles(t, ctx.ApplicationPath, map[string]string{"libs/core/core/__init__.py": "X = 2\n"})
		})).NotTo(Equal(first))

		// What the log says when the shared library changed.
		previous := python.VenvKey{Paths: map[string]string{"libs/core": "old"}, App: "services/web"}
		current := python.VenvKey{Paths: map[string]string{"libs/core": "new"}, App: "services/web"}
		Expect(current.Reasons(previous)).To(Equal([]string{"libs/core changed"}))
	})

	it("keeps a folder BP_APP_KEEP names, and its editable install", func() {
		result, err := build("BP_APP_DIR=services/web", "BP_APP_KEEP=libs/core")
		Expect(err).NotTo(HaveOccurred(), output.String())
		Expect(read["requirements.txt"]).To(ContainSubstring("-e ../../libs/core"))
		Expect(filepath.Join(ctx.ApplicationPath, "libs", "core", "pyproject.toml")).To(BeAnExistingFile())
		Expect(filepath.Join(ctx.ApplicationPath, "docs")).NotTo(BeAnExistingFile())
		Expect(result.Layers[1].Metadata["paths"]).To(HaveKey("libs/core"))
	})

	it("gives two apps of one repository different venv keys", func() {
		fake.WriteFiles(t, ctx.ApplicationPath, map[string]string{"services/admin/requirements.txt": "flask==3.1.1\n-e ../../libs/core\n", "services/admin/main.py": ""})
		snapshot := t.TempDir()
		Expect(os.CopyFS(snapshot, os.DirFS(ctx.ApplicationPath))).To(Succeed())
		web, err := build("BP_APP_DIR=services/web")
		Expect(err).NotTo(HaveOccurred())
		Expect(os.RemoveAll(ctx.ApplicationPath)).To(Succeed())
		Expect(os.CopyFS(ctx.ApplicationPath, os.DirFS(snapshot))).To(Succeed())
		ctx.Layers = libcnb.Layers{Path: t.TempDir()}
		admin, err := build("BP_APP_DIR=services/admin")
		Expect(err).NotTo(HaveOccurred())
		Expect(admin.Layers[1].Metadata["app"]).To(Equal("services/admin"))
		Expect(admin.Layers[1].Metadata).NotTo(Equal(web.Layers[1].Metadata))
	})

	it("refuses a path dependency outside the upload, with the pack build --path fix", func() {
		fake.WriteFiles(t, ctx.ApplicationPath, map[string]string{"services/web/requirements.txt": "-e ../../../elsewhere/lib\n"})
		_, err := build("BP_APP_DIR=services/web")
		Expect(err).To(BeAssignableToTypeOf(problem.Problem{}))
		Expect(err.Error()).To(ContainSubstring("Path dependency outside the upload"))
		Expect(err.Error()).To(ContainSubstring("requirements.txt installs ../../../elsewhere/lib"))
		Expect(err.Error()).To(ContainSubstring("pack build --path"))
		Expect(pipRuns()).To(BeEmpty())
	})

	it("refuses a BP_APP_DIR outside the upload, and says what detection found", func() {
		_, err := build("BP_APP_DIR=../x")
		Expect(err).To(MatchError(ContainSubstring("App folder outside the upload")))

		ctx.Plan.Entries = []libcnb.BuildpackPlanEntry{{Name: "python-venv", Metadata: map[string]interface{}{"app-problem": "[Error: No app in services (BP_APP_DIR)]\n"}}}
		_, err = build("BP_APP_DIR=services")
		Expect(err).To(MatchError("[Error: No app in services (BP_APP_DIR)]\n"))
	})

	context("uv workspace", func() {
		it.Before(func() {
			Expect(os.RemoveAll(ctx.ApplicationPath)).To(Succeed())
			Expect(os.MkdirAll(ctx.ApplicationPath, 0755)).To(Succeed())
			Expect(os.CopyFS(ctx.ApplicationPath, os.DirFS("testdata/uv-workspace"))).To(Succeed())
		})

		it("installs only the member's closure from the workspace lock, hash-checked, with the library non-editable", func() {
			result, err := build("BP_APP_DIR=apps/api")
			Expect(err).NotTo(HaveOccurred(), output.String())
			Expect(output.String()).To(ContainSubstring("Installing uv.lock (uv): 9 locked distributions for the production dependencies"))
			Expect(output.String()).To(ContainSubstring("uv workspace at the upload root: installing the member apps/api and what it uses, nothing of the other members"))
			Expect(read["hashed.txt"]).To(ContainSubstring("flask==3.1.1"))
			Expect(read["hashed.txt"]).To(ContainSubstring("--hash=sha256:"))
			Expect(read["hashed.txt"]).To(ContainSubstring("itsdangerous==2.2.0"))
			Expect(read["hashed.txt"]).NotTo(ContainSubstring("six"))
			Expect(read["sources.txt"]).To(Equal("./../../libs/common\n"))
			runs := pipRuns()
			last := runs[len(runs)-1]
			Expect(last.Dir).To(Equal(filepath.Join(ctx.ApplicationPath, "apps", "api")))
			Expect(last.Args[len(last.Args)-3:]).To(Equal([]string{"--editable", ".", "--use-pep517"}))
			lock := result.Layers[1].Metadata["lock"]
			Expect(lock).To(ContainElement("file uv.lock"))
			Expect(lock).To(ContainElement(MatchRegexp(`^path \./\.\./\.\./libs/common [0-9a-f]{64}$|^path \.\./\.\./libs/common [0-9a-f]{64}$`)))
			Expect(result.Processes[0].WorkingDirectory).To(Equal(filepath.Join(ctx.ApplicationPath, "apps", "api")))
		})

		it("installs the worker's closure: six and the library, no Flask", func() {
			_, err := build("BP_APP_DIR=apps/worker")
			Expect(err).NotTo(HaveOccurred(), output.String())
			Expect(read["hashed.txt"]).To(ContainSubstring("six==1.17.0"))
			Expect(read["hashed.txt"]).To(ContainSubstring("itsdangerous==2.2.0"))
			Expect(read["hashed.txt"]).NotTo(ContainSubstring("flask"))
		})
	})
}

func testLocalRequirement(t *testing.T, context spec.G, it spec.S) {
	Expect := NewWithT(t).Expect
	it("reads the local paths of requirement lines", func() {
		for line, want := range map[string]string{
			"-e ../../libs/core":                     "../../libs/core editable",
			"--editable=../lib#egg=lib":              "../lib editable",
			"../libs/common":                         "../libs/common",
			"./vendor/pkg[extra]":                    "./vendor/pkg",
			"common @ file:///workspace/libs/common": "/workspace/libs/common",
			"file:../libs/common#egg=common":         "../libs/common",
			"flask==3.1.1":                           "",
			"-r base.txt":                            "",
			"git+https://x.example.invalid/r.git":    "",
			"pkg @ https://x.example.invalid/p.whl":  "",
		} {
			Expect(python.LocalRequirement(line)).To(Equal(want), line)
		}
	})
}

func testMonorepoLocks(t *testing.T, context spec.G, it spec.S) {
	Expect := NewWithT(t).Expect

	// inRepo puts a lockfile fixture in services/app of a repository whose
	// path dependency, libs/helper, is a sibling of services/.
	inRepo := func(fixture, lock, from, to string) python.Monorepo {
		root := t.TempDir()
		app := filepath.Join(root, "services", "app")
		Expect(os.MkdirAll(app, 0755)).To(Succeed())
		Expect(os.CopyFS(app, os.DirFS(filepath.Join("lockfile", "testdata", fixture)))).To(Succeed())
		Expect(os.MkdirAll(filepath.Join(root, "libs"), 0755)).To(Succeed())
		Expect(os.Rename(filepath.Join(app, "libs", "helper"), filepath.Join(root, "libs", "helper"))).To(Succeed())
		content, err := os.ReadFile(filepath.Join(app, lock))
		Expect(err).NotTo(HaveOccurred())
		Expect(string(content)).To(ContainSubstring(from))
		Expect(os.WriteFile(filepath.Join(app, lock), []byte(strings.Replace(string(content), from, to, 1)), 0644)).To(Succeed())
		return python.Monorepo{App: appdir.App{Root: root, Dir: app, Rel: "services/app"}}
	}
	helper := func(install *python.LockInstall) lockfile.Source {
		for _, p := range install.Set.Packages {
			if p.Name == "helper" {
				return p.Source
			}
		}
		t.Fatal("no helper in the set")
		return lockfile.Source{}
	}

	for _, c := range []struct{ fixture, lock, from, to string }{
		{"poetry", "poetry.lock", `url = "libs/helper"`, `url = "../../libs/helper"`},
		{"pipenv", "Pipfile.lock", `"path": "./libs/helper"`, `"path": "../../libs/helper"`},
	} {
		c := c
		it("installs a "+c.fixture+" path dependency to a sibling non-editable, keyed by its content, editable when kept", func() {
			m := inRepo(c.fixture, c.lock, c.from, c.to)
			install, err := m.FindLock(nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(helper(install)).To(Equal(lockfile.Source{Kind: lockfile.SourcePath, Path: "../../libs/helper"}))
			Expect(install.Paths).To(HaveKey("../../libs/helper"))

			m.Keep = []string{"libs/helper"}
			install, err = m.FindLock(nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(helper(install).Editable).To(BeTrue())
		})
	}

	it("refuses a lock's path dependency outside the upload, with the pack build --path fix", func() {
		m := inRepo("poetry", "poetry.lock", `url = "libs/helper"`, `url = "../../../helper"`)
		_, err := m.FindLock(nil)
		Expect(err).To(MatchError(ContainSubstring("outside the app")))
		Expect(err).To(MatchError(ContainSubstring("pack build --path <repository root> --env BP_APP_DIR=<app folder>")))
	})
}
