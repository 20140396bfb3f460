package lockfile

import (
	"fmt"
	"sort"
	"strings"
)

// poetryLock is poetry.lock lock-version 1.x (hashes under
// [metadata.files]) and 2.x (hashes in each package's files).
type poetryLock struct {
	Packages []poetryPackage `toml:"package"`
	Metadata struct {
		LockVersion string                  `toml:"lock-version"`
		ContentHash string                  `toml:"content-hash"`
		Files       map[string][]poetryFile `toml:"files"`
	} `toml:"metadata"`
}

type poetryPackage struct {
	Name         string              `toml:"name"`
	Version      string              `toml:"version"`
	Files        []poetryFile        `toml:"files"`
	Dependencies map[string]any      `toml:"dependencies"`
	Extras       map[string][]string `toml:"extras"`
	Develop      bool                `toml:"develop"`
	Groups       []string            `toml:"groups"`
	// Markers is a string, or a table of markers by group (lock-version 2.1).
	Markers any `toml:"markers"`
	Source  *struct {
		Type              string `toml:"type"`
		URL               string `toml:"url"`
		ResolvedReference string `toml:"resolved_reference"`
		Subdirectory      string `toml:"subdirectory"`
	} `toml:"source"`
}

type poetryFile struct {
	File string `toml:"file"`
	Hash string `toml:"hash"`
}

// poetryConstraint is one locked or declared constraint on a dependency.
type poetryConstraint struct {
	marker   string
	extras   []string
	optional bool
}

func loadPoetry(l *Lock) error {
	var lock poetryLock
	var manifest map[string]any
	if err := l.decodeTOML(l.File, &lock); err != nil {
		return err
	}
	if err := l.decodeTOML(l.Manifest, &manifest); err != nil {
		return err
	}
	major, _, _ := strings.Cut(lock.Metadata.LockVersion, ".")
	if major != "1" && major != "2" {
		p := l.formatProblem(l.File, fmt.Sprintf("%s has lock-version %q; onbuild reads lock-version 1.x and 2.x (Poetry 1.0 to 2.x).", l.File, lock.Metadata.LockVersion))
		return p
	}
	nodes := map[string][]*node{}
	recorded := map[*node]poetryPackage{}
	var order []*node
	for _, pkg := range lock.Packages {
		name := NormalizeName(pkg.Name)
		// Poetry 2.1 records each package's own marker, which tells apart
		// versions locked for different Pythons or platforms; older locks
		// leave that to Poetry's resolver.
		if len(nodes[name]) > 0 && !poetryRecordsMarkers(lock.Metadata.LockVersion) {
			return l.problemFor(name, fmt.Sprintf("%s locks several versions of %s (for different Python versions or platforms); with lock-version %s onbuild cannot tell which one each dependency means.", l.File, name, lock.Metadata.LockVersion),
				"Run `poetry lock` with Poetry 2.1 or later (lock-version 2.1 records which version applies where) and commit poetry.lock.")
		}
		n, err := l.poetryNode(pkg, lock.Metadata.Files[pkg.Name])
		if err != nil {
			return err
		}
		nodes[name] = append(nodes[name], n)
		recorded[n] = pkg
		order = append(order, n)
	}
	for _, n := range order {
		if err := l.poetryEdges(recorded[n], nodes, n); err != nil {
			return err
		}
	}
	m, err := l.poetryManifest(manifest)
	if err != nil {
		return err
	}
	l.groups = sortedKeys(m.groups)
	l.resolve = func(selected map[string]bool) (Set, error) {
		selected["main"] = true
		var roots []edge
		for _, group := range sortedKeys(selected) {
			for _, dep := range m.groups[group] {
				if len(nodes[dep.name]) == 0 {
					return Set{}, l.staleProblem(fmt.Sprintf("%s declares %s (group %s), but the lock does not cover it.", l.Manifest, dep.name, group))
				}
				for _, n := range nodes[dep.name] {
					for _, c := range dep.constraints {
						roots = append(roots, edge{to: n, marker: c.marker, extras: c.extras})
					}
				}
			}
		}
		if err := l.poetryFresh(manifest, lock); err != nil {
			return Set{}, err
		}
		guards, err := l.poetryGuards(nodes, recorded, selected)
		if err != nil {
			return Set{}, err
		}
		return l.collect(walk(roots, guards), m.root)
	}
	return nil
}

func (l Lock) poetryNode(pkg poetryPackage, legacyFiles []poetryFile) (*node, error) {
	n := &node{install: true, extras: map[string][]edge{}}
	n.pkg = Package{Name: NormalizeName(pkg.Name), Version: pkg.Version, Source: Source{Kind: SourceIndex}}
	files := pkg.Files
	if files == nil {
		files = legacyFiles
	}
	for _, f := range files {
		if f.Hash != "" {
			n.pkg.Hashes = append(n.pkg.Hashes, f.Hash)
		}
	}
	if pkg.Source == nil {
		return n, nil
	}
	switch pkg.Source.Type {
	case "", "legacy":
		// A package from a secondary index: pip must be configured with it.
	case "git":
		if !commitRe.MatchString(pkg.Source.ResolvedReference) {
			return nil, l.problemFor(n.pkg.Name, fmt.Sprintf("The git source of %s (%s) has no resolved_reference commit.", n.pkg.Name, redactURL(pkg.Source.URL)), "")
		}
		n.pkg.Source = Source{Kind: SourceGit, URL: pkg.Source.URL, Commit: pkg.Source.ResolvedReference, Subdirectory: pkg.Source.Subdirectory, Editable: pkg.Develop}
		n.pkg.Hashes = nil
	case "directory", "file":
		rel, err := l.appRelative(n.pkg.Name, pkg.Source.URL)
		if err != nil {
			return nil, err
		}
		n.pkg.Source = Source{Kind: SourcePath, Path: rel, Editable: pkg.Develop && pkg.Source.Type == "directory"}
		n.pkg.Hashes = nil
	case "url":
		n.pkg.Source = Source{Kind: SourceURL, URL: pkg.Source.URL}
	default:
		return nil, l.problemFor(n.pkg.Name, fmt.Sprintf("%s comes from a %q source, which onbuild does not know.", n.pkg.Name, pkg.Source.Type), "")
	}
	return n, nil
}

func poetryRecordsMarkers(lockVersion string) bool {
	major, minor, _ := strings.Cut(lockVersion, ".")
	return major == "2" && minor != "" && minor != "0"
}

// poetryGuards restricts each of several versions locked under one name
// to the marker Poetry recorded for it in the selected groups.
func (l Lock) poetryGuards(nodes map[string][]*node, recorded map[*node]poetryPackage, selected map[string]bool) (map[*node]marker, error) {
	guards := map[*node]marker{}
	for _, name := range sortedKeys(nodes) {
		if len(nodes[name]) < 2 {
			continue
		}
		for _, n := range nodes[name] {
			pkg := recorded[n]
			var guard marker
			for _, group := range pkg.Groups {
				if !selected[NormalizeName(group)] {
					continue
				}
				text := ""
				switch m := pkg.Markers.(type) {
				case string:
					text = m
				case map[string]any:
					text, _ = m[group].(string)
				}
				gm, err := parseMarker(text, selected)
				if err != nil {
					return nil, l.problemFor(name, fmt.Sprintf("The markers of %s %s: %v", name, n.pkg.Version, err), "")
				}
				guard = guard.or(gm)
			}
			guards[n] = guard
		}
	}
	return guards, nil
}

func (l Lock) poetryEdges(pkg poetryPackage, nodes map[string][]*node, n *node) error {
	optional := map[string][]poetryConstraint{}
	for _, dname := range sortedKeys(pkg.Dependencies) {
		constraints, err := poetryConstraints(pkg.Dependencies[dname])
		if err != nil {
			return l.problemFor(n.pkg.Name, fmt.Sprintf("The dependency of %s on %s: %v", pkg.Name, dname, err), "")
		}
		targets := nodes[NormalizeName(dname)]
		for _, c := range constraints {
			if c.optional {
				optional[NormalizeName(dname)] = append(optional[NormalizeName(dname)], c)
				continue
			}
			if len(targets) == 0 {
				// Poetry locks only what some platform needs; a missing
				// mandatory dependency means a hand-edited or broken lock.
				return l.problemFor(n.pkg.Name, fmt.Sprintf("%s depends on %s, which is not locked.", pkg.Name, dname), "")
			}
			for _, to := range targets {
				n.deps = append(n.deps, edge{to: to, marker: c.marker, extras: c.extras})
			}
		}
	}
	for extra, reqs := range pkg.Extras {
		for _, s := range reqs {
			req, err := parseRequirement(s)
			if err == nil {
				_, err = parseMarker(req.marker, nil)
			}
			if err != nil {
				return l.problemFor(n.pkg.Name, fmt.Sprintf("The extra %s of %s: %v", extra, pkg.Name, err), "")
			}
			// Extras nobody asked for are not locked: no targets, no edges.
			cs := optional[req.name]
			if len(cs) == 0 {
				cs = []poetryConstraint{{}}
			}
			for _, to := range nodes[req.name] {
				for _, c := range cs {
					n.extras[NormalizeName(extra)] = append(n.extras[NormalizeName(extra)], edge{
						to: to, marker: andMarkers(c.marker, req.marker), extras: append(append([]string{}, c.extras...), req.extras...),
					})
				}
			}
		}
	}
	return nil
}

// poetryConstraints reads a dependency value: "^1.0", a table, or a list
// of tables for different Python versions or platforms.
func poetryConstraints(v any) ([]poetryConstraint, error) {
	switch v := v.(type) {
	case string:
		return []poetryConstraint{{}}, nil
	case map[string]any:
		c, err := poetryConstraintOf(v)
		return []poetryConstraint{c}, err
	case []any:
		var out []poetryConstraint
		for _, item := range v {
			cs, err := poetryConstraints(item)
			if err != nil {
				return nil, err
			}
			out = append(out, cs...)
		}
		return out, nil
	case []map[string]any:
		var out []poetryConstraint
		for _, item := range v {
			c, err := poetryConstraintOf(item)
			if err != nil {
				return nil, err
			}
			out = append(out, c)
		}
		return out, nil
	}
	return nil, fmt.Errorf("%v is neither a version nor a table", v)
}

func poetryConstraintOf(t map[string]any) (poetryConstraint, error) {
	var c poetryConstraint
	c.optional, _ = t["optional"].(bool)
	if extras, ok := t["extras"].([]any); ok {
		for _, x := range extras {
			if s, ok := x.(string); ok {
				c.extras = append(c.extras, s)
			}
		}
	}
	var parts []string
	if m, ok := t["markers"].(string); ok {
		if _, err := parseMarker(m, nil); err != nil {
			return c, err
		}
		parts = append(parts, m)
	}
	if py, ok := t["python"].(string); ok {
		m, err := poetryPythonMarker(py)
		if err != nil {
			return c, err
		}
		parts = append(parts, m)
	}
	if platform, ok := t["platform"].(string); ok {
		parts = append(parts, fmt.Sprintf("sys_platform == %q", platform))
	}
	c.marker = andMarkers(parts...)
	if _, err := parseMarker(c.marker, nil); err != nil {
		return c, err
	}
	return c, nil
}

func andMarkers(parts ...string) string {
	var kept []string
	for _, p := range parts {
		if strings.TrimSpace(p) != "" {
			kept = append(kept, "("+p+")")
		}
	}
	return strings.Join(kept, " and ")
}

// poetryPythonMarker turns Poetry's python constraint ("^3.8", ">=3.7,<3.10",
// "~3.9 || ^3.11") into a PEP 508 marker.
func poetryPythonMarker(constraint string) (string, error) {
	var ors []string
	for _, alt := range strings.Split(strings.ReplaceAll(constraint, "||", "|"), "|") {
		var ands []string
		for _, part := range strings.FieldsFunc(alt, func(r rune) bool { return r == ',' || r == ' ' }) {
			atoms, err := pythonConstraintAtoms(part)
			if err != nil {
				return "", fmt.Errorf("python constraint %q: %v", constraint, err)
			}
			ands = append(ands, atoms...)
		}
		if len(ands) == 0 {
			return "", nil
		}
		ors = append(ors, "("+strings.Join(ands, " and ")+")")
	}
	return strings.Join(ors, " or "), nil
}

func pythonConstraintAtoms(part string) ([]string, error) {
	if part == "*" {
		return nil, nil
	}
	op := ""
	for _, candidate := range []string{"~=", "==", "!=", ">=", "<=", ">", "<", "^", "~", "="} {
		if strings.HasPrefix(part, candidate) {
			op = candidate
			break
		}
	}
	v := strings.TrimSpace(part[len(op):])
	nums := strings.Split(strings.TrimSuffix(v, ".*"), ".")
	for _, n := range nums {
		if n == "" || strings.Trim(n, "0123456789") != "" {
			return nil, fmt.Errorf("%q is not a version", v)
		}
	}
	atom := func(op, v string) string {
		variable := "python_version"
		if strings.Count(strings.TrimSuffix(v, ".*"), ".") >= 2 {
			variable = "python_full_version"
		}
		return fmt.Sprintf("%s %s %q", variable, op, v)
	}
	bump := func(i int) string {
		var n int
		fmt.Sscan(nums[i], &n)
		return strings.Join(append(append([]string{}, nums[:i]...), fmt.Sprint(n+1)), ".")
	}
	switch op {
	case "", "=", "==":
		return []string{atom("==", v)}, nil
	case "^":
		i := 0
		for i < len(nums)-1 && nums[i] == "0" {
			i++
		}
		return []string{atom(">=", v), atom("<", bump(i))}, nil
	case "~", "~=":
		i := len(nums) - 2
		if op == "~" && len(nums) == 2 {
			i = 1
		}
		if i < 0 {
			i = 0
		}
		return []string{atom(">=", v), atom("<", bump(i))}, nil
	}
	return []string{atom(op, v)}, nil
}

// poetryDeclared is one dependency of the project, with its constraints.
type poetryDeclared struct {
	name        string
	constraints []poetryConstraint
}

type poetryProject struct {
	groups map[string][]poetryDeclared
	root   Root
}

// poetryManifest reads the project's dependencies by group: "main" from
// [tool.poetry.dependencies] and [project], each extra, each group.
func (l Lock) poetryManifest(manifest map[string]any) (poetryProject, error) {
	m := poetryProject{groups: map[string][]poetryDeclared{"main": nil}}
	poetry := table(table(manifest, "tool"), "poetry")
	project := table(manifest, "project")
	name, _ := poetry["name"].(string)
	if n, ok := project["name"].(string); ok {
		name = n
	}
	m.root = Root{Name: NormalizeName(name), Kind: RootEditable}
	if mode, ok := poetry["package-mode"].(bool); ok && !mode {
		m.root.Kind = RootVirtual
	}
	optional := map[string]poetryDeclared{}
	add := func(group string, deps map[string]any) error {
		for _, dname := range sortedKeys(deps) {
			if dname == "python" {
				continue
			}
			cs, err := poetryConstraints(deps[dname])
			if err != nil {
				p := l.formatProblem(l.Manifest, fmt.Sprintf("%s: the dependency %s: %v", l.Manifest, dname, err))
				return p
			}
			d := poetryDeclared{name: NormalizeName(dname)}
			for _, c := range cs {
				if c.optional && group == "main" {
					optional[d.name] = poetryDeclared{name: d.name, constraints: append(optional[d.name].constraints, c)}
					continue
				}
				d.constraints = append(d.constraints, c)
			}
			if len(d.constraints) > 0 {
				m.groups[group] = append(m.groups[group], d)
			}
		}
		return nil
	}
	if err := add("main", table(poetry, "dependencies")); err != nil {
		return m, err
	}
	if err := add("dev", table(poetry, "dev-dependencies")); err != nil {
		return m, err
	}
	for _, group := range sortedKeys(table(poetry, "group")) {
		if err := add(NormalizeName(group), table(table(table(poetry, "group"), group), "dependencies")); err != nil {
			return m, err
		}
		m.groups[NormalizeName(group)] = append(m.groups[NormalizeName(group)], nil...)
	}
	if len(table(poetry, "dev-dependencies")) == 0 && table(table(poetry, "group"), "dev") == nil {
		delete(m.groups, "dev")
	}
	extras := table(poetry, "extras")
	for _, extra := range sortedKeys(extras) {
		names, _ := extras[extra].([]any)
		key := NormalizeName(extra)
		m.groups[key] = append(m.groups[key], nil...)
		for _, n := range names {
			s, _ := n.(string)
			if d, ok := optional[NormalizeName(s)]; ok {
				m.groups[key] = append(m.groups[key], d)
			}
		}
	}
	pep621 := map[string][]string{"main": stringList(project["dependencies"])}
	for extra, reqs := range table(project, "optional-dependencies") {
		pep621[NormalizeName(extra)] = stringList(reqs)
	}
	for _, group := range sortedKeys(pep621) {
		m.groups[group] = append(m.groups[group], nil...)
		for _, s := range pep621[group] {
			req, err := parseRequirement(s)
			if err == nil {
				_, err = parseMarker(req.marker, nil)
			}
			if err != nil {
				return m, l.formatProblem(l.Manifest, fmt.Sprintf("%s [project]: %v", l.Manifest, err))
			}
			if req.name == m.root.Name {
				continue
			}
			m.groups[group] = append(m.groups[group], poetryDeclared{name: req.name, constraints: []poetryConstraint{{marker: req.marker, extras: req.extras}}})
		}
	}
	return m, nil
}

// poetryFresh compares the lock's content-hash with the one Poetry would
// compute now: sha256 of json.dumps(sort_keys=True) over the dependency
// sections. Poetry 2 adds [project]'s; locks from Poetry 1 hash only
// [tool.poetry]'s, so either form matches.
func (l Lock) poetryFresh(manifest map[string]any, lock poetryLock) error {
	if lock.Metadata.ContentHash == "" {
		return nil
	}
	poetry := table(table(manifest, "tool"), "poetry")
	project := table(manifest, "project")
	legacy := []string{"dependencies", "source", "extras", "dev-dependencies"}
	relevantPoetry := func(withProject bool) map[string]any {
		out := map[string]any{}
		for _, key := range append(legacy, "group") {
			v, ok := poetry[key]
			if !ok && (key == "group" || withProject) {
				continue
			}
			out[key] = v
		}
		return out
	}
	relevantProject := map[string]any{}
	for _, key := range []string{"requires-python", "dependencies", "optional-dependencies"} {
		if v, ok := project[key]; ok {
			relevantProject[key] = v
		}
	}
	candidates := []any{relevantPoetry(false)}
	if len(relevantProject) > 0 {
		candidates = append(candidates, map[string]any{
			"project": relevantProject,
			"tool":    map[string]any{"poetry": relevantPoetry(true)},
		})
	}
	for _, c := range candidates {
		sum, err := pythonJSONHash(c, ", ", ": ")
		if err != nil {
			// Poetry could not hash it either; rely on the name check.
			return nil
		}
		if sum == lock.Metadata.ContentHash {
			return nil
		}
	}
	return l.staleProblem(fmt.Sprintf("the dependencies in %s changed after it was written (its content-hash no longer matches).", l.Manifest))
}

func table(m map[string]any, key string) map[string]any {
	t, _ := m[key].(map[string]any)
	return t
}

func stringList(v any) []string {
	var out []string
	items, _ := v.([]any)
	for _, item := range items {
		if s, ok := item.(string); ok {
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}
