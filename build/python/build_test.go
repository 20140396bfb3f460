package python_test

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
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

func testPython(t *testing.T, context spec.G, it spec.S) {
	var (
		Expect   = NewWithT(t).Expect
		ctx      libcnb.BuildContext
		executor *fake.Executor
		builder  python.Builder
		output   *bytes.Buffer
	)

	it.Before(func() {
		ctx = buildContext(t)
		executor = &fake.Executor{Run: func(e effect.Execution) error {
			answerVersionProbe(e)
			return nil
		}}
		output = &bytes.Buffer{}
		builder = python.Builder{Logger: log.NewPaketoLogger(output), Executor: executor, Environ: []string{"PATH=/usr/bin"}}
	})

	it("contributes a cache-only pip cache, the venv, the start programs, and a supervised web process", func() {
		Expect(os.WriteFile(filepath.Join(ctx.ApplicationPath, "requirements.txt"), []byte("flask==2.2.2\n"), 0644)).To(Succeed())
		Expect(os.WriteFile(filepath.Join(ctx.ApplicationPath, "main.py"), nil, 0644)).To(Succeed())

		result, err := builder.Build(ctx)
		Expect(err).NotTo(HaveOccurred())
		Expect(result.Layers).To(HaveLen(3))
		Expect(result.Layers[0].Name).To(Equal("pip-cache"))
		Expect(result.Layers[0].LayerTypes).To(Equal(libcnb.LayerTypes{Cache: true}))
		Expect(result.Layers[1].Name).To(Equal("venv"))
		Expect(result.Layers[1].Metadata).To(HaveKeyWithValue("stack", "io.onbuild.stacks.bookworm"))
		Expect(result.Layers[1].Metadata).To(HaveKeyWithValue("python", "3.11.2"))
		Expect(result.Layers[1].Metadata).To(HaveKeyWithValue("pip", "23.0.1"))
		start := result.Layers[2]
		Expect(start.Name).To(Equal("start"))
		Expect(start.LayerTypes).To(Equal(libcnb.LayerTypes{Launch: true}))
		Expect(filepath.Join(start.Path, "bin", "supervise")).To(BeAnExistingFile())
		Expect(filepath.Join(start.Path, "exec.d", "web-concurrency")).To(BeAnExistingFile())
		Expect(result.Processes).To(Equal([]libcnb.Process{{Type: "web", Command: []string{filepath.Join(start.Path, "bin", "supervise"), "python", "main.py"}, Default: true}}))
	})

	it("installs the app itself when it only has a pyproject.toml", func() {
		Expect(os.WriteFile(filepath.Join(ctx.ApplicationPath, "pyproject.toml"), []byte("[project]\nname='x'\n"), 0644)).To(Succeed())
		Expect(os.WriteFile(filepath.Join(ctx.ApplicationPath, "app.py"), nil, 0644)).To(Succeed())

		_, err := builder.Build(ctx)
		Expect(err).NotTo(HaveOccurred())
		pip := executor.Executions[len(executor.Executions)-1]
		Expect(pip.Args[len(pip.Args)-3:]).To(Equal([]string{"--editable", ".", "--use-pep517"}),
			"through the build backend, so the metadata lands in the venv, not in an egg-info in the app")
	})

	it("seeds the venv with the stack's bundled setuptools", func() {
		builder.WheelsDir = t.TempDir()
		wheel := filepath.Join(builder.WheelsDir, "setuptools-66.1.1-py3-none-any.whl")
		Expect(os.WriteFile(wheel, nil, 0644)).To(Succeed())
		Expect(os.WriteFile(filepath.Join(ctx.ApplicationPath, "requirements.txt"), nil, 0644)).To(Succeed())
		Expect(os.WriteFile(filepath.Join(ctx.ApplicationPath, "main.py"), nil, 0644)).To(Succeed())

		result, err := builder.Build(ctx)
		Expect(err).NotTo(HaveOccurred())
		Expect(result.Layers[1].Metadata["seed"]).To(Equal([]interface{}{wheel}))
		seed := executor.Executions[len(executor.Executions)-2]
		Expect(strings.Join(seed.Args, " ")).To(HaveSuffix("--no-index --no-deps " + wheel))
	})

	it("installs requirements first, then the app itself, editable", func() {
		Expect(os.WriteFile(filepath.Join(ctx.ApplicationPath, "requirements.txt"), nil, 0644)).To(Succeed())
		Expect(os.WriteFile(filepath.Join(ctx.ApplicationPath, "setup.py"), nil, 0644)).To(Succeed())
		Expect(os.WriteFile(filepath.Join(ctx.ApplicationPath, "main.py"), nil, 0644)).To(Succeed())

		result, err := builder.Build(ctx)
		Expect(err).NotTo(HaveOccurred())
		Expect(result.Layers[1].Metadata["install"]).To(Equal([]interface{}{"--requirement requirements.txt", "--editable ."}))
	})

	it("says which file asked for which Python, and stops before pip on another minor", func() {
		Expect(os.WriteFile(filepath.Join(ctx.ApplicationPath, "requirements.txt"), nil, 0644)).To(Succeed())
		Expect(os.WriteFile(filepath.Join(ctx.ApplicationPath, "main.py"), nil, 0644)).To(Succeed())
		Expect(os.WriteFile(filepath.Join(ctx.ApplicationPath, ".python-version"), []byte("# pinned by pyenv\n3.11\n"), 0644)).To(Succeed())
		_, err := builder.Build(ctx)
		Expect(err).NotTo(HaveOccurred())
		Expect(output.String()).To(ContainSubstring(".python-version asks for 3.11; using Python 3.11.2 from the bookworm stack"))

		Expect(os.WriteFile(filepath.Join(ctx.ApplicationPath, ".python-version"), []byte("3.9\n"), 0644)).To(Succeed())
		executor.Executions = nil
		_, err = builder.Build(ctx)
		Expect(err).To(MatchError(ContainSubstring(".python-version")))
		Expect(err.Error()).To(ContainSubstring("This builder has Python 3.10.16, 3.11.2 (the stack's), 3.11.11, 3.12.3, 3.13.1, 3.14.6"))
		for _, e := range executor.Executions {
			Expect(e.Args).NotTo(ContainElement("pip"), "no pip before the version check")
		}
	})

	it("makes the venv from a downloaded Python when the stack's does not fit, and runs pip with it", func() {
		module := embedModuleZip(t)
		server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != embedModulePath {
				http.NotFound(w, r)
				return
			}
			w.Write(module)
		}))
		defer server.Close()
		t.Setenv("TMPDIR", t.TempDir())
		ctx.Buildpack.Metadata["dependencies"] = []map[string]interface{}{{
			"id": "python", "name": "CPython", "version": "3.12.3", "arch": "amd64", "uri": embedModulePath,
			"checksum": "sha256:" + sha256Of(module), "purls": []string{"pkg:generic/cpython@3.12.3?arch=amd64"},
		}}
		ctx.TargetInfo.Arch = "amd64"
		builder.Environ = append(builder.Environ, "GOPROXY="+server.URL+",direct")
		builder.WheelsDir = t.TempDir()
		Expect(os.WriteFile(filepath.Join(builder.WheelsDir, "setuptools-66.1.1-py3-none-any.whl"), nil, 0644)).To(Succeed())
		Expect(os.WriteFile(filepath.Join(ctx.ApplicationPath, "requirements.txt"), []byte("six\n"), 0644)).To(Succeed())
		Expect(os.WriteFile(filepath.Join(ctx.ApplicationPath, "main.py"), nil, 0644)).To(Succeed())
		Expect(os.WriteFile(filepath.Join(ctx.ApplicationPath, ".python-version"), []byte("3.12\n"), 0644)).To(Succeed())
		interpreter := filepath.Join(ctx.Layers.Path, "python", "bin", "python3")
		executor.Run = func(e effect.Execution) error {
			answerVersionProbe(e)
			if e.Command == interpreter && len(e.Args) == 2 && e.Args[0] == "-c" {
				fmt.Fprintln(e.Stdout, "3.12.3 23.3.1")
			}
			return nil
		}

		result, err := builder.Build(ctx)
		Expect(err).NotTo(HaveOccurred())
		Expect(output.String()).To(ContainSubstring(".python-version asks for 3.12; using Python 3.12.3 (python-build-standalone): the bookworm stack has 3.11.2"))
		Expect(strings.Count(output.String(), "pack rebase does not update it")).To(Equal(1))
		Expect(result.Layers[0].Name).To(Equal("python"))
		Expect(result.Layers[0].LayerTypes.Launch).To(BeTrue())
		venv := result.Layers[2]
		Expect(venv.Name).To(Equal("venv"))
		Expect(venv.Metadata).To(HaveKeyWithValue("python", "3.12.3"))
		Expect(venv.Metadata).To(HaveKeyWithValue("pip", "23.3.1"))
		Expect(venv.Metadata).NotTo(HaveKey("seed"), "3.12 venvs never had setuptools")
		var venvMade, pipRan bool
		for _, e := range executor.Executions {
			args := strings.Join(e.Args, " ")
			if e.Command == "python3" {
				Expect(args).To(ContainSubstring("importlib.metadata"), "only the version probe runs the stack's python3")
			}
			venvMade = venvMade || (e.Command == interpreter && strings.HasPrefix(args, "-m venv --without-pip"))
			pipRan = pipRan || (e.Command == interpreter && strings.HasPrefix(args, "-m pip --python "+filepath.Join(venv.Path, "bin", "python")+" install"))
		}
		Expect(venvMade).To(BeTrue())
		Expect(pipRan).To(BeTrue())
	})

	it("lets BP_PYTHON_VERSION win over the app's files", func() {
		Expect(os.WriteFile(filepath.Join(ctx.ApplicationPath, "requirements.txt"), nil, 0644)).To(Succeed())
		Expect(os.WriteFile(filepath.Join(ctx.ApplicationPath, "main.py"), nil, 0644)).To(Succeed())
		Expect(os.WriteFile(filepath.Join(ctx.ApplicationPath, "runtime.txt"), []byte("python-3.10.2\n"), 0644)).To(Succeed())
		builder.Environ = append(builder.Environ, "BP_PYTHON_VERSION=3.11")
		_, err := builder.Build(ctx)
		Expect(err).NotTo(HaveOccurred())
		Expect(output.String()).To(ContainSubstring("BP_PYTHON_VERSION asks for 3.11"))
	})

	it("names the misspelt requirements file detection let through", func() {
		ctx.Plan.Entries = []libcnb.BuildpackPlanEntry{{Name: "python-venv", Metadata: map[string]interface{}{"near-miss": "Requirements.txt"}}}

		_, err := builder.Build(ctx)
		Expect(err).To(MatchError(ContainSubstring("Rename Requirements.txt to requirements.txt.")))
	})

	it("refuses an environment that breaks the venv before doing anything", func() {
		builder.Environ = append(builder.Environ, "PIP_TARGET=/tmp/x")
		Expect(os.WriteFile(filepath.Join(ctx.ApplicationPath, "requirements.txt"), nil, 0644)).To(Succeed())

		_, err := builder.Build(ctx)
		Expect(err).To(MatchError(ContainSubstring("PIP_TARGET=/tmp/x")))
		Expect(executor.Executions).To(BeEmpty())
	})

	it("fails with the import error when the guessed WSGI app does not import", func() {
		Expect(os.WriteFile(filepath.Join(ctx.ApplicationPath, "requirements.txt"), nil, 0644)).To(Succeed())
		Expect(os.WriteFile(filepath.Join(ctx.ApplicationPath, "app.py"), []byte("import nothere\napp = 1\n"), 0644)).To(Succeed())
		venvBin := filepath.Join(ctx.Layers.Path, "venv", "bin")
		executor.Run = func(e effect.Execution) error {
			answerVersionProbe(e)
			if e.Command == "python3" && len(e.Args) == 4 && e.Args[1] == "venv" {
				Expect(os.MkdirAll(venvBin, 0755)).To(Succeed())
				Expect(os.WriteFile(filepath.Join(venvBin, "gunicorn"), nil, 0755)).To(Succeed())
			}
			if e.Command == filepath.Join(venvBin, "python") && e.Args[0] == "-c" {
				Expect(e.Env).To(ContainElement("PYTHONDONTWRITEBYTECODE=1"), "the check must not write .pyc files into the app")
				fmt.Fprintln(e.Stderr, "ModuleNotFoundError: No module named 'nothere'")
				return errors.New("exit status 1")
			}
			return nil
		}

		_, err := builder.Build(ctx)
		Expect(err).To(MatchError(ContainSubstring("[Error: Entry point does not import]")))
		Expect(err.Error()).To(ContainSubstring("guessed a web server would serve app:app"))
		Expect(err.Error()).To(ContainSubstring("No module named 'nothere'"))
	})

	it("fails at build time when an installed server lacks a dependency, naming it", func() {
		Expect(os.WriteFile(filepath.Join(ctx.ApplicationPath, "requirements.txt"), nil, 0644)).To(Succeed())
		Expect(os.WriteFile(filepath.Join(ctx.ApplicationPath, "main.py"), []byte("app = FastAPI()\n"), 0644)).To(Succeed())
		venvBin := filepath.Join(ctx.Layers.Path, "venv", "bin")
		executor.Run = func(e effect.Execution) error {
			answerVersionProbe(e)
			if e.Command == "python3" && len(e.Args) == 4 && e.Args[1] == "venv" {
				Expect(os.MkdirAll(venvBin, 0755)).To(Succeed())
				Expect(os.WriteFile(filepath.Join(venvBin, "uvicorn"), nil, 0755)).To(Succeed())
			}
			if e.Command == filepath.Join(venvBin, "python") {
				Expect(e.Args[2:]).To(Equal([]string{"main:app", "uvicorn"}))
				fmt.Fprintln(e.Stderr, "ModuleNotFoundError: No module named 'asgiref'")
				fmt.Fprintln(e.Stdout, "onbuild-server-broken: uvicorn")
				return errors.New("exit status 3")
			}
			return nil
		}

		_, err := builder.Build(ctx)
		Expect(err).To(MatchError(ContainSubstring("[Error: Web server does not import]")))
		Expect(err.Error()).To(ContainSubstring("uvicorn is installed in the app's virtualenv, but importing it failed:\n\nModuleNotFoundError: No module named 'asgiref'\n"))
	})

	it("fails clearly when the stack's python3 cannot say its versions", func() {
		Expect(os.WriteFile(filepath.Join(ctx.ApplicationPath, "requirements.txt"), nil, 0644)).To(Succeed())
		executor.Run = func(e effect.Execution) error {
			fmt.Fprintln(e.Stdout, "3.11.2")
			return nil
		}

		_, err := builder.Build(ctx)
		Expect(err).To(MatchError(ContainSubstring(`unexpected answer from the stack's python3 about its versions: "3.11.2"`)))
	})

	it("reads BP_LAUNCH_COMMAND from the environment", func() {
		builder.Environ = append(builder.Environ, "BP_LAUNCH_COMMAND=python serve.py")
		Expect(os.WriteFile(filepath.Join(ctx.ApplicationPath, "requirements.txt"), nil, 0644)).To(Succeed())

		result, err := builder.Build(ctx)
		Expect(err).NotTo(HaveOccurred())
		Expect(result.Processes[0].Command[1:]).To(Equal([]string{"sh", "-c", "exec python serve.py"}))
	})
}

// answerVersionProbe plays the stack's python3 asked for its versions.
func answerVersionProbe(e effect.Execution) {
	if e.Command == "python3" && len(e.Args) == 2 && e.Args[0] == "-c" && strings.Contains(e.Args[1], "importlib.metadata") {
		fmt.Fprintln(e.Stdout, "3.11.2 23.0.1")
	}
}
