package lockfile

import (
	"encoding/json"
	"fmt"
	"strings"
)

// pipfileEntry is one package of a Pipfile.lock category. Pipenv locks
// flat: each category already lists every distribution it needs, with the
// marker pipenv computed, so there is no graph to walk.
type pipfileEntry struct {
	Version      string   `json:"version"`
	Hashes       []string `json:"hashes"`
	Markers      string   `json:"markers"`
	Git          string   `json:"git"`
	Hg           string   `json:"hg"`
	Svn          string   `json:"svn"`
	Bzr          string   `json:"bzr"`
	Ref          string   `json:"ref"`
	Path         string   `json:"path"`
	File         string   `json:"file"`
	Editable     bool     `json:"editable"`
	Subdirectory string   `json:"subdirectory"`
}

type pipfileMeta struct {
	Hash struct {
		Sha256 string `json:"sha256"`
	} `json:"hash"`
	PipfileSpec *int `json:"pipfile-spec"`
}

// pipfileSections are the Pipfile tables that are not package categories.
var pipfileSections = map[string]bool{
	"source": true, "packages": true, "dev-packages": true, "requires": true,
	"scripts": true, "pipfile": true, "pipenv": true,
}

func loadPipenv(l *Lock) error {
	data, err := l.read(l.File)
	if err != nil {
		return err
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return l.formatProblem(l.File, fmt.Sprintf("%s is not valid JSON: %v", l.File, err))
	}
	var meta pipfileMeta
	if err := json.Unmarshal(raw["_meta"], &meta); err != nil || meta.PipfileSpec == nil {
		return l.formatProblem(l.File, fmt.Sprintf("%s has no readable _meta.pipfile-spec.", l.File))
	}
	if *meta.PipfileSpec != 6 {
		return l.formatProblem(l.File, fmt.Sprintf("%s has pipfile-spec %d; onbuild reads pipfile-spec 6 (pipenv 2018 and later).", l.File, *meta.PipfileSpec))
	}
	categories := map[string]map[string]pipfileEntry{}
	for name, body := range raw {
		if name == "_meta" {
			continue
		}
		var entries map[string]pipfileEntry
		if err := json.Unmarshal(body, &entries); err != nil {
			return l.formatProblem(l.File, fmt.Sprintf("%s: the category %q is not a table of packages: %v", l.File, name, err))
		}
		categories[name] = entries
	}
	var pipfile map[string]any
	if err := l.decodeTOML(l.Manifest, &pipfile); err != nil {
		return err
	}
	groupSet := map[string]bool{"default": true, "dev": true, "develop": true}
	for name := range categories {
		groupSet[NormalizeName(name)] = true
	}
	l.groups = sortedKeys(groupSet)
	l.resolve = func(groups map[string]bool) (Set, error) {
		selected := map[string]bool{}
		for g := range groups {
			selected[lockCategory(g)] = true
		}
		if err := l.pipenvStale(pipfile, categories, meta.Hash.Sha256, selected); err != nil {
			return Set{}, err
		}
		return l.pipenvSet(categories, selected)
	}
	return nil
}

// lockCategory maps a Pipfile table or a BP_PYTHON_GROUPS name to its
// Pipfile.lock category.
func lockCategory(name string) string {
	switch name {
	case "packages":
		return "default"
	case "dev-packages", "dev":
		return "develop"
	}
	return name
}

func (l Lock) pipenvSet(categories map[string]map[string]pipfileEntry, selected map[string]bool) (Set, error) {
	chosen := []string{"default"}
	for _, name := range sortedKeys(categories) {
		if name != "default" && selected[lockCategory(NormalizeName(name))] {
			chosen = append(chosen, name)
		}
	}
	seen := map[string]bool{}
	set := Set{Root: Root{Kind: RootNone}}
	for _, category := range chosen {
		entries := categories[category]
		for _, name := range sortedKeys(entries) {
			p, err := l.pipenvPackage(name, entries[name])
			if err != nil {
				return Set{}, err
			}
			// The first category wins: pipenv resolves develop against default.
			if seen[p.Name] {
				continue
			}
			seen[p.Name] = true
			set.Packages = append(set.Packages, p)
		}
	}
	sortPackages(set.Packages)
	return set, nil
}

func (l Lock) pipenvPackage(name string, e pipfileEntry) (Package, error) {
	p := Package{Name: NormalizeName(name), Hashes: e.Hashes}
	m, err := parseMarker(e.Markers, nil)
	if err != nil {
		return p, l.problemFor(p.Name, fmt.Sprintf("The markers of %s: %v", p.Name, err), "")
	}
	if m == nil {
		return p, l.problemFor(p.Name, fmt.Sprintf("The markers of %s (%s) only hold for an extra, which a lock cannot select.", p.Name, e.Markers), "")
	}
	p.Marker = m.String()
	switch {
	case e.Git != "" || e.Hg != "":
		src := Source{Kind: SourceGit, URL: e.Git, Commit: e.Ref, Subdirectory: e.Subdirectory, Editable: e.Editable}
		if e.Hg != "" {
			src.Kind, src.URL = SourceHg, e.Hg
		}
		if e.Ref == "" {
			return p, l.problemFor(p.Name, fmt.Sprintf("The %s source of %s (%s) has no locked ref.", src.Kind, p.Name, redactURL(src.URL)), "")
		}
		p.Source, p.Hashes = src, nil
	case e.Svn != "" || e.Bzr != "":
		return p, l.problemFor(p.Name, fmt.Sprintf("%s comes from Subversion or Bazaar, which onbuild does not install.", p.Name),
			fmt.Sprintf("Publish %s to your index, or move it to git, and run `pipenv lock`.", p.Name))
	case e.Path != "":
		rel, err := l.appRelative(p.Name, e.Path)
		if err != nil {
			return p, err
		}
		p.Source, p.Hashes = Source{Kind: SourcePath, Path: rel, Editable: e.Editable}, nil
	case e.File != "":
		p.Source = Source{Kind: SourceURL, URL: e.File}
	default:
		version, ok := strings.CutPrefix(e.Version, "==")
		if !ok || version == "" {
			return p, l.problemFor(p.Name, fmt.Sprintf("%s has version %q in %s; a lock pins \"==<version>\".", p.Name, e.Version, l.File), "")
		}
		p.Version, p.Source = version, Source{Kind: SourceIndex}
		if len(p.Hashes) == 0 {
			return p, l.noHashesProblem(p)
		}
	}
	return p, nil
}

// pipenvStale checks the Pipfile's packages against the lock, then the
// lock's _meta.hash: pipenv's sha256 of json.dumps(sort_keys=True,
// separators=(",", ":")) over the Pipfile's sources, requires and package
// tables. Pipfiles without [[source]] are left to the name check: pipenv
// hashes an implicit default source for them.
func (l Lock) pipenvStale(pipfile map[string]any, categories map[string]map[string]pipfileEntry, hash string, selected map[string]bool) error {
	for _, section := range sortedKeys(pipfile) {
		if pipfileSections[section] && section != "packages" && section != "dev-packages" {
			continue
		}
		category := lockCategory(section)
		if category != "default" && !selected[lockCategory(NormalizeName(category))] {
			continue
		}
		locked := map[string]bool{}
		for name := range categories[category] {
			locked[NormalizeName(name)] = true
		}
		for _, name := range sortedKeys(table(pipfile, section)) {
			if !locked[NormalizeName(name)] {
				return l.staleProblem(fmt.Sprintf("%s declares %s in [%s], but the lock does not cover it.", l.Manifest, NormalizeName(name), section))
			}
		}
	}
	sources, ok := pipfile["source"]
	if !ok || hash == "" {
		return nil
	}
	data := map[string]any{
		"_meta":   map[string]any{"sources": sources, "requires": orEmpty(table(pipfile, "requires"))},
		"default": orEmpty(table(pipfile, "packages")),
		"develop": orEmpty(table(pipfile, "dev-packages")),
	}
	for name, values := range pipfile {
		if !pipfileSections[name] && name != "default" && name != "develop" {
			data[name] = values
		}
	}
	sum, err := pythonJSONHash(data, ",", ":")
	if err != nil || sum == hash {
		return nil
	}
	return l.staleProblem(fmt.Sprintf("%s changed after it was written (its _meta.hash no longer matches).", l.Manifest))
}

func orEmpty(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}
