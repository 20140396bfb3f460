package lockfile

import (
	"fmt"
	"net/url"
	"path"
	"regexp"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/onbuild-buildpacks/onbuild/internal/problem"
)

// uvLock is uv.lock version 1 (uv 0.3 onwards; revision only adds fields).
type uvLock struct {
	Version  *int `toml:"version"`
	Revision int  `toml:"revision"`
	Manifest struct {
		Members []string `toml:"members"`
	} `toml:"manifest"`
	// Conflicts are [tool.uv] conflicts: extras and groups locked with
	// different versions of the same package, never installed together.
	Conflicts [][]uvConflict `toml:"conflicts"`
	Packages  []uvPackage    `toml:"package"`
}

type uvConflict struct {
	Package string `toml:"package"`
	Extra   string `toml:"extra"`
	Group   string `toml:"group"`
}

type uvPackage struct {
	Name                 string                    `toml:"name"`
	Version              string                    `toml:"version"`
	Source               map[string]any            `toml:"source"`
	Dependencies         []uvDependency            `toml:"dependencies"`
	OptionalDependencies map[string][]uvDependency `toml:"optional-dependencies"`
	DevDependencies      map[string][]uvDependency `toml:"dev-dependencies"`
	Sdist                *uvFile                   `toml:"sdist"`
	Wheels               []uvFile                  `toml:"wheels"`
	Metadata             struct {
		RequiresDist []uvDependency            `toml:"requires-dist"`
		RequiresDev  map[string][]uvDependency `toml:"requires-dev"`
	} `toml:"metadata"`
}

type uvDependency struct {
	Name    string         `toml:"name"`
	Version string         `toml:"version"`
	Source  map[string]any `toml:"source"`
	Marker  string         `toml:"marker"`
	Extra   []string       `toml:"extra"`
}

type uvFile struct {
	Hash string `toml:"hash"`
}

// pyproject is the part of pyproject.toml the lock tools lock.
type pyproject struct {
	Project struct {
		Name                 string              `toml:"name"`
		Dependencies         []string            `toml:"dependencies"`
		OptionalDependencies map[string][]string `toml:"optional-dependencies"`
	} `toml:"project"`
	DependencyGroups map[string][]any `toml:"dependency-groups"`
	Tool             struct {
		UV struct {
			DevDependencies []string `toml:"dev-dependencies"`
		} `toml:"uv"`
	} `toml:"tool"`
}

var commitRe = regexp.MustCompile(`^[0-9a-f]{40}$`)

func loadUV(l *Lock) error {
	var lock uvLock
	var manifest pyproject
	if err := l.decodeTOML(l.File, &lock); err != nil {
		return err
	}
	if err := l.decodeTOML(l.Manifest, &manifest); err != nil {
		return err
	}
	if lock.Version == nil || *lock.Version != 1 {
		version := "no version"
		if lock.Version != nil {
			version = fmt.Sprintf("version = %d", *lock.Version)
		}
		p := l.formatProblem(l.File, fmt.Sprintf("%s has %s; onbuild reads uv.lock version 1 (uv 0.3 and later).", l.File, version))
		p.Fixes = []string{
			"Lock with a uv release that writes version 1 (`uv lock`) and commit uv.lock.",
			"Or export the lock: `uv export --format requirements-txt > requirements.txt` and delete uv.lock.",
		}
		return p
	}
	g, err := l.uvGraph(lock)
	if err != nil {
		return err
	}
	roots, root, err := l.uvRoots(lock, manifest, g)
	if err != nil {
		return err
	}
	groupSet := map[string]bool{}
	for _, r := range roots {
		for x := range r.extras {
			groupSet[x] = true
		}
		for name := range g.dev[r] {
			groupSet[name] = true
		}
	}
	l.groups = sortedKeys(groupSet)
	l.resolve = func(selected map[string]bool) (Set, error) {
		if err := l.uvStale(lock, manifest, g, roots, selected); err != nil {
			return Set{}, err
		}
		if err := l.uvConflicts(lock, roots, selected); err != nil {
			return Set{}, err
		}
		var edges []edge
		for _, r := range roots {
			edges = append(edges, edge{to: r})
			for x := range selected {
				if _, ok := r.extras[x]; ok {
					edges = append(edges, edge{to: r, extras: []string{x}})
				}
				edges = append(edges, g.dev[r][x]...)
			}
		}
		return l.collect(walk(edges, nil), root)
	}
	return nil
}

// uvConflicts refuses a selection that [tool.uv] conflicts forbids: uv
// locks each side with its own version of a package, so installing both
// would hand pip two pins of one name.
func (l Lock) uvConflicts(lock uvLock, roots []*node, selected map[string]bool) error {
	rootNames := map[string]bool{}
	for _, r := range roots {
		rootNames[r.pkg.Name] = true
	}
	for _, set := range lock.Conflicts {
		var chosen []string
		for _, item := range set {
			kind, name := "extra", NormalizeName(item.Extra)
			if name == "" {
				kind, name = "group", NormalizeName(item.Group)
			}
			if rootNames[NormalizeName(item.Package)] && selected[name] {
				chosen = append(chosen, kind+" "+name)
			}
		}
		if len(chosen) > 1 {
			return problem.Problem{
				Title: "Conflicting groups selected",
				File:  l.File,
				Cause: fmt.Sprintf("%s selects the %s, which %s declares as conflicting ([tool.uv] conflicts): each is locked with its own versions, so they cannot be installed together.", GroupsSetting, strings.Join(chosen, " and the "), l.File),
				Fixes: []string{fmt.Sprintf("Select only one of them in %s.", GroupsSetting)},
			}
		}
	}
	return nil
}

type uvGraph struct {
	nodes  map[string]*node
	byName map[string][]*node
	dev    map[*node]map[string][]edge
}

func (p uvPackage) key() string {
	return p.Name + "\x00" + p.Version + "\x00" + fmt.Sprint(p.Source)
}

func (l Lock) uvGraph(lock uvLock) (uvGraph, error) {
	g := uvGraph{nodes: map[string]*node{}, byName: map[string][]*node{}, dev: map[*node]map[string][]edge{}}
	for _, pkg := range lock.Packages {
		src, install, err := l.uvSource(pkg)
		if err != nil {
			return g, err
		}
		n := &node{install: install, extras: map[string][]edge{}, rawSource: fmt.Sprint(pkg.Source)}
		n.pkg = Package{Name: NormalizeName(pkg.Name), Version: pkg.Version, Source: src}
		if pkg.Sdist != nil && pkg.Sdist.Hash != "" {
			n.pkg.Hashes = append(n.pkg.Hashes, pkg.Sdist.Hash)
		}
		for _, w := range pkg.Wheels {
			if w.Hash != "" {
				n.pkg.Hashes = append(n.pkg.Hashes, w.Hash)
			}
		}
		g.nodes[pkg.key()] = n
		g.byName[n.pkg.Name] = append(g.byName[n.pkg.Name], n)
	}
	for _, pkg := range lock.Packages {
		n := g.nodes[pkg.key()]
		var err error
		if n.deps, err = l.uvEdges(g, pkg, pkg.Dependencies); err != nil {
			return g, err
		}
		for extra, deps := range pkg.OptionalDependencies {
			if n.extras[NormalizeName(extra)], err = l.uvEdges(g, pkg, deps); err != nil {
				return g, err
			}
		}
		for group, deps := range pkg.DevDependencies {
			edges, err := l.uvEdges(g, pkg, deps)
			if err != nil {
				return g, err
			}
			if g.dev[n] == nil {
				g.dev[n] = map[string][]edge{}
			}
			g.dev[n][NormalizeName(group)] = edges
		}
	}
	return g, nil
}

// uvEdges links dependencies; uv writes version and source only when the
// name alone is ambiguous (several versions locked for different markers).
func (l Lock) uvEdges(g uvGraph, from uvPackage, deps []uvDependency) ([]edge, error) {
	var edges []edge
	for _, d := range deps {
		var match []*node
		for _, n := range g.uvNamed(d.Name) {
			if d.Version != "" && n.pkg.Version != d.Version {
				continue
			}
			match = append(match, n)
		}
		if len(match) > 1 && d.Source != nil {
			var bySource []*node
			for _, n := range match {
				if n.rawSource == fmt.Sprint(d.Source) {
					bySource = append(bySource, n)
				}
			}
			match = bySource
		}
		if len(match) != 1 {
			what := "is not locked"
			if len(match) > 1 {
				what = "matches several locked versions"
			}
			return nil, l.problemFor(from.Name, fmt.Sprintf("%s depends on %s, which %s in %s.", from.Name, d.Name, what, l.File), "")
		}
		if _, err := parseMarker(d.Marker, nil); err != nil {
			return nil, l.problemFor(from.Name, fmt.Sprintf("The dependency of %s on %s has an %v", from.Name, d.Name, err), "")
		}
		edges = append(edges, edge{to: match[0], marker: d.Marker, extras: d.Extra})
	}
	return edges, nil
}

func (g uvGraph) uvNamed(name string) []*node {
	return g.byName[NormalizeName(name)]
}

func (l Lock) uvSource(pkg uvPackage) (Source, bool, error) {
	str := func(key string) (string, bool) {
		v, ok := pkg.Source[key].(string)
		return v, ok
	}
	if _, ok := str("registry"); ok {
		return Source{Kind: SourceIndex}, true, nil
	}
	if v, ok := str("git"); ok {
		return l.uvGit(pkg.Name, v)
	}
	if v, ok := str("url"); ok {
		src := Source{Kind: SourceURL, URL: v}
		if sub, ok := str("subdirectory"); ok {
			src.URL += "#subdirectory=" + sub
		}
		return src, true, nil
	}
	for _, kind := range []string{"editable", "directory", "path", "virtual"} {
		v, ok := str(kind)
		if !ok {
			continue
		}
		rel, err := l.appRelative(pkg.Name, v)
		if err != nil {
			return Source{}, false, err
		}
		return Source{Kind: SourcePath, Path: rel, Editable: kind == "editable"}, kind != "virtual", nil
	}
	return Source{}, false, l.problemFor(pkg.Name, fmt.Sprintf("%s has a source onbuild does not know: %v.", pkg.Name, sortedKeys(pkg.Source)), "")
}

// uvGit reads "https://host/repo?rev=v1&subdirectory=x#<commit>".
func (l Lock) uvGit(name, raw string) (Source, bool, error) {
	base, commit, _ := strings.Cut(raw, "#")
	src := Source{Kind: SourceGit, Commit: commit}
	if u, query, ok := strings.Cut(base, "?"); ok {
		base = u
		values, _ := url.ParseQuery(query)
		src.Subdirectory = values.Get("subdirectory")
	}
	if !commitRe.MatchString(commit) {
		return Source{}, false, l.problemFor(name, fmt.Sprintf("The git source of %s (%s) has no locked commit.", name, redactURL(base)), "")
	}
	src.URL = base
	return src, true, nil
}

// appRelative keeps local sources inside the app: the build sees nothing else.
func (l Lock) appRelative(name, p string) (string, error) {
	clean := path.Clean(strings.ReplaceAll(p, "\\", "/"))
	if path.IsAbs(clean) || clean == ".." || strings.HasPrefix(clean, "../") {
		if l.inUpload(clean) {
			return clean, nil
		}
		prob := l.formatProblem(l.File, fmt.Sprintf("%s is installed from %s, outside the app and outside the source pack build uploaded: the build has nothing else.", name, p))
		prob.Title = "Path dependency outside the app"
		prob.Fixes = []string{
			fmt.Sprintf("Move %s into the app directory, point %s at it and run `%s`.", p, l.Manifest, l.Tool.RefreshCommand()),
			fmt.Sprintf("Publish %s to your package index and depend on a version of it.", name),
			"Or upload the folder that holds both (the repository root) and name the app's folder in it: pack build --path <repository root> --env BP_APP_DIR=<app folder>.",
		}
		return "", prob
	}
	return clean, nil
}

// uvRoots finds the project in the lock: the package at ".", or every
// workspace member when the workspace root is not a project itself.
func (l Lock) uvRoots(lock uvLock, manifest pyproject, g uvGraph) ([]*node, Root, error) {
	name := NormalizeName(manifest.Project.Name)
	if name == "" {
		var roots []*node
		for _, member := range lock.Manifest.Members {
			for _, n := range g.byName[NormalizeName(member)] {
				roots = append(roots, n)
			}
		}
		return roots, Root{Kind: RootVirtual}, nil
	}
	for _, n := range g.byName[name] {
		if n.pkg.Source.Kind == SourcePath && n.pkg.Source.Path == l.memberPath() {
			n.install = false
			kind := RootEditable
			if l.uvPackageOf(lock, g, n).Source["virtual"] != nil {
				kind = RootVirtual
			}
			return []*node{n}, Root{Name: name, Kind: kind}, nil
		}
	}
	return nil, Root{}, l.staleProblem(fmt.Sprintf("it has no entry for the project %s declared in %s.", name, l.Manifest))
}

func (l Lock) uvPackageOf(lock uvLock, g uvGraph, n *node) *uvPackage {
	for i, pkg := range lock.Packages {
		if g.nodes[pkg.key()] == n {
			return &lock.Packages[i]
		}
	}
	return nil
}

// uvStale checks that every dependency pyproject.toml declares for the
// selection was locked. uv's own check compares [package.metadata] too.
func (l Lock) uvStale(lock uvLock, manifest pyproject, g uvGraph, roots []*node, selected map[string]bool) error {
	if manifest.Project.Name == "" {
		return nil
	}
	root := l.uvPackageOf(lock, g, roots[0])
	locked := map[string]bool{NormalizeName(manifest.Project.Name): true}
	addAll := func(deps []uvDependency) {
		for _, d := range deps {
			locked[NormalizeName(d.Name)] = true
		}
	}
	addAll(root.Dependencies)
	addAll(root.Metadata.RequiresDist)
	for _, deps := range root.OptionalDependencies {
		addAll(deps)
	}
	for _, deps := range root.DevDependencies {
		addAll(deps)
	}
	for _, deps := range root.Metadata.RequiresDev {
		addAll(deps)
	}
	declared := map[string][]string{"[project] dependencies": manifest.Project.Dependencies}
	for extra, deps := range manifest.Project.OptionalDependencies {
		if selected[NormalizeName(extra)] {
			declared["[project.optional-dependencies] "+extra] = deps
		}
	}
	for group, deps := range manifest.DependencyGroups {
		if !selected[NormalizeName(group)] {
			continue
		}
		for _, d := range deps {
			// {include-group = "..."} tables add no names of their own.
			if s, ok := d.(string); ok {
				declared["[dependency-groups] "+group] = append(declared["[dependency-groups] "+group], s)
			}
		}
	}
	if selected["dev"] {
		declared["[tool.uv] dev-dependencies"] = manifest.Tool.UV.DevDependencies
	}
	return l.checkDeclared(declared, locked)
}

// checkDeclared reports the first declared requirement the lock lacks, in
// a stable order.
func (l Lock) checkDeclared(declared map[string][]string, locked map[string]bool) error {
	sections := sortedKeys(declared)
	for _, section := range sections {
		reqs := append([]string{}, declared[section]...)
		sort.Strings(reqs)
		for _, s := range reqs {
			req, err := parseRequirement(s)
			if err != nil {
				p := l.formatProblem(l.Manifest, fmt.Sprintf("%s %s: %v", l.Manifest, section, err))
				p.Fixes = []string{fmt.Sprintf("Fix the requirement in %s, then run `%s`.", l.Manifest, l.Tool.RefreshCommand())}
				return p
			}
			if !locked[req.name] {
				return l.staleProblem(fmt.Sprintf("%s declares %s in %s, but the lock does not cover it.", l.Manifest, req.name, section))
			}
		}
	}
	return nil
}

func (l Lock) decodeTOML(file string, v any) error {
	data, err := l.read(file)
	if err != nil {
		return err
	}
	if _, err := toml.Decode(string(data), v); err != nil {
		return l.formatProblem(file, fmt.Sprintf("%s is not valid TOML: %v", file, err))
	}
	return nil
}
