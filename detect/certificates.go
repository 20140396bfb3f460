package detect

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/buildpacks/libcnb/v2"
	"github.com/onbuild-buildpacks/onbuild/internal/settings"
	"github.com/paketo-buildpacks/libpak/v2/bindings"
)

// Certificates passes when the platform binds CA certificates or asks to
// embed them.
func Certificates(ctx libcnb.DetectContext) (libcnb.DetectResult, error) {
	reader, err := settings.ForDetect(ctx.Buildpack.Metadata, ctx.Platform.Environment)
	if err != nil {
		return libcnb.DetectResult{}, err
	}
	return CertificatesPlan(ctx.Platform.Bindings, reader.String(EmbedCertsSetting)), nil
}

// CertificatesPlan decides detection over the platform's bindings and the
// value of BP_EMBED_CERTS. Any value but an explicit false passes, so that
// a value the build cannot read (BP_EMBED_CERTS=yes) stops the build with
// a message instead of being ignored here.
func CertificatesPlan(binds libcnb.Bindings, embed string) libcnb.DetectResult {
	found := len(bindings.Resolve(binds, bindings.OfType(CACertificatesBinding))) > 0
	embed = strings.TrimSpace(embed)
	if !found && (embed == "" || isFalse(embed)) {
		// Shown with `pack build -v` only.
		fmt.Printf("onbuild/ca-certificates: no binding of type %s, and %s is not set\n", CACertificatesBinding, EmbedCertsSetting)
		return libcnb.DetectResult{Pass: false}
	}
	return libcnb.DetectResult{
		Pass: true,
		Plans: []libcnb.BuildPlan{{
			Provides: []libcnb.BuildPlanProvide{{Name: CertificatesPlanEntry}},
			Requires: []libcnb.BuildPlanRequire{{Name: CertificatesPlanEntry}},
		}},
	}
}

func isFalse(value string) bool {
	b, err := strconv.ParseBool(value)
	return err == nil && !b
}
