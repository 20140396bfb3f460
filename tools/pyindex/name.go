package pyindex

import (
	"fmt"
	"regexp"
	"strings"
)

var separatorRuns = regexp.MustCompile(`[-_.]+`)

// NormalizeName is the PEP 503 form of a project name. pip asks the index
// for /simple/<normalized>/ whatever spelling a requirement used, so every
// lookup in this package goes through it.
func NormalizeName(name string) string {
	return strings.ToLower(separatorRuns.ReplaceAllString(name, "-"))
}

// escapeWheelName follows the binary distribution format: a '-' inside the
// name would split the file name in the wrong place, so the runs become '_'.
func escapeWheelName(name string) string {
	return strings.ToLower(separatorRuns.ReplaceAllString(name, "_"))
}

// escapeWheelVersion keeps the file name parseable for upstream versions
// that still carry a '-' (PEP 440 normal forms never do).
func escapeWheelVersion(version string) string {
	return strings.ReplaceAll(version, "-", "_")
}

// WheelTag is the only tag this converter writes. Debian's extension modules
// carry their ABI in the file name (foo.cpython-311-x86_64-linux-gnu.so), so
// an interpreter that cannot load them does not even see them and a package
// with a pure-Python fallback (markupsafe) still works; a stricter tag would
// instead make pip refuse the whole project on any other Python.
const WheelTag = "py3-none-any"

// WheelFilename is the file name a wheel of name and version gets, e.g.
// flask-2.2.2-py3-none-any.whl.
func WheelFilename(name, version string) string {
	return fmt.Sprintf("%s-%s-%s.whl", escapeWheelName(name), escapeWheelVersion(version), WheelTag)
}

func distInfoDirName(name, version string) string {
	return fmt.Sprintf("%s-%s.dist-info", escapeWheelName(name), escapeWheelVersion(version))
}

// projectOfWheel returns the normalized project of a wheel file name, or ""
// when the name is not one of a wheel.
func projectOfWheel(filename string) string {
	if !strings.HasSuffix(filename, ".whl") {
		return ""
	}
	parts := strings.Split(strings.TrimSuffix(filename, ".whl"), "-")
	// name-version(-build)?-python-abi-platform
	if len(parts) < 5 || len(parts) > 6 || parts[0] == "" {
		return ""
	}
	return NormalizeName(parts[0])
}
