package layout_test

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
	. "github.com/onsi/gomega"
	"github.com/sclevine/spec"
)

// settingsRow is a row of the README's settings table: its first cell
// holds one or more `NAME`s.
var settingsRow = regexp.MustCompile("^\\| *(`[A-Za-z_][A-Za-z0-9_]*`[^|]*)\\|")

var backticked = regexp.MustCompile("`([A-Z][A-Z0-9_]*)`")

// readmeSettings are the names the README's "Settings" table lists.
func readmeSettings(t *testing.T, readme string) []string {
	t.Helper()
	content, err := os.ReadFile(readme)
	if err != nil {
		t.Fatal(err)
	}
	_, table, found := strings.Cut(string(content), "\n## Settings\n")
	if !found {
		t.Fatalf("%s has no \"## Settings\" section", readme)
	}
	if next := strings.Index(table, "\n## "); next >= 0 {
		table = table[:next]
	}
	names := map[string]bool{}
	for _, line := range strings.Split(table, "\n") {
		if match := settingsRow.FindStringSubmatch(line); match != nil {
			for _, name := range backticked.FindAllStringSubmatch(match[1], -1) {
				names[name[1]] = true
			}
		}
	}
	return sortedNames(names)
}

// declaredSettings are the names every buildpacks/*/buildpack.toml (and
// extension.toml) declares in [[metadata.configurations]].
func declaredSettings(t *testing.T, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "buildpacks", "*", "*.toml"))
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, file := range files {
		var descriptor struct {
			Metadata struct {
				Configurations []struct {
					Name        string `toml:"name"`
					Description string `toml:"description"`
				} `toml:"configurations"`
			} `toml:"metadata"`
		}
		if _, err := toml.DecodeFile(file, &descriptor); err != nil {
			t.Fatal(err)
		}
		for _, c := range descriptor.Metadata.Configurations {
			if strings.TrimSpace(c.Description) == "" {
				t.Errorf("%s declares %s without a description", file, c.Name)
			}
			names[c.Name] = true
		}
	}
	return sortedNames(names)
}

func sortedNames(set map[string]bool) []string {
	var names []string
	for name := range set {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

func testSettings(t *testing.T, context spec.G, it spec.S) {
	var Expect = NewWithT(t).Expect

	it("lists in the README exactly the settings the buildpacks declare", func() {
		dir := root(t)
		declared := declaredSettings(t, dir)
		listed := readmeSettings(t, filepath.Join(dir, "README.md"))
		Expect(len(declared)).To(BeNumerically(">", 10))
		Expect(listed).To(Equal(declared), "README.md's Settings table and the buildpack.toml files disagree")
	})
}
