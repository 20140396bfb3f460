package golang

import (
	"github.com/onbuild-buildpacks/onbuild/internal/settings"
)

// Every setting onbuild/go reads, each declared with its description in
// buildpacks/go/buildpack.toml and listed in the README.
const (
	// VersionSetting overrides go.mod's toolchain and go lines.
	VersionSetting = "BP_GO_VERSION"
	// TargetsSetting lists the main packages to build, colon-separated.
	TargetsSetting = "BP_GO_TARGETS"
	// BuildFlagsSetting and LDFlagsSetting add go build and linker flags.
	BuildFlagsSetting = "BP_GO_BUILD_FLAGS"
	LDFlagsSetting    = "BP_GO_BUILD_LDFLAGS"
	// KeepFilesSetting lists the globs of source files the image keeps.
	KeepFilesSetting = "BP_KEEP_FILES"
	// CacheLimitSetting and ModCacheLimitSetting bound the cache layers.
	// The go command never shrinks its caches by size (GOCACHE drops
	// entries unused for five days, GOMODCACHE nothing), and a cache layer
	// is restored and saved whole on every build, so an unbounded one slows
	// every build down.
	CacheLimitSetting    = "BP_GO_CACHE_LIMIT"
	ModCacheLimitSetting = "BP_GO_MOD_CACHE_LIMIT"
	// The go command's own variables, passed through to it; onbuild reads
	// them too, to pick the proxy a toolchain comes from and the flags it
	// must not contradict.
	GoProxySetting = "GOPROXY"
	GoFlagsSetting = "GOFLAGS"
	CGOSetting     = "CGO_ENABLED"
)

// Settings are the values of one build.
type Settings struct {
	Version, Targets, BuildFlags, LDFlags string
	Keep                                  []string
	CacheLimit, ModCacheLimit             int64
	GoProxy, GoFlags                      string
	CGO                                   bool
}

// ReadSettings reads and checks every setting before anything is
// downloaded, so a typo costs no time.
func ReadSettings(r settings.Reader) (Settings, error) {
	s := Settings{
		Version: r.String(VersionSetting), Targets: r.String(TargetsSetting),
		BuildFlags: r.String(BuildFlagsSetting), LDFlags: r.String(LDFlagsSetting),
		GoProxy: r.String(GoProxySetting), GoFlags: r.String(GoFlagsSetting),
		CGO: r.String(CGOSetting) == "1",
	}
	var err error
	if s.Keep, err = KeepPatterns(r.String(KeepFilesSetting)); err != nil {
		return s, err
	}
	if s.CacheLimit, err = ParseSize(CacheLimitSetting, r.String(CacheLimitSetting)); err != nil {
		return s, err
	}
	s.ModCacheLimit, err = ParseSize(ModCacheLimitSetting, r.String(ModCacheLimitSetting))
	return s, err
}
