package detect

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/buildpacks/libcnb/v2"

	"github.com/onbuild-buildpacks/onbuild/detect/requirements"
)

// NativeNeed is a row of the table of well-known Python projects that
// need Debian packages: at build time (an sdist that compiles against a
// library's headers) or at run time (a library loaded by name with ctypes
// or cffi, which no ELF file names).
type NativeNeed struct {
	// Project is the normalized project name.
	Project string
	// Packages are the Debian packages; a -dev package brings its library
	// into the app image too.
	Packages []string
	Why      string
}

// NativeNeeds is the table. Names are those of both trixie and bookworm.
var NativeNeeds = []NativeNeed{
	{"psycopg", []string{"libpq5"}, "psycopg loads libpq with ctypes"},
	{"psycopg2", []string{"libpq-dev"}, "psycopg2 builds from source with pg_config and libpq's headers"},
	{"mysqlclient", []string{"default-libmysqlclient-dev", "pkg-config"}, "mysqlclient builds from source with pkg-config and the MySQL client headers"},
	{"python-ldap", []string{"libldap-dev", "libsasl2-dev"}, "python-ldap builds from source with the OpenLDAP and SASL headers"},
	{"weasyprint", []string{"libpango-1.0-0", "libpangoft2-1.0-0"}, "WeasyPrint loads pango with cffi"},
	{"cairocffi", []string{"libcairo2"}, "cairocffi loads cairo with cffi"},
	{"python-magic", []string{"libmagic1"}, "python-magic loads libmagic with ctypes"},
}

// geoDjango is the row for an app that lists django.contrib.gis, whose
// GDAL and GEOS Django loads with ctypes: the -dev packages name each
// release's library, which the app image gets.
var geoDjango = NativeNeed{"django.contrib.gis", []string{"libgdal-dev", "libgeos-dev"}, "django.contrib.gis loads GDAL and GEOS with ctypes"}

// requirementName is the project name at the start of a PEP 508 line, and
// its extras.
var requirementName = regexp.MustCompile(`^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[([^\]]*)\])?`)

// PythonNativeNeeds returns the table's rows that apply to the app: its
// requirements files (and their includes) and pyproject.toml name the
// project, or one of its Python files names django.contrib.gis. psycopg
// with its binary or c extra brings its own libpq, and psycopg2-binary is
// another project, so neither counts.
func PythonNativeNeeds(appDir string) ([]NativeNeed, error) {
	var lines []string
	if _, err := os.Stat(filepath.Join(appDir, "requirements.txt")); errors.Is(err, os.ErrNotExist) {
		return pyprojectNeeds(appDir, nil)
	}
	err := requirements.Walk(appDir, "requirements.txt", func(_ string, content []byte) error {
		lines = append(lines, strings.Split(string(content), "\n")...)
		return nil
	})
	var include requirements.IncludeError
	if err != nil && !errors.As(err, &include) {
		// Unreadable files are the build's to report, with the fix.
		return nil, nil
	}
	return pyprojectNeeds(appDir, lines)
}

func pyprojectNeeds(appDir string, lines []string) ([]NativeNeed, error) {
	declared, err := pyprojectRequirements(appDir)
	if err != nil {
		return nil, err
	}
	lines = append(lines, declared...)
	projects := map[string]bool{}
	for _, line := range lines {
		m := requirementName.FindStringSubmatch(line)
		if m == nil || strings.HasPrefix(strings.TrimSpace(line), "-") {
			continue
		}
		name := strings.ToLower(strings.NewReplacer("_", "-", ".", "-").Replace(m[1]))
		extras := strings.ToLower(m[2])
		if name == "psycopg" && (strings.Contains(extras, "binary") || strings.Contains(extras, "c")) {
			continue
		}
		projects[name] = true
	}
	var needs []NativeNeed
	for _, row := range NativeNeeds {
		if projects[row.Project] {
			needs = append(needs, row)
		}
	}
	if projects["django"] && mentionsGIS(appDir) {
		needs = append(needs, geoDjango)
	}
	sort.SliceStable(needs, func(i, j int) bool { return needs[i].Project < needs[j].Project })
	return needs, nil
}

// mentionsGIS reports a Python file of the app (outside virtualenvs)
// that names django.contrib.gis, as INSTALLED_APPS does.
func mentionsGIS(appDir string) bool {
	found := false
	_ = filepath.WalkDir(appDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || found {
			return filepath.SkipDir
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") || d.Name() == "node_modules" || d.Name() == "venv") && path != appDir {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(path, ".py") {
			content, err := os.ReadFile(path)
			if err == nil && strings.Contains(string(content), "django.contrib.gis") {
				found = true
			}
		}
		return nil
	})
	return found
}

// NativeRequires turns the rows into plan requirements on debian-packages.
func NativeRequires(needs []NativeNeed) []libcnb.BuildPlanRequire {
	var requires []libcnb.BuildPlanRequire
	for _, need := range needs {
		requires = append(requires, DebianRequire(need.Packages, need.Why))
	}
	return requires
}
