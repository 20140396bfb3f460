package detect

import "github.com/onbuild-buildpacks/onbuild/hooks"

// This file is the contract between detection and the build: every name a
// detect function writes into the build plan, and every key of its
// metadata, is defined here once. The build packages import these
// constants; detect never imports a build package (see ARCHITECTURE.md,
// "The import rule").

// Plan entries: what each buildpack provides and requires.
const (
	// PythonVenv is the Python buildpack's entry.
	PythonVenv = "python-venv"
	// GoPlan is the Go buildpack's entry.
	GoPlan = "go"
	// Git and Hg are what onbuild/vcs provides. The build image has neither
	// tool: a language buildpack requires one only when the app fetches from
	// a repository, so other apps never download them.
	Git = "git"
	Hg  = "hg"
	// PreBuildHookPlan and BuildHookPlan belong to the hook buildpacks: each
	// provides and requires its own, so it joins a group only when the app
	// has its hooks.
	PreBuildHookPlan = "pre-build-hook"
	BuildHookPlan    = "build-hook"
	// CertificatesPlanEntry is what onbuild/ca-certificates provides and
	// requires: it joins a group on its own, no other buildpack asks for it.
	CertificatesPlanEntry = "ca-certificates"
	// DebianPackagesPlan is what onbuild/debian-packages provides: Debian
	// packages (libraries, headers, tools) from the stack's own suites. It
	// requires the entry itself when the app has an Aptfile or the platform
	// sets BP_DEBIAN_PACKAGES; a language buildpack requires it, with the
	// packages in DebianPackagesKey, when it knows the app needs some.
	DebianPackagesPlan = "debian-packages"
	// NativeLibrariesPlan is what onbuild/native-libraries provides and
	// requires: it joins every group, after the language buildpack.
	NativeLibrariesPlan = "native-libraries"
)

// Metadata keys of the plan entries above.
const (
	// NearMissKey (on PythonVenv) names a misspelt requirements file, such
	// as Requirements.txt, so the build can fail with the rename to do.
	NearMissKey = "near-miss"
	// KeepKey (on GoPlan) lists the app's hook files, relative to the app:
	// the Go build removes the source, and these must survive it.
	KeepKey = "keep"
	// HooksKey (on PreBuildHookPlan and BuildHookPlan) lists the hooks
	// detection found, by name: the hook build fails when one has gone.
	HooksKey = hooks.SeenKey
	// DebianPackagesKey (on DebianPackagesPlan) lists Debian package names
	// to install, and DebianWhyKey says why, for the build log
	// ("psycopg2 builds from source").
	DebianPackagesKey = "packages"
	DebianWhyKey      = "why"
)

// Names detection shares with the build: settings and binding types it
// reads before any build runs.
const (
	// EmbedCertsSetting asks for the ca-certificates binding's CAs in the
	// app image as well as in the build.
	EmbedCertsSetting = "BP_EMBED_CERTS"
	// CACertificatesBinding is the binding type that carries extra CAs, the
	// name Paketo and the service binding spec use.
	CACertificatesBinding = "ca-certificates"
	// DebianPackagesSetting lists Debian packages to install, like the
	// Aptfile, for platforms that configure builds through the environment.
	DebianPackagesSetting = "BP_DEBIAN_PACKAGES"
	// Aptfile is the app file listing Debian packages, one per line: the
	// convention Heroku's users already have.
	Aptfile = "Aptfile"
)
