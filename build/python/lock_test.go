package python_test

import (
	"bytes"
	"errors"
	"fmt"
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

func testLock(t *testing.T, context spec.G, it spec.S) {
	var (
		Expect   = NewWithT(t).Expect
		ctx      libcnb.BuildContext
		executor *fake.Executor
		builder  python.Builder
		output   *bytes.Buffer
		// files maps the requirements file of each pip call (by its base
		// name) to its content, read while pip "runs": the build deletes
		// them afterwards.
		files map[string]string
		modes map[string]os.FileMode
	)

	fixture := func(name string) {
		t.Helper()
		Expect(os.CopyFS(ctx.ApplicationPath, os.DirFS(filepath.Join("lockfile", "testdata", name)))).To(Succeed())
		Expect(os.WriteFile(filepath.Join(ctx.ApplicationPath, "main.py"), nil, 0644)).To(Succeed())
	}
	edit := func(name, old, new string) {
		t.Helper()
		path := filepath.Join(ctx.ApplicationPath, name)
		content, err := os.ReadFile(path)
		Expect(err).NotTo(HaveOccurred())
		Expect(string(content)).To(ContainSubstring(old))
		Expect(os.WriteFile(path, []byte(strings.Replace(string(content), old, new, 1)), 0644)).To(Succeed())
	}
	pipCalls := func() []string {
		var calls []string
		for _, e := range executor.Executions {
			if e.Command == "python3" && len(e.Args) > 1 && e.Args[1] == "pip" {
				args := strings.Join(e.Args, " ")
				calls = append(calls, args[strings.Index(args, "/src ")+5:])
			}
		}
		return calls
	}

	it.Before(func() {
		ctx = buildContext(t)
		files = map[string]string{}
		modes = map[string]os.FileMode{}
		executor = &fake.Executor{Run: func(e effect.Execution) error {
			answerVersionProbe(e)
			for i, arg := range e.Args {
				if arg == "--requirement" {
					content, err := os.ReadFile(e.Args[i+1])
					Expect(err).NotTo(HaveOccurred())
					info, err := os.Stat(e.Args[i+1])
					Expect(err).NotTo(HaveOccurred())
					name := filepath.Base(e.Args[i+1])
					files[name] = string(content)
					modes[name] = info.Mode().Perm()
					Expect(e.Args[i+1]).NotTo(HavePrefix(ctx.Layers.Path), "requirements with credentials must stay out of the layers")
				}
			}
			return nil
		}}
		output = &bytes.Buffer{}
		builder = python.Builder{Logger: log.NewPaketoLogger(output), Executor: executor, Environ: []string{"PATH=/usr/bin"}, WheelsDir: t.TempDir()}
	})

	it("installs a uv.lock hash-checked without dependencies, then its git and path sources, then the app", func() {
		fixture("uv")

		result, err := builder.Build(ctx)
		Expect(err).NotTo(HaveOccurred())
		Expect(pipCalls()).To(HaveLen(3))
		Expect(pipCalls()[0]).To(MatchRegexp(`^--require-hashes --no-deps --requirement \S+/hashed.txt$`))
		Expect(pipCalls()[1]).To(MatchRegexp(`^--no-deps --requirement \S+/sources.txt$`))
		Expect(pipCalls()[2]).To(Equal("--no-deps --editable . --use-pep517"))

		hashed := files["hashed.txt"]
		Expect(hashed).To(ContainSubstring("flask==3.1.1 \\\n    --hash=sha256:0754a9a9aed89e1ca439ef367a4a135612e693db525584024cdd327252f749c2\n"))
		Expect(hashed).To(ContainSubstring(`colorama==0.4.6 ; platform_system == "Windows" or sys_platform == "win32"`), "pip evaluates the markers")
		Expect(hashed).NotTo(ContainSubstring("six"), "the dev group is left out by default")
		Expect(hashed).NotTo(ContainSubstring("gunicorn"), "extras are left out by default")
		Expect(modes["hashed.txt"]).To(Equal(os.FileMode(0600)))
		Expect(files["sources.txt"]).To(Equal("-e ./libs/lib\ntinyhelper @ git+https://git.example.invalid/tinyhelper.git@0123456789abcdef0123456789abcdef01234567\n"))
		// Every step but the version probe (which reads no app file) runs
		// in the app: local paths in the lock are relative to it.
		steps := 0
		for _, e := range executor.Executions {
			if e.Command == "python3" && len(e.Args) == 2 && e.Args[0] == "-c" {
				continue
			}
			steps++
			Expect(e.Dir).To(Equal(ctx.ApplicationPath), "%s %v runs outside the app", e.Command, e.Args)
		}
		Expect(steps).To(BeNumerically(">=", 4), "the venv and the three pip calls")

		venv := result.Layers[1].Metadata
		Expect(venv["install"]).To(BeNil())
		Expect(venv["lock"]).To(ContainElements("file uv.lock", "root editable app", "-e ./libs/lib"))
		Expect(output.String()).To(ContainSubstring("Installing uv.lock (uv): 10 locked distributions for the production dependencies"))
		Expect(output.String()).To(ContainSubstring("Installing 8 locked distributions from uv.lock, hash-checked"))
	})

	it("adds the groups and extras of BP_PYTHON_GROUPS", func() {
		fixture("uv")
		builder.Environ = append(builder.Environ, "BP_PYTHON_GROUPS=dev, server")

		_, err := builder.Build(ctx)
		Expect(err).NotTo(HaveOccurred())
		Expect(files["hashed.txt"]).To(ContainSubstring("six==1.17.0"))
		Expect(files["hashed.txt"]).To(ContainSubstring("gunicorn==23.0.0"))
		Expect(files["hashed.txt"]).To(ContainSubstring("packaging==25.0"))
	})

	it("names the groups the lock has when BP_PYTHON_GROUPS asks for another", func() {
		fixture("uv")
		builder.Environ = append(builder.Environ, "BP_PYTHON_GROUPS=test")

		_, err := builder.Build(ctx)
		Expect(err).To(MatchError(ContainSubstring(`asks for the group or extra "test", but uv.lock does not lock it: it has dev, server`)))
	})

	it("keys the venv on the production set, so a dev-only change keeps it", func() {
		fixture("pipenv")
		first, err := builder.Build(ctx)
		Expect(err).NotTo(HaveOccurred())

		edit("Pipfile.lock", `"version": "==1.17.0"`, `"version": "==1.16.0"`)
		second, err := builder.Build(ctx)
		Expect(err).NotTo(HaveOccurred())
		Expect(second.Layers[1].Metadata).To(Equal(first.Layers[1].Metadata))

		edit("Pipfile.lock", `"version": "==3.1.1"`, `"version": "==3.1.2"`)
		third, err := builder.Build(ctx)
		Expect(err).NotTo(HaveOccurred())
		Expect(third.Layers[1].Metadata["lock"]).NotTo(Equal(first.Layers[1].Metadata["lock"]))
	})

	it("installs a Pipfile.lock, which has no root project", func() {
		fixture("pipenv")

		_, err := builder.Build(ctx)
		Expect(err).NotTo(HaveOccurred())
		Expect(pipCalls()).To(HaveLen(2))
		Expect(files["sources.txt"]).To(Equal("-e ./libs/helper\n"))
	})

	it("keys a copied path dependency on its files", func() {
		fixture("pipenv")
		edit("Pipfile.lock", `"editable": true,`, ``)
		first, err := builder.Build(ctx)
		Expect(err).NotTo(HaveOccurred())
		Expect(files["sources.txt"]).To(Equal("./libs/helper\n"))

		Expect(os.WriteFile(filepath.Join(ctx.ApplicationPath, "libs", "helper", "helper", "__init__.py"), []byte("VERSION = 2\n"), 0644)).To(Succeed())
		second, err := builder.Build(ctx)
		Expect(err).NotTo(HaveOccurred())
		Expect(second.Layers[1].Metadata["lock"]).NotTo(Equal(first.Layers[1].Metadata["lock"]))
	})

	it("refuses a requirements.txt that installs something else, naming both files", func() {
		fixture("pipenv")
		Expect(os.WriteFile(filepath.Join(ctx.ApplicationPath, "requirements.txt"), []byte("flask==3.1.2\nrequests\n"), 0644)).To(Succeed())

		_, err := builder.Build(ctx)
		Expect(err).To(MatchError(ContainSubstring("[Error: Lock file and requirements.txt disagree]")))
		Expect(err.Error()).To(ContainSubstring("requirements.txt pins flask 3.1.2, Pipfile.lock locks 3.1.1"))
		Expect(err.Error()).To(ContainSubstring("requirements.txt asks for requests, which Pipfile.lock does not lock"))
		Expect(err.Error()).To(ContainSubstring("Pipfile.lock locks blinker 1.9.0, requirements.txt does not list it"))
		Expect(err.Error()).To(ContainSubstring("`pipenv requirements > requirements.txt`"))
		Expect(err.Error()).To(ContainSubstring("To install requirements.txt, delete Pipfile.lock."))
		Expect(executor.Executions).To(BeEmpty())
	})

	it("installs the lock when requirements.txt was exported from it", func() {
		fixture("pipenv")
		exported := "-i http://127.0.0.1:38417/simple/\nblinker==1.9.0\nclick==8.1.8\ncolorama==0.4.6 ; sys_platform == 'win32'\n" +
			"flask==3.1.1 --hash=sha256:0754a9a9aed89e1ca439ef367a4a135612e693db525584024cdd327252f749c2\n" +
			"-e ./libs/helper\nitsdangerous==2.2.0\njinja2==3.1.6\nmarkupsafe==2.1.5\nwerkzeug==3.1.3\n"
		Expect(os.WriteFile(filepath.Join(ctx.ApplicationPath, "requirements.txt"), []byte(exported), 0644)).To(Succeed())

		_, err := builder.Build(ctx)
		Expect(err).NotTo(HaveOccurred())
		Expect(output.String()).To(ContainSubstring("requirements.txt agrees with Pipfile.lock and is not installed on its own"))
		Expect(strings.Join(pipCalls(), "\n")).NotTo(ContainSubstring("requirements.txt"))
	})

	it("stops a Pipfile without its lock", func() {
		Expect(os.WriteFile(filepath.Join(ctx.ApplicationPath, "Pipfile"), []byte("[packages]\nflask = \"*\"\n"), 0644)).To(Succeed())

		_, err := builder.Build(ctx)
		Expect(err).To(MatchError(ContainSubstring("[Error: Pipfile without Pipfile.lock]")))
		Expect(err.Error()).To(ContainSubstring("Run `pipenv lock` and commit Pipfile.lock."))
	})

	it("names the manifest a lock file needs", func() {
		fixture("uv")
		Expect(os.Remove(filepath.Join(ctx.ApplicationPath, "pyproject.toml"))).To(Succeed())

		_, err := builder.Build(ctx)
		Expect(err).To(MatchError(ContainSubstring("[Error: uv.lock without pyproject.toml]")))
	})

	it("reports a stale lock before running anything", func() {
		fixture("uv")
		edit("pyproject.toml", `"tinyhelper",`, `"tinyhelper", "requests",`)

		_, err := builder.Build(ctx)
		Expect(err).To(MatchError(ContainSubstring("uv.lock is out of date")))
		Expect(err.Error()).To(ContainSubstring("requests"))
		Expect(executor.Executions).To(BeEmpty())
	})

	it("refuses two lock files", func() {
		fixture("uv")
		Expect(os.WriteFile(filepath.Join(ctx.ApplicationPath, "poetry.lock"), nil, 0644)).To(Succeed())

		_, err := builder.Build(ctx)
		Expect(err).To(MatchError(ContainSubstring("The app has uv.lock and poetry.lock")))
	})

	it("names the lock file and the package when a download does not match its hash", func() {
		fixture("poetry")
		builder.Environ = append(builder.Environ, "PIP_INDEX_URL=http://user:s3cret@127.0.0.1:9/simple/")
		executor.Run = func(e effect.Execution) error {
			answerVersionProbe(e)
			if strings.Contains(strings.Join(e.Args, " "), "--require-hashes") {
				fmt.Fprintln(e.Stdout, "ERROR: THESE PACKAGES DO NOT MATCH THE HASHES FROM THE REQUIREMENTS FILE. If you have updated the package versions, please update the hashes. Otherwise, examine the package contents carefully; someone may have tampered with them.")
				fmt.Fprintln(e.Stdout, "    flask==3.1.1 from http://127.0.0.1:9/files/flask-3.1.1-py3-none-any.whl:")
				fmt.Fprintln(e.Stdout, "        Expected sha256 0754a9a9aed89e1ca439ef367a4a135612e693db525584024cdd327252f749c2")
				fmt.Fprintln(e.Stdout, "             Got        19fe179688fbd08e118b58b4c01dd4f2b5d9ae4bc76464d5afce450a3b66d863")
				return errors.New("exit status 1")
			}
			return nil
		}

		_, err := builder.Build(ctx)
		Expect(err).To(MatchError(ContainSubstring("[Error: Downloaded file does not match the lock]")))
		Expect(err.Error()).To(ContainSubstring("served for flask 3.1.1 does not have a sha256 that poetry.lock records"))
		Expect(err.Error()).To(ContainSubstring("run `poetry lock` and commit poetry.lock"))
		Expect(err.Error()).NotTo(ContainSubstring("s3cret"))
	})
}
