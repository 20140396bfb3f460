package lockfile

import (
	"fmt"
	"strings"
)

// node is one locked distribution in the dependency graph.
type node struct {
	pkg Package
	// install is false for nodes pip must not see: the root project and
	// virtual workspace members, whose dependencies still count.
	install bool
	deps    []edge
	// extras are the dependencies an extra of this package adds.
	extras map[string][]edge
	// rawSource tells apart same-version packages from several indexes (uv).
	rawSource string
}

// edge is a dependency: to whom, under which marker, with which extras.
type edge struct {
	to     *node
	marker string
	extras []string
}

type walkKey struct {
	n     *node
	extra string
}

// walk carries markers from the roots through the graph until nothing
// changes: a package's marker is the "or" over every path reaching it of
// the "and" of the markers along the path. Markers only grow, over a finite
// set of comparisons, so cycles end. A guard restricts a node whatever
// the path: Poetry records one for each of several versions locked under
// the same name.
func walk(roots []edge, guards map[*node]marker) map[*node]marker {
	markers := map[walkKey]marker{}
	var queue []walkKey
	add := func(k walkKey, m marker) {
		if guard, ok := guards[k.n]; ok {
			m = m.and(guard)
		}
		if m == nil {
			return
		}
		grown := markers[k].or(m)
		if _, seen := markers[k]; seen && markerEqual(grown, markers[k]) {
			return
		}
		markers[k] = grown
		queue = append(queue, k)
	}
	follow := func(from marker, e edge, extras map[string]bool) {
		// Markers were validated when the lock was read.
		em, _ := parseMarker(e.marker, extras)
		m := from.and(em)
		add(walkKey{e.to, ""}, m)
		for _, x := range e.extras {
			add(walkKey{e.to, NormalizeName(x)}, m)
		}
	}
	for _, e := range roots {
		follow(markerTrue, e, nil)
	}
	for len(queue) > 0 {
		k := queue[0]
		queue = queue[1:]
		m := markers[k]
		if k.extra == "" {
			for _, e := range k.n.deps {
				follow(m, e, nil)
			}
			continue
		}
		add(walkKey{k.n, ""}, m)
		for _, e := range k.n.extras[k.extra] {
			follow(m, e, map[string]bool{k.extra: true})
		}
	}
	out := map[*node]marker{}
	for k, m := range markers {
		if k.extra == "" && m != nil {
			out[k.n] = m
		}
	}
	return out
}

func markerEqual(a, b marker) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if strings.Join(a[i], "\x00") != strings.Join(b[i], "\x00") || len(a[i]) != len(b[i]) {
			return false
		}
	}
	return true
}

// collect turns the walk into the installable packages, each with its
// marker; an index package without hashes is an error because pip's
// --require-hashes would refuse the whole file.
func (l Lock) collect(reached map[*node]marker, root Root) (Set, error) {
	set := Set{Root: root}
	for n, m := range reached {
		if !n.install {
			continue
		}
		p := n.pkg
		p.Marker = m.String()
		if (p.Source.Kind == SourceIndex) && len(p.Hashes) == 0 {
			return Set{}, l.noHashesProblem(p)
		}
		set.Packages = append(set.Packages, p)
	}
	sortPackages(set.Packages)
	return set, nil
}

func (l Lock) noHashesProblem(p Package) error {
	fix := fmt.Sprintf("Run `%s` against an index that publishes hashes, and commit %s.", l.Tool.RefreshCommand(), l.File)
	if l.Tool == UV {
		fix = fmt.Sprintf("Run `uv lock --refresh-package %s` against an index that publishes hashes, and commit %s.", p.Name, l.File)
	}
	return l.problemFor(p.Name, fmt.Sprintf("%s locks %s %s without any hash, so pip cannot check what it downloads.", l.File, p.Name, p.Version), fix)
}

// problemFor is a defect of one package in the lock.
func (l Lock) problemFor(name, cause, fix string) error {
	p := l.formatProblem(l.File, cause)
	p.Title = fmt.Sprintf("Unusable entry for %s in %s", name, l.File)
	if fix != "" {
		p.Fixes = []string{fix}
	}
	return p
}
