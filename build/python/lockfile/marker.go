package lockfile

import (
	"fmt"
	"sort"
	"strings"
)

// markerVariables are the PEP 508 environment markers. The dotted legacy
// names (os.name, sys.platform...) are left out on purpose: pip 22.3 and
// later (packaging 22) refuse them.
var markerVariables = map[string]bool{
	"python_version": true, "python_full_version": true, "os_name": true,
	"sys_platform": true, "platform_release": true, "platform_system": true,
	"platform_version": true, "platform_machine": true,
	"platform_python_implementation": true, "implementation_name": true,
	"implementation_version": true, "extra": true,
}

var markerOperators = []string{"===", "==", "!=", "<=", ">=", "~=", "<", ">"}

// marker is an environment marker in disjunctive normal form: an "or" of
// "and"s of comparisons. Markers travel along dependency paths ("and") and
// meet from several paths ("or"); this form makes both plain set work and
// keeps the result stable whatever order the graph is walked in. nil is
// false (never installed); a term without comparisons is true.
type marker [][]string

var markerTrue = marker{{}}

func (m marker) isTrue() bool {
	for _, term := range m {
		if len(term) == 0 {
			return true
		}
	}
	return false
}

func (m marker) or(o marker) marker {
	terms := make([][]string, 0, len(m)+len(o))
	terms = append(terms, m...)
	terms = append(terms, o...)
	return absorb(terms)
}

func (m marker) and(o marker) marker {
	var terms [][]string
	for _, a := range m {
		for _, b := range o {
			term := append(append([]string{}, a...), b...)
			terms = append(terms, term)
		}
	}
	return absorb(terms)
}

// absorb sorts and dedupes each term and drops terms implied by a smaller
// one (a or (a and b) is a).
func absorb(terms [][]string) marker {
	clean := make([][]string, 0, len(terms))
	for _, term := range terms {
		set := map[string]bool{}
		for _, atom := range term {
			set[atom] = true
		}
		atoms := make([]string, 0, len(set))
		for atom := range set {
			atoms = append(atoms, atom)
		}
		sort.Strings(atoms)
		clean = append(clean, atoms)
	}
	sort.SliceStable(clean, func(i, j int) bool { return len(clean[i]) < len(clean[j]) })
	var kept marker
	for _, term := range clean {
		implied := false
		for _, k := range kept {
			if subset(k, term) {
				implied = true
				break
			}
		}
		if !implied {
			kept = append(kept, term)
		}
	}
	sort.Slice(kept, func(i, j int) bool {
		return strings.Join(kept[i], " and ") < strings.Join(kept[j], " and ")
	})
	return kept
}

func subset(small, big []string) bool {
	set := map[string]bool{}
	for _, atom := range big {
		set[atom] = true
	}
	for _, atom := range small {
		if !set[atom] {
			return false
		}
	}
	return true
}

// String renders the marker for a requirements file; "" is always true.
func (m marker) String() string {
	if m.isTrue() {
		return ""
	}
	if len(m) == 1 {
		return strings.Join(m[0], " and ")
	}
	parts := make([]string, len(m))
	for i, term := range m {
		if len(term) == 1 {
			parts[i] = term[0]
		} else {
			parts[i] = "(" + strings.Join(term, " and ") + ")"
		}
	}
	return strings.Join(parts, " or ")
}

// parseMarker checks s against PEP 508 and returns it in normal form.
// Comparisons on "extra" are decided here, with extras the extras active on
// the package whose dependency carries the marker: pip would see extra as
// "" in a requirements file and drop the dependency.
func parseMarker(s string, extras map[string]bool) (marker, error) {
	if strings.TrimSpace(s) == "" {
		return markerTrue, nil
	}
	p := &markerParser{src: s}
	p.tokenize()
	if p.err != nil {
		return nil, p.err
	}
	m := p.or(extras)
	if p.err == nil && p.pos < len(p.toks) {
		p.fail("unexpected %q", p.toks[p.pos].text)
	}
	if p.err != nil {
		return nil, p.err
	}
	return m, nil
}

type markerToken struct {
	kind string // "str", "var", "op", "(", ")", "and", "or"
	text string
}

type markerParser struct {
	src  string
	toks []markerToken
	pos  int
	err  error
}

func (p *markerParser) fail(format string, args ...any) {
	if p.err == nil {
		p.err = fmt.Errorf("invalid marker %q: %s", p.src, fmt.Sprintf(format, args...))
	}
}

func (p *markerParser) tokenize() {
	s := p.src
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t':
			i++
		case c == '(' || c == ')':
			p.toks = append(p.toks, markerToken{string(c), string(c)})
			i++
		case c == '\'' || c == '"':
			end := strings.IndexByte(s[i+1:], c)
			if end < 0 {
				p.fail("unterminated string")
				return
			}
			p.toks = append(p.toks, markerToken{"str", s[i+1 : i+1+end]})
			i += end + 2
		case strings.ContainsRune("<>=!~", rune(c)):
			op := ""
			for _, candidate := range markerOperators {
				if strings.HasPrefix(s[i:], candidate) {
					op = candidate
					break
				}
			}
			if op == "" {
				p.fail("unknown operator at %q", s[i:])
				return
			}
			p.toks = append(p.toks, markerToken{"op", op})
			i += len(op)
		case c == '_' || c == '.' || isAlnum(c):
			j := i
			for j < len(s) && (s[j] == '_' || s[j] == '.' || isAlnum(s[j])) {
				j++
			}
			word := s[i:j]
			switch word {
			case "and", "or":
				p.toks = append(p.toks, markerToken{word, word})
			case "in":
				p.toks = append(p.toks, markerToken{"op", "in"})
			case "not":
				k := j
				for k < len(s) && (s[k] == ' ' || s[k] == '\t') {
					k++
				}
				if k == j || !strings.HasPrefix(s[k:], "in") || (k+2 < len(s) && isAlnum(s[k+2])) {
					p.fail(`"not" must be followed by "in"`)
					return
				}
				p.toks = append(p.toks, markerToken{"op", "not in"})
				j = k + 2
			default:
				if !markerVariables[word] {
					p.fail("unknown variable %q (PEP 508 allows %s)", word, strings.Join(sortedKeys(markerVariables), ", "))
					return
				}
				p.toks = append(p.toks, markerToken{"var", word})
			}
			i = j
		default:
			p.fail("unexpected character %q", c)
			return
		}
	}
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func (p *markerParser) peek() string {
	if p.pos < len(p.toks) {
		return p.toks[p.pos].kind
	}
	return ""
}

func (p *markerParser) or(extras map[string]bool) marker {
	m := p.and(extras)
	for p.err == nil && p.peek() == "or" {
		p.pos++
		m = m.or(p.and(extras))
	}
	return m
}

func (p *markerParser) and(extras map[string]bool) marker {
	m := p.expr(extras)
	for p.err == nil && p.peek() == "and" {
		p.pos++
		m = m.and(p.expr(extras))
	}
	return m
}

func (p *markerParser) expr(extras map[string]bool) marker {
	if p.err != nil {
		return nil
	}
	if p.peek() == "(" {
		p.pos++
		m := p.or(extras)
		if p.peek() != ")" {
			p.fail("missing )")
			return nil
		}
		p.pos++
		return m
	}
	if p.pos+3 > len(p.toks) {
		p.fail("incomplete comparison")
		return nil
	}
	lhs, op, rhs := p.toks[p.pos], p.toks[p.pos+1], p.toks[p.pos+2]
	p.pos += 3
	if op.kind != "op" || (lhs.kind != "var" && lhs.kind != "str") || (rhs.kind != "var" && rhs.kind != "str") {
		p.fail("expected <variable> <operator> '<value>' at %q %q %q", lhs.text, op.text, rhs.text)
		return nil
	}
	if lhs.kind == rhs.kind {
		p.fail("%s %s %s compares two %ss", lhs.text, op.text, rhs.text, map[string]string{"var": "variable", "str": "string"}[lhs.kind])
		return nil
	}
	if lhs.kind == "str" && rhs.text == "extra" {
		lhs, rhs = rhs, lhs
	}
	if lhs.text == "extra" && (op.text == "==" || op.text == "!=") {
		active := extras[NormalizeName(rhs.text)]
		if active == (op.text == "==") {
			return markerTrue
		}
		return nil
	}
	return marker{{quoteMarkerPart(lhs) + " " + op.text + " " + quoteMarkerPart(rhs)}}
}

func quoteMarkerPart(t markerToken) string {
	if t.kind == "var" {
		return t.text
	}
	if strings.Contains(t.text, `"`) {
		return "'" + t.text + "'"
	}
	return `"` + t.text + `"`
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
