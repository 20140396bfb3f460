package python_test

import (
	"testing"

	"github.com/buildpacks/libcnb/v2"
	"github.com/heroku/color"
	"github.com/onbuild-buildpacks/onbuild/build/python/start"
	"github.com/onbuild-buildpacks/onbuild/internal/fake"
	"github.com/sclevine/spec"
	"github.com/sclevine/spec/report"
)

func TestUnit(t *testing.T) {
	suite := spec.New("python", spec.Report(report.Terminal{}))
	suite("Requirements", testRequirements)
	suite("PipCerts", testPipCerts)
	suite("Django", testDjango)
	suite("Venv", testVenv)
	suite("Incremental", testIncremental)
	suite("Lock", testLock)
	suite("Python", testPython)
	suite("Interpreter", testInterpreter)
	suite("Project", testProject)
	suite("SBOM", testSBOM)
	suite("VCSProblem", testVCSProblem)
	suite("PipProblems", testPipProblems)
	suite("Secrets", testSecrets)
	suite("Credentials", testCredentials)
	suite("Monorepo", testMonorepo)
	suite("LocalRequirement", testLocalRequirement)
	suite("MonorepoLocks", testMonorepoLocks)
	suite.Run(t)
}

func init() {
	// Assertions read the log as a user would, without terminal colours.
	color.Disable(true)
}

// buildContext is a build of onbuild/python over temp dirs: the real
// buildpack.toml's metadata, on the bookworm stack, with the start programs
// the buildpack ships in its bin/.
func buildContext(t *testing.T) libcnb.BuildContext {
	t.Helper()
	ctx := libcnb.BuildContext{
		ApplicationPath: t.TempDir(),
		Layers:          libcnb.Layers{Path: t.TempDir()},
		StackID:         "io.onbuild.stacks.bookworm",
	}
	ctx.Buildpack.Metadata = fake.Metadata(t, "python")
	ctx.Buildpack.Path = t.TempDir()
	fake.WriteFiles(t, ctx.Buildpack.Path, map[string]string{"bin/" + start.SupervisorName: "", "bin/" + start.ConcurrencyName: ""})
	return ctx
}
