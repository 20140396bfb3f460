package pyversion

import (
	"fmt"
	"strconv"
	"strings"
)

// Version is the release segment of a PEP 440 version: 3.13.5 is {3, 13, 5}.
// Pre-, post-, dev- and local versions are not modelled: the stack's Python
// is always a final release, and requires-python rarely names anything else.
type Version []int

// ParseVersion reads a release version such as 3, 3.13 or 3.13.5.
func ParseVersion(s string) (Version, error) {
	if s == "" {
		return nil, fmt.Errorf("an empty version")
	}
	var v Version
	for _, part := range strings.Split(s, ".") {
		n, err := strconv.Atoi(part)
		if err != nil || n < 0 || strings.ContainsAny(part, "+-") {
			return nil, fmt.Errorf("%q is not a release version such as 3.13 or 3.13.5", s)
		}
		v = append(v, n)
	}
	return v, nil
}

func (v Version) String() string {
	parts := make([]string, len(v))
	for i, n := range v {
		parts[i] = strconv.Itoa(n)
	}
	return strings.Join(parts, ".")
}

// Compare orders v and o as PEP 440 does, padding the shorter with zeros so
// that 3.13 and 3.13.0 are equal.
func (v Version) Compare(o Version) int {
	for i := 0; i < len(v) || i < len(o); i++ {
		a, b := v.at(i), o.at(i)
		if a != b {
			if a < b {
				return -1
			}
			return 1
		}
	}
	return 0
}

func (v Version) at(i int) int {
	if i < len(v) {
		return v[i]
	}
	return 0
}

// hasPrefix is PEP 440 prefix matching (==3.13.*): v, padded with zeros,
// starts with prefix.
func (v Version) hasPrefix(prefix Version) bool {
	for i, n := range prefix {
		if v.at(i) != n {
			return false
		}
	}
	return true
}

// Minor is the X.Y a Debian stack is known by.
func (v Version) Minor() string {
	return fmt.Sprintf("%d.%d", v.at(0), v.at(1))
}

// Specifier is one clause of a PEP 440 specifier set, such as >=3.12 or
// ==3.13.*.
type Specifier struct {
	Operator string
	Version  Version
	// Wildcard is the trailing .* of == and !=.
	Wildcard bool
	// Arbitrary is the operand of ===, compared as a string.
	Arbitrary string
}

// operators is longest first, so that === is not read as ==.
var operators = []string{"===", "~=", "==", "!=", "<=", ">=", "<", ">"}

// ParseSpecifiers reads a comma-separated PEP 440 specifier set. Empty
// clauses are skipped, as the packaging library does.
func ParseSpecifiers(s string) (Specifiers, error) {
	var set Specifiers
	for _, clause := range strings.Split(s, ",") {
		clause = strings.TrimSpace(clause)
		if clause == "" {
			continue
		}
		spec, err := parseSpecifier(clause)
		if err != nil {
			return nil, err
		}
		set = append(set, spec)
	}
	if len(set) == 0 {
		return nil, fmt.Errorf("the specifier set is empty")
	}
	return set, nil
}

func parseSpecifier(clause string) (Specifier, error) {
	op := ""
	for _, candidate := range operators {
		if strings.HasPrefix(clause, candidate) {
			op = candidate
			break
		}
	}
	if op == "" {
		return Specifier{}, noOperator(clause)
	}
	operand := strings.TrimSpace(strings.TrimPrefix(clause, op))
	if op == "===" {
		if operand == "" || strings.ContainsAny(operand, " \t") {
			return Specifier{}, fmt.Errorf("%q: === needs one version", clause)
		}
		return Specifier{Operator: op, Arbitrary: operand}, nil
	}
	spec := Specifier{Operator: op}
	if strings.HasSuffix(operand, ".*") {
		if op != "==" && op != "!=" {
			return Specifier{}, fmt.Errorf("%q: only == and != take a .* wildcard", clause)
		}
		spec.Wildcard = true
		operand = strings.TrimSuffix(operand, ".*")
	}
	if operand == "" {
		return Specifier{}, fmt.Errorf("%q has no version after %s", clause, op)
	}
	v, err := ParseVersion(operand)
	if err != nil && strings.ContainsAny(operand, "abcdefghijklmnopqrstuvwxyz+!") {
		return Specifier{}, fmt.Errorf("%q: %q is not a release version; pre-releases, post-releases, epochs and local versions are not supported", clause, operand)
	}
	if err != nil {
		return Specifier{}, fmt.Errorf("%q: %w", clause, err)
	}
	if op == "~=" && len(v) < 2 {
		return Specifier{}, fmt.Errorf("%q: ~= needs at least two numbers, such as ~=3.11", clause)
	}
	spec.Version = v
	return spec, nil
}

// noOperator explains the forms people carry over from other tools.
func noOperator(clause string) error {
	rest := strings.TrimSpace(clause[1:])
	v, err := ParseVersion(rest)
	if err != nil {
		if _, err := ParseVersion(clause); err == nil {
			return fmt.Errorf("%q has no operator; write >=%s or ==%s.*", clause, clause, clause)
		}
		return fmt.Errorf("%q does not start with a PEP 440 operator (==, !=, <, <=, >, >=, ~=, ===)", clause)
	}
	switch clause[0] {
	case '^':
		return fmt.Errorf("%q: ^ is Poetry's syntax, not PEP 440; write >=%s,<%d", clause, rest, v[0]+1)
	case '~':
		return fmt.Errorf("%q: a single ~ is not PEP 440; write ~=%s", clause, rest)
	case '=':
		return fmt.Errorf("%q: a single = is not PEP 440; write ==%s", clause, rest)
	}
	return fmt.Errorf("%q does not start with a PEP 440 operator (==, !=, <, <=, >, >=, ~=, ===)", clause)
}

// Contains reports whether the release v satisfies the clause.
func (s Specifier) Contains(v Version) bool {
	switch s.Operator {
	case "===":
		return v.String() == s.Arbitrary
	case "==":
		if s.Wildcard {
			return v.hasPrefix(s.Version)
		}
		return v.Compare(s.Version) == 0
	case "!=":
		if s.Wildcard {
			return !v.hasPrefix(s.Version)
		}
		return v.Compare(s.Version) != 0
	case "<":
		return v.Compare(s.Version) < 0
	case "<=":
		return v.Compare(s.Version) <= 0
	case ">":
		return v.Compare(s.Version) > 0
	case ">=":
		return v.Compare(s.Version) >= 0
	case "~=":
		return v.Compare(s.Version) >= 0 && v.hasPrefix(s.Version[:len(s.Version)-1])
	}
	return false
}

func (s Specifier) String() string {
	if s.Operator == "===" {
		return s.Operator + s.Arbitrary
	}
	if s.Wildcard {
		return s.Operator + s.Version.String() + ".*"
	}
	return s.Operator + s.Version.String()
}

// Specifiers is a PEP 440 specifier set: a version satisfies it when it
// satisfies every clause.
type Specifiers []Specifier

// Contains reports whether the release v satisfies every clause.
func (set Specifiers) Contains(v Version) bool {
	for _, s := range set {
		if !s.Contains(v) {
			return false
		}
	}
	return true
}

// AllowsMinor reports whether some release of the minor (such as 3.11)
// satisfies the set. Each clause changes its answer only at the patch it
// names or the one after, so every run of satisfying patches starts at 0 or
// at one of those: trying them is exact without counting up.
func (set Specifiers) AllowsMinor(minor Version) bool {
	patches := map[int]bool{0: true}
	for _, s := range set {
		if len(s.Version) > 2 {
			patches[s.Version[2]], patches[s.Version[2]+1] = true, true
		}
		if s.Operator == "===" {
			if v, err := ParseVersion(s.Arbitrary); err == nil && len(v) > 2 {
				patches[v[2]] = true
			}
		}
	}
	for p := range patches {
		if set.Contains(Version{minor.at(0), minor.at(1), p}) {
			return true
		}
	}
	return false
}

func (set Specifiers) String() string {
	parts := make([]string, len(set))
	for i, s := range set {
		parts[i] = s.String()
	}
	return strings.Join(parts, ",")
}
